"""Credentials: issued when a mission ends, verified by a verifier written here (not the signing
code), revoked through the status list."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse

from relais.impact import services, signing
from relais.impact.models import Credential, SigningKey
from relais.impact.tests.conftest import end, finish_task

pytestmark = pytest.mark.django_db


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_verify(compact: str, jwks: dict) -> dict:
    """Parses the compact JWS by hand and checks it with the JWK set's key: raises if it fails."""
    header_b64, payload_b64, signature_b64 = compact.split(".")
    header = json.loads(unb64(header_b64))
    assert header["alg"] == "EdDSA"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(unb64(key["x"]))
    public.verify(unb64(signature_b64), f"{header_b64}.{payload_b64}".encode())
    return {"header": header, "payload": json.loads(unb64(payload_b64))}


def status_bit(status_list: dict, index: int) -> bool:
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"  # multibase base64url
    bits = gzip.decompress(unb64(encoded[1:]))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_a_mission_that_ends_gets_a_credential_that_an_independent_verifier_accepts(
    client, django_capture_on_commit_callbacks, mission, fabien, bob
):
    finish_task(fabien, bob, mission.project)
    with django_capture_on_commit_callbacks(execute=True):
        end(mission)
    credential = Credential.objects.get(mission=mission)
    assert credential.mission_ended
    assert credential.consultant == bob

    jwks = client.get("/.well-known/jwks.json").json()
    verified = independent_verify(credential.jws, jwks)
    header, payload = verified["header"], verified["payload"]
    assert header["typ"] == "vc+jwt"
    assert header["cty"] == "vc"
    assert header["kid"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in payload["@context"][1]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"]["id"].endswith(reverse("impact:issuer"))
    subject = payload["credentialSubject"]
    assert subject["name"] == bob.display_name
    assert float(subject["result"][0]["value"]) == 3
    assert payload["credentialStatus"]["statusListIndex"] == str(credential.status_index)

    # One byte changed anywhere, and the signature no longer holds.
    for position in (5, len(credential.jws) // 2, len(credential.jws) - 3):
        character = credential.jws[position]
        if character == ".":
            continue
        tampered = (
            credential.jws[:position]
            + ("A" if character != "A" else "B")
            + credential.jws[position + 1 :]
        )
        with pytest.raises((InvalidSignature, ValueError, KeyError, StopIteration)):
            independent_verify(tampered, jwks)


def test_the_consultant_is_told_and_a_second_end_issues_nothing(
    django_capture_on_commit_callbacks, mission, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        end(mission)
    assert services.credential_on_mission_end(mission_id=mission.pk) is None
    assert Credential.objects.filter(mission=mission).count() == 1


def test_the_api_serves_the_compact_jws_to_its_holder_only(client, mission, bob, charlie):
    credential = services.credential_issue(consultant=bob, mission=mission)
    client.force_login(bob)
    response = client.get(f"/api/v1/credentials/{credential.public_id}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode() == credential.jws
    listed = client.get("/api/v1/credentials").json()
    assert [item["id"] for item in listed["items"]] == [str(credential.public_id)]
    client.force_login(charlie)
    assert client.get(f"/api/v1/credentials/{credential.public_id}").status_code == 404
    assert client.get("/api/v1/credentials").json()["items"] == []


def test_staff_see_every_credential(client, mission, bob, operator_staff):
    services.credential_issue(consultant=bob, mission=mission)
    client.force_login(operator_staff)
    assert client.get("/api/v1/credentials").json()["count"] == 1


def test_revoking_sets_the_bit_and_the_public_page_says_so(client, mission, bob, charlie):
    credential = services.credential_issue(consultant=bob, mission=mission)
    page = client.get(reverse("impact:credential", args=[credential.public_id]))
    assert b'data-verification="valid"' in page.content
    assert not status_bit(client.get(reverse("impact:status_list")).json(), credential.status_index)

    client.force_login(charlie)
    refused = client.post(
        f"/api/v1/credentials/{credential.public_id}/revoke", {}, "application/json"
    )
    assert refused.status_code == 404
    client.force_login(bob)
    response = client.post(
        f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": "x"}, "application/json"
    )
    assert response.status_code == 200
    again = client.post(
        f"/api/v1/credentials/{credential.public_id}/revoke", {}, "application/json"
    )
    assert again.status_code == 409
    assert status_bit(client.get(reverse("impact:status_list")).json(), credential.status_index)
    page = client.get(reverse("impact:credential", args=[credential.public_id]))
    assert b'data-verification="revoked"' in page.content


def test_the_verification_page_tells_a_forged_credential(client, mission, bob):
    credential = services.credential_issue(consultant=bob, mission=mission)
    header, payload, signature = credential.jws.split(".")
    document = json.loads(unb64(payload))
    document["credentialSubject"]["name"] = "Mallory"
    forged = ".".join([header, signing.b64url(json.dumps(document).encode()), signature])
    response = client.post(reverse("impact:verify"), {"jws": forged})
    assert b'data-verification="invalid"' in response.content
    response = client.post(reverse("impact:verify"), {"jws": credential.jws})
    assert b'data-verification="valid"' in response.content
    response = client.post(reverse("impact:verify"), {"jws": "not.a.jws!"})
    assert response.status_code == 200
    assert b'data-verification="invalid"' in response.content


def test_rotation_keeps_old_keys_published_and_their_credentials_valid(client, mission, bob):
    first = services.credential_issue(consultant=bob, mission=mission)
    signing.key_rotate()
    second = services.credential_issue(consultant=bob, mission=mission)
    jwks = client.get("/.well-known/jwks.json").json()
    assert len(jwks["keys"]) == 2
    assert first.key_id != second.key_id
    independent_verify(first.jws, jwks)
    independent_verify(second.jws, jwks)
    first.refresh_from_db()
    assert first.revocation_reason == "superseded"


def test_the_private_key_is_stored_encrypted(mission, bob):
    services.credential_issue(consultant=bob, mission=mission)
    key = SigningKey.objects.get()
    assert key.private_key_encrypted.startswith("gAAAA")  # a Fernet token, never the raw key


def test_only_the_consultant_issues_on_demand_and_only_for_a_started_mission(
    client, mission, bob, alice, charlie
):
    client.force_login(alice)
    assert client.post(f"/api/v1/missions/{mission.pk}/credential").status_code == 403
    client.force_login(charlie)
    assert client.post(f"/api/v1/missions/{mission.pk}/credential").status_code == 404
    client.force_login(bob)
    response = client.post(f"/api/v1/missions/{mission.pk}/credential")
    assert response.status_code == 201
    assert Credential.objects.filter(mission=mission, revoked_at__isnull=True).count() == 1


def test_the_rotation_command_keeps_the_old_key_published(client, mission, bob):
    from django.core.management import call_command

    first = services.credential_issue(consultant=bob, mission=mission)
    call_command("rotate_signing_key")
    jwks = client.get("/.well-known/jwks.json").json()
    assert len(jwks["keys"]) == 2
    independent_verify(first.jws, jwks)
