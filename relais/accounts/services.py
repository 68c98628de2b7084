"""Every state change of accounts and organisations, one function each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.audit import audit
from relais.accounts.models import (
    API_TOKEN_DEFAULT_LIFETIME,
    API_TOKEN_LIFETIMES,
    ROLES_BY_KIND,
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SponsorshipCategory,
    User,
)
from relais.accounts.selectors import api_token_is_valid
from relais.accounts.tasks import (
    invitation_send,
    organisation_verified_send,
    sponsorship_eligible_send,
)
from relais.accounts.validators import validate_single_line
from relais.core.errors import Conflict
from relais.core.mail import notify_on_commit, supported_language
from relais.core.validators import detect_image, file_size

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.core.files import File
    from django.http import HttpRequest

_INVITATION_SALT = "relais.accounts.invitation"

# What accepting an invitation does beyond the membership, by the payload's "source": apps above
# accounts register theirs when they load (bench: a roster row becomes the consultant's profile),
# so that accounts never imports them.
INVITATION_ACCEPTED_HOOKS: dict[str, Callable[[Invitation, User], object]] = {}


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


@transaction.atomic
def organisation_verify(
    *,
    staff: User,
    organisation: Organisation,
    request: HttpRequest | None = None,
) -> Organisation:
    """Operator staff verify a firm, after which its consultants may ask to join projects; the
    firm's admins are told. Verifying a verified firm changes nothing."""
    if not staff.is_operator_staff:
        raise PermissionDenied
    if organisation.kind != OrganisationKind.FIRM:
        raise ValidationError(_("Only firms are verified by the operator."))
    now = timezone.now()
    verified = Organisation.objects.filter(pk=organisation.pk, verified_at__isnull=True).update(
        verified_at=now, verified_by=staff
    )
    organisation.refresh_from_db(fields=["verified_at", "verified_by"])
    if verified:
        audit(
            "organisation.verified",
            actor=staff,
            organisation=organisation,
            target=organisation.name,
            request=request,
        )
        notify_on_commit(organisation_verified_send, organisation_id=organisation.pk)
    return organisation


SPONSORSHIP_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def sponsorship_evidence_check(evidence: File[bytes]) -> str:
    """The extension of a supporting document judged by its bytes (a PDF, or a PNG, JPEG, GIF
    or WebP image), at most 10 MB; a clear refusal otherwise."""
    if evidence.size is None or evidence.size > SPONSORSHIP_EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "sponsorship_evidence": _("The document may weigh at most %(limit)s.")
                % {"limit": file_size(SPONSORSHIP_EVIDENCE_MAX_BYTES)}
            }
        )
    evidence.seek(0)
    head = evidence.read(5)
    evidence.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        return detect_image(evidence).extension
    except ValidationError:
        raise ValidationError(
            {
                "sponsorship_evidence": _(
                    "This file is neither a PDF nor an image, or it is damaged: send the tax "
                    "ruling (rescrit) or the statutes as a PDF or a picture."
                )
            }
        ) from None


@transaction.atomic
def organisation_sponsorship_evidence_set(
    *,
    admin: User,
    organisation: Organisation,
    category: str,
    evidence: File[bytes],
    request: HttpRequest | None = None,
) -> Organisation:
    """A nonprofit's admin gives its category of art. 238 bis CGI and a supporting document (tax
    ruling or statutes) for the Relais team to verify; a new document withdraws an earlier
    verification until it is checked again."""
    if organisation.kind != OrganisationKind.NONPROFIT or not admin.has_role(
        organisation.pk, [Role.NONPROFIT_ADMIN]
    ):
        raise PermissionDenied
    if category not in SponsorshipCategory.values:
        raise ValidationError({"sponsorship_category": _("Choose a category from the list.")})
    extension = sponsorship_evidence_check(evidence)
    organisation.sponsorship_category = category
    organisation.sponsorship_evidence.save(
        f"{organisation.pk}-{secrets.token_hex(8)}.{extension}", evidence, save=False
    )
    organisation.sponsorship_eligible_at = None
    organisation.sponsorship_eligible_by = None
    organisation.save(
        update_fields=[
            "sponsorship_category",
            "sponsorship_evidence",
            "sponsorship_eligible_at",
            "sponsorship_eligible_by",
        ]
    )
    audit(
        "organisation.sponsorship_evidence",
        actor=admin,
        organisation=organisation,
        target=organisation.name,
        request=request,
        category=category,
    )
    return organisation


@transaction.atomic
def organisation_sponsorship_verify(
    *,
    staff: User,
    organisation: Organisation,
    helps_people_in_difficulty: bool,
    request: HttpRequest | None = None,
) -> Organisation:
    """Operator staff, having read its supporting document, record that a nonprofit may receive
    skills sponsorship (art. 238 bis CGI) and whether it helps people in difficulty (60 % kept
    above 2 M€); its admins are told. Only a nonprofit with a category and a document."""
    if not staff.is_operator_staff:
        raise PermissionDenied
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.kind != OrganisationKind.NONPROFIT:
        raise ValidationError(_("Only nonprofits receive skills sponsorship."))
    if not locked.sponsorship_category or not locked.sponsorship_evidence:
        raise ValidationError(
            _("%(name)s has not sent its category and supporting document yet.")
            % {"name": locked.name}
        )
    first = locked.sponsorship_eligible_at is None
    locked.sponsorship_eligible_at = locked.sponsorship_eligible_at or timezone.now()
    locked.sponsorship_eligible_by = locked.sponsorship_eligible_by or staff
    locked.helps_people_in_difficulty = helps_people_in_difficulty
    locked.save(
        update_fields=[
            "sponsorship_eligible_at",
            "sponsorship_eligible_by",
            "helps_people_in_difficulty",
        ]
    )
    audit(
        "organisation.sponsorship_verified",
        actor=staff,
        organisation=locked,
        target=locked.name,
        request=request,
        category=locked.sponsorship_category,
        helps_people_in_difficulty=helps_people_in_difficulty,
    )
    if first:
        notify_on_commit(sponsorship_eligible_send, organisation_id=locked.pk)
    organisation.refresh_from_db()
    return organisation


def membership_add(
    *, organisation: Organisation, user: User, role: str, actor: User | None = None
) -> Membership:
    """Gives a user a role in an organisation; the role must exist for that kind."""
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        raise ValidationError(
            _("The role “%(role)s” does not exist in this kind of organisation.")
            % {"role": Role(role).label}
        )
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, role=role
    )
    if created:
        audit(
            "membership.added",
            actor=actor or user,
            organisation=organisation,
            target=user.email,
            role=role,
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
    *,
    organisation: Organisation,
    invited_by: User,
    email: str,
    role: str,
    accept_url: str,
    payload: dict[str, object] | None = None,
) -> InvitationLink:
    """Invites an email address to an organisation with a role and emails the signed link; the
    payload (what a roster recorded for the person) is applied only if they accept."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    if len(email) > Invitation._meta.get_field("email").max_length:  # type: ignore[operator]
        raise ValidationError({"email": _("This email address is too long.")})
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})
    if Membership.objects.filter(
        organisation=organisation, user__email__iexact=email, role=role
    ).exists():
        raise ValidationError({"email": _("This person already has this role here.")})
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        payload=payload or {},
    )
    audit(
        "invitation.created",
        actor=invited_by,
        organisation=organisation,
        target=email,
        role=role,
        source=str((payload or {}).get("source", "")),
    )
    token = invitation_token(invitation)
    url = accept_url.replace("__token__", token)
    notify_on_commit(invitation_send, invitation_id=invitation.pk, url=url)
    return InvitationLink(invitation=invitation, token=token)


class InvitationError(Conflict):
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
    audit(
        "invitation.accepted",
        actor=user,
        organisation=invitation.organisation,
        target=invitation.email,
        role=invitation.role,
    )
    membership = membership_add(
        organisation=invitation.organisation, user=user, role=invitation.role, actor=user
    )
    hook = INVITATION_ACCEPTED_HOOKS.get(str(invitation.payload.get("source", "")))
    if hook is not None:
        # What the inviting app recorded for the person (a firm's roster row), now that they
        # accepted; a refusal there undoes the whole acceptance.
        try:
            hook(invitation, user)
        except ValidationError as error:
            raise InvitationError(" ".join(error.messages)) from None
    return membership


@transaction.atomic
def invitation_accept_with_new_account(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    language: str | None = None,
) -> User:
    """Creates the invited person's account (email verified by the link) in the language they
    accepted in (the inviter cannot know it), and accepts."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            _("An account already exists for %(email)s: sign in to accept the invitation.")
            % {"email": invitation.email}
        )
    user = User.objects.create_user(
        invitation.email,
        password,
        first_name=first_name,
        last_name=last_name,
        language=supported_language(language),
    )
    invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None = None) -> None:
    """Withdraws a pending invitation; its link stops working."""
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit(
            "invitation.revoked",
            actor=actor,
            organisation=invitation.organisation,
            target=invitation.email,
            role=invitation.role,
        )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    raw: str


# A token's use is written to the audit log at most once per this many seconds.
API_TOKEN_USE_AUDIT_SECONDS = 3600


def api_token_create(
    *,
    user: User,
    name: str,
    lifetime_days: int = API_TOKEN_DEFAULT_LIFETIME,
    request: HttpRequest | None = None,
) -> NewApiToken:
    """Creates a personal API token that expires after 30, 90 or 365 days; the raw value is shown
    once and only its digest is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if lifetime_days not in API_TOKEN_LIFETIMES:
        raise ValidationError({"lifetime_days": _("Choose 30, 90 or 365 days.")})
    raw = "rls_" + secrets.token_urlsafe(32)
    now = timezone.now()
    expires_at = now + timedelta(days=lifetime_days)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:12],
            digest=_digest(raw),
            created_at=now,
            expires_at=expires_at,
        )
        audit(
            "api_token.create",
            actor=user,
            target=token,
            request=request,
            expires_at=expires_at.isoformat(),
        )
    return NewApiToken(token=token, raw=raw)


def api_token_revoke(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Revokes a token: requests carrying it are refused from now on."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit("api_token.revoke", actor=token.user, target=token, request=request)


def api_tokens_revoke_all(*, user: User, reason: str = "password_changed") -> int:
    """Revokes every active token of a user (their password changed: whoever held a token
    obtained with the old one loses it); returns how many were revoked."""
    with transaction.atomic():
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        names = [str(token) for token in tokens]
        revoked = tokens.update(revoked_at=timezone.now())
        if revoked:
            audit(
                "api_token.revoke_all",
                actor=user,
                target=user.email,
                reason=reason,
                tokens=names,
            )
    return revoked


def api_token_authenticate(*, raw: str, request: HttpRequest | None = None) -> User | None:
    """The active user a valid (unrevoked, unexpired) raw token belongs to, or None; records when
    it was last used, and writes its use to the audit log at most once an hour."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or not api_token_is_valid(token, now=now):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if cache.add(f"api_token_used:{token.pk}", 1, API_TOKEN_USE_AUDIT_SECONDS):
        audit("api_token.use", actor=token.user, target=token, request=request)
    return token.user


def user_update_profile(
    *, user: User, first_name: str, last_name: str, language: str | None = None
) -> User:
    """Updates a user's name, and language when given (only the person does: an import or an
    invitation never does)."""
    errors = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    if language is not None:
        user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "language"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Sets the language of a person's pages and emails; only one of the site's languages."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the site's languages.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_set_first_password(*, user: User, password: str, language: str | None = None) -> User:
    """Sets the password chosen from a welcome link, and the language the person chose it in (their
    firm could not know it); receiving the link verified the address."""
    user.set_password(password)
    if language is not None:
        user.language = supported_language(language)
    user.save(update_fields=["password", "language"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


# --- Personal data (erasure and retention, orchestrated by relais.site.privacy) -------------


def invitation_payload_set(*, invitation_id: int, payload: dict[str, object]) -> int:
    """Replaces what a pending invitation carries (a roster row re-imported while its person has
    not answered yet); 0 when the invitation is no longer pending."""
    return Invitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(payload=payload)


def account_pseudonymise(*, user: User, pseudonym_email: str) -> int:
    """Replaces the person's identity by a pseudonym: memberships, invitations to their address,
    email addresses and second factors go; names become "Former member #id"; the account can no
    longer sign in (every session stops at its next request). Returns the memberships removed.
    The work they did stays attached to the pseudonym."""
    from allauth.mfa.models import Authenticator

    former_email = user.email
    memberships = Membership.objects.filter(user=user).count()
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(Q(email__iexact=former_email) | Q(accepted_by=user)).update(
        email=pseudonym_email, payload={}
    )
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = pseudonym_email
    user.first_name = "Former member"
    user.last_name = f"#{user.pk}"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    _forget_roles(user)
    return memberships


def invitations_stale_delete(*, older_than: timedelta, now: datetime) -> int:
    """Removes the invitations expired (never answered past their validity) or revoked more than
    `older_than` ago; returns how many."""
    expiry = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    removed, _detail = Invitation.objects.filter(
        Q(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            created_at__lt=now - expiry - older_than,
        )
        | Q(accepted_at__isnull=True, revoked_at__lt=now - older_than)
    ).delete()
    return removed


def consultant_membership_remove(*, user: User, organisation_id: int) -> None:
    """Removes a consultant's membership of a firm (a roster row nobody used, at retention)."""
    Membership.objects.filter(
        user=user, organisation_id=organisation_id, role=Role.CONSULTANT
    ).delete()
    _forget_roles(user)


def account_delete_unused(*, user: User) -> None:
    """Deletes an account that nothing holds (never used: checked by the caller)."""
    user.delete()


def audit_events_expire(*, older_than: timedelta, now: datetime) -> int:
    """The security log keeps each event for `older_than` (the privacy notice says how long),
    then the event goes: the one deletion the append-only log allows. Returns how many."""
    expired = AuditEvent.objects.filter(at__lt=now - older_than)
    removed, _detail = models.QuerySet.delete(expired)
    return removed
