"""Sign-ins, sign-in failures, sign-outs and second-factor changes, written to the audit log.

These are receivers of Django's and allauth's signals, not business rules: they only record."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from relais.accounts.audit import audit
from relais.accounts.models import User


def _user(user: object) -> User | None:
    return user if isinstance(user, User) else None


def _request(request: object) -> HttpRequest | None:
    return request if isinstance(request, HttpRequest) else None


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender: Any, request: object = None, user: object = None, **kwargs: Any) -> None:
    person = _user(user)
    audit(
        "auth.sign_in",
        actor=person,
        target=person.email if person else "",
        request=_request(request),
    )


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_sign_out")
def record_sign_out(
    sender: Any, request: object = None, user: object = None, **kwargs: Any
) -> None:
    person = _user(user)
    if person is not None:
        audit("auth.sign_out", actor=person, target=person.email, request=_request(request))


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_sign_in_failure(
    sender: Any, credentials: dict[str, Any] | None = None, request: object = None, **kwargs: Any
) -> None:
    # Django has already masked the password; keep only the address that was tried.
    credentials = credentials or {}
    tried = credentials.get("email") or credentials.get("username") or ""
    audit(
        "auth.sign_in_failed",
        target=str(tried).strip().lower()[:200],
        request=_request(request),
    )


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
@receiver(account_signals.password_set, dispatch_uid="audit_password_set")
def record_password_changed(
    sender: Any, request: object = None, user: object = None, **kwargs: Any
) -> None:
    person = _user(user)
    audit(
        "auth.password_changed",
        actor=person,
        target=person.email if person else "",
        request=_request(request),
    )


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def record_password_reset(
    sender: Any, request: object = None, user: object = None, **kwargs: Any
) -> None:
    person = _user(user)
    audit(
        "auth.password_reset",
        actor=person,
        target=person.email if person else "",
        request=_request(request),
    )


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def record_second_factor(
    sender: Any,
    signal: Any = None,
    request: object = None,
    user: object = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    actions = {
        mfa_signals.authenticator_added: "auth.mfa_added",
        mfa_signals.authenticator_removed: "auth.mfa_removed",
        mfa_signals.authenticator_reset: "auth.mfa_reset",
        mfa_signals.authentication_failed: "auth.mfa_failed",
    }
    person = _user(user)
    audit(
        actions.get(signal, "auth.mfa"),
        actor=person,
        target=person.email if person else "",
        request=_request(request),
        kind=str(getattr(authenticator, "type", "")),
    )


@receiver(account_signals.email_changed, dispatch_uid="audit_email_changed")
def record_email_changed(
    sender: Any,
    request: object = None,
    user: object = None,
    from_email_address: Any = None,
    to_email_address: Any = None,
    **kwargs: Any,
) -> None:
    # The person changed their own address, confirmed from the new mailbox (allauth's flow).
    person = _user(user)
    audit(
        "auth.email_changed",
        actor=person,
        target=person.email if person else "",
        request=_request(request),
        from_email=str(getattr(from_email_address, "email", "")),
        to_email=str(getattr(to_email_address, "email", "")),
    )
