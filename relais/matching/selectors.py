"""Reads of matching: the instance of a round, from the database, in a fixed number of queries;
a consultant's suggestions with their explanation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    ConsultantSkill,
    FirmTerms,
    LendingMode,
)
from relais.core.models import Cause, Language, Skill
from relais.matching.engine import MODE_FEE, MODE_NONE, MODE_SPONSORSHIP, Instance
from relais.matching.models import Flag, Suggestion, SuggestionStatus, Weights
from relais.projects.models import Project
from relais.work.models import Claim, Priority, Task, TaskStatus, TeamMember

if TYPE_CHECKING:
    from relais.accounts.models import User

I64 = np.int64


def current_weights() -> Weights:
    """The weights in force: the newest version (the data migration seeds the first)."""
    found = Weights.objects.order_by("-created_at", "-id").first()
    return found if found is not None else Weights()


def available_consultants(today: dt.date) -> QuerySet[ConsultantProfile]:
    """Consultants on the bench today (an open period covering the day) who did not opt out."""
    on_bench = BenchPeriod.objects.filter(status=BenchStatus.OPEN, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    return ConsultantProfile.objects.filter(
        matching_opt_out=False, user__in=on_bench.values("consultant")
    )


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list queryset, fetched at once without Django's per-row
    conversions (ids, integers and booleans only): 400k rows in a fraction of a second."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _bits(n: int, pairs: list[tuple[int, int]], position: dict[int, int], width: int) -> np.ndarray:
    out = np.zeros((n, width), dtype=np.uint64)
    for owner, item in pairs:
        bit = position.get(item)
        if bit is not None:
            out[owner, bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
    return out


def _keys(a: list[int], b: list[int], base: int) -> np.ndarray:
    if not a:
        return np.zeros(0, dtype=I64)
    return np.unique(np.array(a, dtype=I64) * base + np.array(b, dtype=I64))


def load_instance(today: dt.date | None = None) -> Instance:
    """Everything a round needs, as arrays (see engine.Instance)."""
    today = today or timezone.localdate()
    now = timezone.now()
    available = available_consultants(today)
    profiles = _rows(available.order_by("user_id").values_list("id", "user_id", "firm_id"))
    c_of_profile = {pid: i for i, (pid, _u, _f) in enumerate(profiles)}
    user_ids = [u for _p, u, _f in profiles]
    c_of_user = {u: i for i, u in enumerate(user_ids)}
    n_c = len(profiles)
    skill_pos = {
        pk: i for i, pk in enumerate(Skill.objects.order_by("id").values_list("id", flat=True))
    }
    cause_pos = {
        pk: i for i, pk in enumerate(Cause.objects.order_by("id").values_list("id", flat=True))
    }
    lang_pos = {
        pk: i for i, pk in enumerate(Language.objects.order_by("id").values_list("id", flat=True))
    }
    levels = np.zeros((n_c, max(len(skill_pos), 1)), dtype=np.int8)
    rows = _rows(
        ConsultantSkill.objects.filter(profile__in=available).values_list(
            "profile_id", "skill_id", "level"
        )
    )
    for pid, sid, level in rows:
        levels[c_of_profile[pid], skill_pos[sid]] = level
    cause_width = max(1, (len(cause_pos) + 63) // 64)
    lang_width = max(1, (len(lang_pos) + 63) // 64)
    through_c = ConsultantProfile.causes.through
    through_l = ConsultantProfile.languages.through
    c_causes = [
        (c_of_profile[p], x)
        for p, x in _rows(
            through_c.objects.filter(consultantprofile__in=available).values_list(
                "consultantprofile_id", "cause_id"
            )
        )
    ]
    c_langs = [
        (c_of_profile[p], x)
        for p, x in _rows(
            through_l.objects.filter(consultantprofile__in=available).values_list(
                "consultantprofile_id", "language_id"
            )
        )
    ]
    # The firm's mode under the terms valid today.
    mode_of_firm: dict[int, int] = {}
    for firm_id, firm_mode in (
        FirmTerms.objects.filter(valid_from__lte=today, firm__in=available.values("firm"))
        .order_by("firm_id", "-valid_from", "-id")
        .values_list("firm_id", "mode")
    ):
        mode_of_firm.setdefault(
            firm_id, MODE_SPONSORSHIP if firm_mode == LendingMode.SPONSORSHIP else MODE_FEE
        )
    mode = np.array([mode_of_firm.get(f, MODE_NONE) for _p, _u, f in profiles], dtype=I64)
    # Ready tasks.
    # The weeks a task has waited, counted by the database up to the cap (no datetimes read).
    weights = current_weights()
    weeks = Case(
        *[
            When(created_at__lte=now - dt.timedelta(weeks=n), then=Value(n))
            for n in range(int(weights.age_cap_weeks), 0, -1)
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    tasks = _rows(
        Task.objects.filter(status=TaskStatus.READY)
        .order_by("id")
        .annotate(weeks=weeks)
        .values_list("id", "project_id", "priority", "weeks")
    )
    t_of = {t[0]: i for i, t in enumerate(tasks)}
    n_t = len(tasks)
    project_ids = sorted({t[1] for t in tasks})
    p_of = {pk: i for i, pk in enumerate(project_ids)}
    task_ids = np.array([t[0] for t in tasks], dtype=I64)
    pairs = np.array(
        _rows(
            Task.skills.through.objects.filter(task__status=TaskStatus.READY).values_list(
                "task_id", "skill_id"
            )
        ),
        dtype=I64,
    ).reshape(-1, 2)
    where = np.searchsorted(task_ids, pairs[:, 0]) if n_t else np.zeros(0, I64)
    known = (where < n_t) & (task_ids[np.minimum(where, max(n_t - 1, 0))] == pairs[:, 0])
    skill_lookup = np.zeros(max(skill_pos, default=0) + 1, dtype=I64)
    for pk, position in skill_pos.items():
        skill_lookup[pk] = position
    t_pos, s_pos = where[known], skill_lookup[pairs[known, 1]]
    order = np.lexsort((s_pos, t_pos))
    idx = s_pos[order]
    ptr = np.zeros(n_t + 1, dtype=I64)
    np.cumsum(np.bincount(t_pos, minlength=n_t), out=ptr[1:])
    ready = Task.objects.filter(status=TaskStatus.READY)
    projects = list(
        Project.objects.filter(pk__in=ready.values("project"))
        .order_by("id")
        .values_list("id", "field_lead_id", "nonprofit__sponsorship_eligible_at")
    )
    n_p = len(project_ids)
    p_causes = [
        (p_of[p], x)
        for p, x in Project.causes.through.objects.filter(
            project__in=ready.values("project")
        ).values_list("project_id", "cause_id")
    ]
    p_langs = [
        (p_of[p], x)
        for p, x in Project.languages.through.objects.filter(
            project__in=ready.values("project")
        ).values_list("project_id", "language_id")
    ]
    lead = np.zeros(n_p, dtype=I64)
    eligible = np.zeros(n_p, dtype=bool)
    for pk, lead_id, eligible_at in projects:
        lead[p_of[pk]] = lead_id or 0
        eligible[p_of[pk]] = eligible_at is not None
    lead_base = int(lead.max()) + 1 if n_p else 1
    # Continuity: teams, past claims, the leads they worked with.
    memberships = (
        list(
            TeamMember.objects.filter(user__in=available.values("user")).values_list(
                "user_id", "project_id", "left_at", "project__field_lead_id"
            )
        )
        if n_c
        else []
    )
    team = [(c_of_user[u], p_of[p]) for u, p, left, _l in memberships if left is None and p in p_of]
    knows = [
        (c_of_user[u], lead_id)
        for u, _p, _left, lead_id in memberships
        if lead_id and lead_id < lead_base and lead_id != u
    ]
    claims = (
        list(
            Claim.objects.filter(consultant__in=available.values("user")).values_list(
                "consultant_id", "task_id"
            )
        )
        if n_c
        else []
    )
    handed = [(c_of_user[u], t_of[t]) for u, t in claims if t in t_of]
    claimed_by: dict[int, list[int]] = {}
    for u, t in claims:
        claimed_by.setdefault(t, []).append(c_of_user[u])
    follows = []
    if claimed_by:
        for dependent, dependency in Task.dependencies.through.objects.filter(
            from_task__status=TaskStatus.READY,
            to_task__in=Claim.objects.filter(consultant__in=available.values("user")).values(
                "task"
            ),
        ).values_list("from_task_id", "to_task_id"):
            if dependent in t_of:
                follows += [(c, t_of[dependent]) for c in claimed_by[dependency]]
    declined = (
        list(
            Suggestion.objects.filter(
                status=SuggestionStatus.DECLINED, consultant__in=available.values("user")
            ).values_list("consultant_id", "task_id")
        )
        if n_c
        else []
    )
    declined_pairs = [(c_of_user[u], t_of[t]) for u, t in declined if t in t_of]
    return Instance(
        consultant_ids=np.array(user_ids, dtype=I64),
        levels=levels,
        consultant_causes=_bits(n_c, c_causes, cause_pos, cause_width),
        consultant_languages=_bits(n_c, c_langs, lang_pos, lang_width),
        mode=mode,
        task_ids=task_ids,
        task_project=np.array([p_of[t[1]] for t in tasks], dtype=I64),
        task_priority=np.array([t[2] for t in tasks], dtype=I64),
        task_age_weeks=np.array([t[3] for t in tasks], dtype=I64),
        task_skill_ptr=ptr,
        task_skill_idx=idx,
        project_causes=_bits(n_p, p_causes, cause_pos, cause_width),
        project_languages=_bits(n_p, p_langs, lang_pos, lang_width),
        project_eligible=eligible,
        project_lead=lead,
        team=_keys([c for c, _p in team], [p for _c, p in team], max(n_p, 1)),
        follows=_keys([c for c, _t in follows], [t for _c, t in follows], max(n_t, 1)),
        handed_over=_keys([c for c, _t in handed], [t for _c, t in handed], max(n_t, 1)),
        knows_lead=_keys([c for c, _l in knows], [x for _c, x in knows], lead_base),
        declined=_keys(
            [c for c, _t in declined_pairs], [t for _c, t in declined_pairs], max(n_t, 1)
        ),
        lead_base=lead_base,
    )


def offered_to(user: User) -> QuerySet[Suggestion]:
    """The suggestion offered to the user now (at most one), with what its explanation shows."""
    return (
        Suggestion.objects.filter(consultant=user, status=SuggestionStatus.OFFERED)
        .select_related("task__project__field_lead")
        .prefetch_related("task__skills")
    )


def explain(suggestion: Suggestion) -> list[str]:
    """ "Why this task", in plain words, from the parts of its score."""
    reasons = []
    skills = [str(s) for s in suggestion.task.skills.all()]
    if suggestion.skills > 0 and skills:
        reasons.append(_("It needs skills you have: %(skills)s.") % {"skills": ", ".join(skills)})
    elif not skills:
        reasons.append(_("It needs no particular skill."))
    if suggestion.has(Flag.TEAM):
        reasons.append(_("You are already onboarded on this project."))
    if suggestion.has(Flag.FOLLOWS):
        reasons.append(_("It follows a task you did."))
    if suggestion.has(Flag.HANDED_OVER):
        reasons.append(_("You worked on it before and know where it stands."))
    if suggestion.has(Flag.KNOWS_LEAD):
        reasons.append(_("You already worked with its field lead."))
    if suggestion.has(Flag.CAUSE):
        reasons.append(_("The project serves a cause you care about."))
    if suggestion.task.priority == Priority.HIGH:
        reasons.append(_("It is a high-priority task."))
    if suggestion.age > 0:
        reasons.append(_("It has been waiting for someone for a while."))
    if suggestion.has(Flag.LANGUAGE):
        reasons.append(_("The project works in a language you work in."))
    if suggestion.has(Flag.MISSION):
        reasons.append(_("Your firm's terms allow a mission on this project."))
    else:
        reasons.append(_("A mission on this project needs your firm's terms to allow it first."))
    return reasons
