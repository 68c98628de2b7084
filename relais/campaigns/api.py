"""API endpoints of campaigns: list and read them, cast or change my ballot, read the results and
download the anonymised ballots (Pabulib); the jury round: designate jurors (staff), give my grades
(jurors), read the jury's ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.models import User
from relais.campaigns import access, selectors, services
from relais.campaigns.models import Grade, Juror, Phase
from relais.core.errors import NotAllowed
from relais.core.rest import Id, Pagination, errors

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    title: str
    phase: str
    budget_days: int
    rule: str
    seed: str
    proposals_from: dt.date
    review_from: dt.date
    vote_from: dt.date
    results_from: dt.date


class EntryOut(Schema):
    id: int
    project_id: int
    title: str
    cost_days: int


class CampaignDetailOut(CampaignOut):
    description: str
    electorate_size: int
    entries: list[EntryOut]
    can_vote: bool
    my_ballot: list[int] | None


class BallotIn(Schema):
    entries: list[Id] = Field(max_length=1000)


class BallotOut(Schema):
    entries: list[int]
    receipt_code: str | None = None


class ResultOut(Schema):
    rule: str
    voters: int
    selected: list[int]
    greedy: list[int]
    budget_days: int
    cost_days: int | str
    reasons: dict[str, Any]
    rounds: list[dict[str, Any]]


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _entries(campaign: Any) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "project_id": e.project_id, "title": e.project.title, "cost_days": e.cost_days}
        for e in selectors.entries(campaign)
    ]


@router.get("/campaigns", response=list[CampaignOut], summary="Calls for projects")
@paginate(Pagination, page_size=50)
def campaign_list(request: HttpRequest) -> Any:
    return access.campaigns_for(_me(request)).order_by("-created_at", "-pk")


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignDetailOut,
    summary="A campaign, its projects and my ballot",
    description="404: no such campaign (or a draft, for anyone but operator staff).",
)
def campaign_detail(request: HttpRequest, campaign_id: Id) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    ballot = selectors.ballot_of(user, campaign)
    data = CampaignOut.from_orm(campaign).dict()
    return {
        **data,
        "description": campaign.description,
        "electorate_size": campaign.electorate_size,
        "entries": _entries(campaign),
        "can_vote": access.can_vote(user, campaign),
        "my_ballot": ballot.approvals if ballot else None,
    }


@router.put(
    "/campaigns/{campaign_id}/ballot",
    response={200: BallotOut, **errors(403, 409)},
    summary="Cast or change my ballot (electors)",
    description=(
        "The ids of the entries (projects of the campaign) I approve of; it replaces my previous "
        "ballot. The answer carries a new receipt code, given only once. 403: not in the "
        "electorate; 404: no such campaign; 409: the vote is not open; 422: an entry that is not "
        "in the campaign."
    ),
)
def ballot_put(request: HttpRequest, campaign_id: Id, payload: BallotIn) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    ballot, code = services.ballot_cast(by=user, campaign=campaign, entry_ids=payload.entries)
    return {"entries": ballot.approvals, "receipt_code": code}


@router.get(
    "/campaigns/{campaign_id}/ballot",
    response={200: BallotOut, **errors(403)},
    summary="My ballot",
    description="403: not in the electorate; 404: no such campaign, or no ballot yet.",
)
def ballot_get(request: HttpRequest, campaign_id: Id) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    if not access.is_elector(user, campaign):
        raise NotAllowed(_("You are not in the electorate of this campaign."))
    ballot = selectors.ballot_of(user, campaign)
    if ballot is None:
        raise Http404
    return {"entries": ballot.approvals}


@router.get(
    "/campaigns/{campaign_id}/results",
    response=ResultOut,
    summary="The results, the greedy comparison and the audit trail",
    description='404: no such campaign, or not counted yet. Exact fractions are strings ("7/3").',
)
def results(request: HttpRequest, campaign_id: Id) -> Any:
    campaign = access.campaign_get(_me(request), campaign_id)
    if campaign.phase != Phase.CLOSED or not campaign.result:
        raise Http404
    result = campaign.result
    return {
        "rule": result["rule"],
        "voters": result["voters"],
        "selected": [int(x) for x in result["result"]["selected"]],
        "greedy": [int(x) for x in result["greedy"]["selected"]],
        "budget_days": campaign.budget_days,
        "cost_days": result["result"]["cost"],
        "reasons": result["reasons"],
        "rounds": result["result"]["rounds"],
    }


@router.get(
    "/campaigns/{campaign_id}/ballots.pb",
    response={200: str},
    summary="The anonymised ballots (Pabulib .pb)",
    description="Text in the Pabulib format; `manage.py tally` re-counts it. 404: not counted yet.",
)
def ballots_file(request: HttpRequest, campaign_id: Id) -> HttpResponse:
    campaign = access.campaign_get(_me(request), campaign_id)
    if campaign.phase != Phase.CLOSED:
        raise Http404
    response = HttpResponse(campaign.ballots_pb, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="relais-campaign-{campaign.pk}.pb"'
    return response


# --- The jury round -----------------------------------------------------------------------


class JuryGradeIn(Schema):
    entry: Id
    grade: int = Field(ge=0, le=len(Grade.values) - 1, description="0 Excellent … 5 To reject")


class JuryGradesIn(Schema):
    grades: list[JuryGradeIn] = Field(max_length=1000)


class JuryGradeOut(Schema):
    entry: int
    grade: int
    label: str


class JuryGradesOut(Schema):
    grades: list[JuryGradeOut]


class JurorIn(Schema):
    email: str = Field(max_length=254)


class JurorOut(Schema):
    id: int
    user_id: int
    email: str


class JuryRankOut(Schema):
    entry: int
    title: str
    rank: int
    majority_grade: int | None
    majority_label: str
    distribution: list[int] = Field(description="How many jurors gave each grade, best first")
    not_graded: int
    tied_by_lot: bool
    kept: bool


class JuryResultOut(Schema):
    jurors: int
    shortlist_size: int | None
    grades: list[str] = Field(description="The labels of the grades, best first")
    ranking: list[JuryRankOut]


def _grades_out(grades: dict[int, int]) -> dict[str, Any]:
    return {
        "grades": [
            {"entry": pk, "grade": g, "label": str(Grade(g).label)}
            for pk, g in sorted(grades.items())
        ]
    }


@router.put(
    "/campaigns/{campaign_id}/jury/grades",
    response={200: JuryGradesOut, **errors(403, 409)},
    summary="Give or change my grades (jurors)",
    description=(
        "Grades of shortlisted projects (entry ids) from 0 (Excellent) to 5 (To reject); a grade "
        "given again replaces the previous one; projects not named keep theirs. All or nothing. "
        "The answer lists all my grades. 403: not on the jury; 404: no such campaign, or no jury; "
        "409: the jury round is not open; 422: a grade off the scale, or a project not on the "
        "shortlist."
    ),
)
def jury_grades_put(request: HttpRequest, campaign_id: Id, payload: JuryGradesIn) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    if not campaign.has_jury:
        raise Http404
    grades = {g.entry: g.grade for g in payload.grades}
    return _grades_out(services.jury_grade_set(by=user, campaign=campaign, grades=grades))


@router.post(
    "/campaigns/{campaign_id}/jurors",
    response={201: JurorOut, **errors(403, 409)},
    summary="Add a juror by their email address (operator staff)",
    description=(
        "403: not operator staff; 404: no such campaign; 409: the campaign has no jury, the jury "
        "round is over, or the person is already on the jury; 422: no account has this email."
    ),
)
def juror_add(request: HttpRequest, campaign_id: Id, payload: JurorIn) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    juror = services.jury_member_add(by=user, campaign=campaign, email=payload.email)
    return Status(201, {"id": juror.pk, "user_id": juror.user_id, "email": juror.user.email})


@router.delete(
    "/campaigns/{campaign_id}/jurors/{juror_id}",
    response={204: None, **errors(403, 409)},
    summary="Remove a juror, with their grades (operator staff)",
    description=(
        "403: not operator staff; 404: no such campaign or juror; 409: the jury round is over."
    ),
)
def juror_remove(request: HttpRequest, campaign_id: Id, juror_id: Id) -> Any:
    user = _me(request)
    campaign = access.campaign_get(user, campaign_id)
    if not access.is_manager(user):
        raise PermissionDenied
    juror = Juror.objects.filter(campaign=campaign, pk=juror_id).select_related("campaign").first()
    if juror is None:
        raise Http404
    services.jury_member_remove(by=user, juror=juror)
    return Status(204, None)


@router.get(
    "/campaigns/{campaign_id}/jury/results",
    response=JuryResultOut,
    summary="The jury's ranking by Majority Judgment",
    description=(
        "Published when the jury round closes (the vote opens). Each project's rank, majority "
        "grade (0 Excellent … 5 To reject) and how many jurors gave each grade; a project a juror "
        "did not grade counts as graded 5 by them. 404: no such campaign, no jury, or not "
        "published yet."
    ),
)
def jury_results(request: HttpRequest, campaign_id: Id) -> Any:
    campaign = access.campaign_get(_me(request), campaign_id)
    if not access.jury_result_visible(campaign):
        raise Http404
    published = campaign.jury_result or {}
    titles = {e.pk: e.project.title for e in campaign.entries.select_related("project")}
    return {
        "jurors": published["jurors"],
        "shortlist_size": published.get("shortlist_size"),
        "grades": [str(label) for label in Grade.labels],
        "ranking": [
            {
                **row,
                "title": titles.get(row["entry"], ""),
                "majority_label": str(Grade(row["majority_grade"]).label)
                if row["majority_grade"] is not None
                else "",
            }
            for row in published["ranking"]
        ],
    }
