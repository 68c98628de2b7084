"""Who may see and do what with campaigns; views and the API check here.

Campaigns past their draft are public; drafts only for operator staff. What a user may not see is
reported as missing (404). The jury's grading page is for its jurors only (403 for anyone else);
the jury's ranking is public once the jury round closes, like the vote's results once counted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from relais.accounts.models import Role
from relais.campaigns.models import Campaign, Elector, Juror, Phase

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.projects.models import Project


def is_manager(user: User | AnonymousUser) -> bool:
    """Operator staff create campaigns and move them through their phases."""
    return bool(user.is_authenticated and user.is_operator_staff)


def campaigns_for(user: User | AnonymousUser) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.all()
    if not is_manager(user):
        campaigns = campaigns.exclude(phase=Phase.DRAFT)
    return campaigns


def campaign_get(user: User | AnonymousUser, pk: int) -> Campaign:
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def is_elector(user: User | AnonymousUser, campaign: Campaign) -> bool:
    if not user.is_authenticated:
        return False
    return Elector.objects.filter(campaign=campaign, user=user).exists()


def can_vote(user: User | AnonymousUser, campaign: Campaign) -> bool:
    return campaign.phase == Phase.VOTE and is_elector(user, campaign)


def can_apply_with(user: User | AnonymousUser, project: Project) -> bool:
    """An admin of the project's nonprofit (or operator staff) may apply with it."""
    if not user.is_authenticated:
        return False
    return user.is_operator_staff or user.has_role(project.nonprofit_id, [Role.NONPROFIT_ADMIN])


def is_juror(user: User | AnonymousUser, campaign: Campaign) -> bool:
    if not user.is_authenticated:
        return False
    return Juror.objects.filter(campaign=campaign, user=user).exists()


def jury_campaign_get(user: User | AnonymousUser, pk: int) -> Campaign:
    """A campaign with a jury, for its grading page: missing (404) as campaign_get does, or when
    the campaign has no jury; refused (403) to anyone but its jurors."""
    campaign = campaign_get(user, pk)
    if not campaign.has_jury:
        raise Http404
    if not is_juror(user, campaign):
        raise PermissionDenied
    return campaign


def jury_manage_get(user: User | AnonymousUser, pk: int) -> Campaign:
    """A campaign whose jury operator staff designate (403 for anyone else who sees it)."""
    campaign = campaign_get(user, pk)
    if not is_manager(user):
        raise PermissionDenied
    return campaign


def jury_result_visible(campaign: Campaign) -> bool:
    """The jury's ranking is published when the jury round closes (the vote opens)."""
    return bool(campaign.jury_result) and campaign.jury_over
