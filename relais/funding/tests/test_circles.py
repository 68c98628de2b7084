"""Circles: who creates, who joins (always by their own action), admins, leaving."""

from __future__ import annotations

import pytest
from django.core import mail

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.core.errors import Conflict, NotAllowed
from relais.funding import services
from relais.funding.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleRole,
    MembershipStatus,
    SepaMandate,
)
from relais.funding.selectors import funding_to_dos
from relais.funding.tests.conftest import sign

pytestmark = pytest.mark.django_db


def test_a_consultant_creates_a_circle_of_their_firm_and_is_its_admin(bob, acme):
    circle = services.circle_create(creator=bob, name="  Cercle  ", firm=acme)
    membership = CircleMembership.objects.get(circle=circle, user=bob)
    assert circle.name == "Cercle"
    assert membership.role == CircleRole.ADMIN
    assert membership.status == MembershipStatus.PENDING
    assert circle.link.token


def test_a_firm_admin_who_is_no_consultant_cannot_create_a_circle(alice, acme):
    with pytest.raises(NotAllowed):
        services.circle_create(creator=alice, name="Cercle", firm=acme)
    with pytest.raises(NotAllowed):
        services.circle_create(creator=alice, name="Cercle")
    assert not Circle.objects.exists()


def test_a_consultant_cannot_create_a_circle_of_another_firm(bob, other_firm):
    with pytest.raises(NotAllowed):
        services.circle_create(creator=bob, name="Cercle", firm=other_firm)
    assert not Circle.objects.exists()


def test_an_invitation_is_emailed_and_joining_needs_the_invited_persons_acceptance(
    circle, bob, emma, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.circle_invite(inviter=bob, circle=circle, email="EMMA@acme.example")
    assert mail.outbox[-1].to == ["emma@acme.example"]
    assert f"/circle-invitations/{invitation.pk}/" in mail.outbox[-1].body
    # Nothing happens until Emma accepts: she is not a member, she has a to-do.
    assert not CircleMembership.objects.filter(user=emma).exists()
    assert funding_to_dos(emma).invitations == [invitation]
    membership = services.circle_invitation_accept(user=emma, invitation=invitation)
    assert membership.status == MembershipStatus.PENDING
    assert funding_to_dos(emma).invitations == []
    assert funding_to_dos(emma).to_sign == [membership]


def test_an_invitation_cannot_be_accepted_by_someone_else(circle, bob, emma, dora):
    invitation = services.circle_invite(inviter=bob, circle=circle, email=emma.email)
    with pytest.raises(NotAllowed):
        services.circle_invitation_accept(user=dora, invitation=invitation)
    assert not CircleMembership.objects.filter(user=dora).exists()


def test_a_firm_circle_admits_only_that_firms_consultants(circle, other_firm):
    outsider = MembershipFactory(organisation=other_firm, role=Role.CONSULTANT).user
    with pytest.raises(NotAllowed):
        services.circle_join_by_link(user=outsider, token=circle.link.token)
    assert not CircleMembership.objects.filter(user=outsider).exists()


def test_a_cross_firm_circle_admits_consultants_of_every_firm(bob, other_firm):
    circle = services.circle_create(creator=bob, name="Inter-ESN")
    outsider = MembershipFactory(organisation=other_firm, role=Role.CONSULTANT).user
    membership = services.circle_join_by_link(user=outsider, token=circle.link.token)
    assert membership.circle == circle


def test_a_replaced_join_link_stops_working(circle, bob, emma):
    old = circle.link.token
    services.circle_link_renew(admin=bob, circle=circle)
    with pytest.raises(Conflict):
        services.circle_join_by_link(user=emma, token=old)
    assert not CircleMembership.objects.filter(user=emma).exists()


def test_the_last_admin_cannot_leave_until_another_member_is_admin(circle, bob, emma):
    membership = services.circle_join_by_link(user=emma, token=circle.link.token)
    with pytest.raises(Conflict):
        services.membership_leave(user=bob, circle=circle)
    assert CircleMembership.objects.get(user=bob).status != MembershipStatus.LEFT
    with pytest.raises(NotAllowed):
        services.membership_make_admin(admin=emma, membership=membership)
    services.membership_make_admin(admin=bob, membership=membership)
    services.membership_leave(user=bob, circle=circle)
    assert CircleMembership.objects.get(user=bob).status == MembershipStatus.LEFT


def test_leaving_revokes_the_mandate_and_joining_again_starts_over(circle, emma, tier):
    services.circle_join_by_link(user=emma, token=circle.link.token)
    sign(emma, circle, tier)
    services.membership_leave(user=emma, circle=circle)
    assert not SepaMandate.objects.filter(revoked_at__isnull=True).exists()
    again = services.circle_join_by_link(user=emma, token=circle.link.token)
    assert again.status == MembershipStatus.PENDING
    assert again.role == CircleRole.MEMBER


def test_joining_by_link_answers_a_pending_invitation(circle, bob, emma):
    services.circle_invite(inviter=bob, circle=circle, email=emma.email)
    services.circle_join_by_link(user=emma, token=circle.link.token)
    assert not CircleInvitation.objects.filter(accepted_at__isnull=True).exists()
