"""Every state change of accounts and organisations, one function each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from relais.accounts.models import (
    ROLES_BY_KIND,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from relais.accounts.tasks import invitation_send

_INVITATION_SALT = "relais.accounts.invitation"


def _forget_roles(user: User) -> None:
    user.__dict__.pop("role_set", None)


@transaction.atomic
def organisation_create(
    *, creator: User, kind: OrganisationKind, name: str, **fields: object
) -> Organisation:
    """Creates a firm or a nonprofit and makes its creator the organisation's admin."""
    if kind == OrganisationKind.OPERATOR:
        raise ValidationError(_("The operator organisation cannot be created here."))
    causes = fields.pop("causes", None)
    organisation = Organisation(kind=kind, name=name, **fields)
    organisation.full_clean()
    organisation.save()
    if causes is not None:
        organisation.causes.set(causes)  # type: ignore[arg-type]
    membership_add(organisation=organisation, user=creator, role=organisation.admin_role)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields: object) -> Organisation:
    """Updates an organisation's details; identifiers are validated again."""
    causes = fields.pop("causes", None)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    if causes is not None:
        organisation.causes.set(causes)  # type: ignore[arg-type]
    return organisation


def membership_add(*, organisation: Organisation, user: User, role: str) -> Membership:
    """Gives a user a role in an organisation; the role must exist for that kind."""
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        raise ValidationError(
            _("The role “%(role)s” does not exist in this kind of organisation.")
            % {"role": Role(role).label}
        )
    membership, _created = Membership.objects.get_or_create(
        organisation=organisation, user=user, role=role
    )
    if role == Role.OPERATOR_STAFF and not user.is_staff:
        # Operator staff use the Django admin, which requires is_staff.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _forget_roles(user)
    return membership


@dataclass(frozen=True)
class InvitationLink:
    invitation: Invitation
    token: str


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=_INVITATION_SALT, compress=True)


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, invited_by: User, email: str, role: str, accept_url: str
) -> InvitationLink:
    """Invites an email address to an organisation with a role and emails the signed link."""
    email = email.strip().lower()
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})
    if Membership.objects.filter(organisation=organisation, user__email=email, role=role).exists():
        raise ValidationError({"email": _("This person already has this role here.")})
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=invited_by
    )
    token = invitation_token(invitation)
    url = accept_url.replace("__token__", token)
    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: invitation_send.enqueue(invitation_id=invitation.pk, url=url, language=language)
    )
    return InvitationLink(invitation=invitation, token=token)


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is for the user."""


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link designates, or InvitationError saying why not."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        pk = signing.loads(token, salt=_INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationError(
            _("This invitation has expired. Ask the person who invited you for a new one.")
        ) from None
    except signing.BadSignature:
        raise InvitationError(_("This invitation link is not valid.")) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError(_("This invitation has been withdrawn."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Accepts an invitation once: links the user to the organisation with the invited role."""
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    # Claimed with a conditional UPDATE: of two simultaneous acceptances, only one changes a row.
    taken = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if taken != 1:
        raise InvitationError(_("This invitation has already been used."))
    # Receiving the invitation proves the address belongs to this person.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return membership_add(organisation=invitation.organisation, user=user, role=invitation.role)


@transaction.atomic
def invitation_accept_with_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> User:
    """Creates the invited person's account (email verified by the link) and accepts."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            _("An account already exists for %(email)s: sign in to accept the invitation.")
            % {"email": invitation.email}
        )
    user = User.objects.create_user(
        invitation.email, password, first_name=first_name, last_name=last_name
    )
    invitation_accept(invitation=invitation, user=user)
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraws a pending invitation; its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    raw: str


def api_token_create(*, user: User, name: str) -> NewApiToken:
    """Creates a personal API token; the raw value is shown once and only its digest is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    raw = "rls_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=_digest(raw))
    return NewApiToken(token=token, raw=raw)


def api_token_revoke(*, token: ApiToken) -> None:
    """Revokes a token: requests carrying it are refused from now on."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None; records when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_update_profile(*, user: User, first_name: str, last_name: str) -> User:
    """Updates a user's name."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    return user


def welcome_link_path(user: User) -> str:
    """The path of a one-time link that lets someone registered by their firm choose a password
    (the token dies with the first password set)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:welcome", kwargs={"uidb64": uid, "token": token})


def welcome_user(uidb64: str, token: str) -> User | None:
    """The user a welcome link designates, if the link is still valid."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def user_set_first_password(*, user: User, password: str) -> User:
    """Sets the password chosen from a welcome link; receiving the link verified the address."""
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user
