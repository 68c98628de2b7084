"""The operator's Ed25519 signing keys and VC-JOSE compact JWS (RFC 7515, alg EdDSA, RFC 8037).

The private keys are stored encrypted with Fernet under a key derived from SECRET_KEY (HKDF-SHA256,
its own `info`): signing needs both the database and the settings. Changing SECRET_KEY makes the
stored private keys unreadable: the next signature then rotates to a fresh key, and the old public
keys stay published, so every credential issued before still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from relais.impact.models import SigningKey

HEADER_TYP = "vc+jwt"
HEADER_CTY = "vc"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fernet() -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"relais.impact.signing-key"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def thumbprint(x: str) -> str:
    """The RFC 7638 thumbprint of an OKP/Ed25519 key: the key's id (`kid`)."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def _private(key: SigningKey) -> Ed25519PrivateKey | None:
    try:
        raw = _fernet().decrypt(key.private_key_encrypted.encode())
    except InvalidToken:
        return None
    return Ed25519PrivateKey.from_private_bytes(raw)


def key_rotate() -> SigningKey:
    """Retires the active key (it stays published) and makes a new one."""
    with transaction.atomic():
        SigningKey.objects.select_for_update().filter(retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        private = Ed25519PrivateKey.generate()
        raw_public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        raw_private = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        x = b64url(raw_public)
        return SigningKey.objects.create(
            kid=thumbprint(x),
            public_key=x,
            private_key_encrypted=_fernet().encrypt(raw_private).decode(),
        )


def active_key() -> tuple[SigningKey, Ed25519PrivateKey]:
    """The key that signs now, made on first use (or when SECRET_KEY changed)."""
    key = SigningKey.objects.filter(retired_at__isnull=True).first()
    private = _private(key) if key is not None else None
    if key is None or private is None:
        key = key_rotate()
        private = _private(key)
        assert private is not None
    return key, private


def jwks() -> dict[str, Any]:
    """Every public key, the retired ones included, as a JWK set."""
    if not SigningKey.objects.exists():
        active_key()
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": k.public_key,
                "kid": k.kid,
                "use": "sig",
                "alg": "EdDSA",
            }
            for k in SigningKey.objects.order_by("created_at", "id")
        ]
    }


def sign(payload: dict[str, Any]) -> tuple[str, SigningKey]:
    """The payload as a compact JWS signed with the active key."""
    key, private = active_key()
    header = {"alg": "EdDSA", "typ": HEADER_TYP, "cty": HEADER_CTY, "kid": key.kid}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = private.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}", key


class Verified:
    """What verifying a compact JWS found: whether the signature holds, with which key, and the
    payload it carries (None when it cannot be read)."""

    def __init__(
        self, *, valid: bool, kid: str = "", payload: dict[str, Any] | None = None, error: str = ""
    ) -> None:
        self.valid, self.kid, self.payload, self.error = valid, kid, payload, error


def verify(compact: str) -> Verified:
    """Checks a compact JWS against the published keys; never raises on bad input."""
    parts = compact.strip().split(".")
    if len(parts) != 3:
        return Verified(valid=False, error="format")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        return Verified(valid=False, error="format")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return Verified(valid=False, error="format")
    kid = str(header.get("kid", ""))
    if header.get("alg") != "EdDSA":
        return Verified(valid=False, kid=kid, payload=payload, error="alg")
    key = SigningKey.objects.filter(kid=kid).first()
    if key is None:
        return Verified(valid=False, kid=kid, payload=payload, error="key")
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(key.public_key))
    try:
        public.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return Verified(valid=False, kid=kid, payload=payload, error="signature")
    return Verified(valid=True, kid=kid, payload=payload)
