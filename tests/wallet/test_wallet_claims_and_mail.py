"""Claim link states, the holder-bound copy of a credential, and the e-mails, without HTTP or a database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.config import Settings
from app.db.models import ClaimLink, Credential
from app.wallet.binding import check_bindable, holder_bound_document
from app.wallet.claims import MAX_TX_CODE_FAILURES, ClaimState, IssuedLink, claim_state, hash_secret
from app.wallet.delivery import deliver
from app.wallet.mail import Mailer, claim_link_message, tx_code_message
from app.wallet.oid4vci import ProtocolError

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _link(**over: Any) -> ClaimLink:
    fields: dict[str, Any] = {
        "id": "link-1",
        "credential_id": "credential-1",
        "token_hash": hash_secret("token"),
        "email": "learner@example.org",
        "tx_code_failures": 0,
        "expires_at": NOW + timedelta(days=30),
        "used_at": None,
        "replaced_at": None,
    }
    return ClaimLink(**(fields | over))


@pytest.mark.parametrize(
    ("over", "state"),
    [
        ({}, ClaimState.OPEN),
        ({"used_at": NOW}, ClaimState.USED),
        ({"tx_code_failures": MAX_TX_CODE_FAILURES}, ClaimState.LOCKED),
        ({"expires_at": NOW}, ClaimState.EXPIRED),
        ({"used_at": NOW, "expires_at": NOW - timedelta(seconds=1)}, ClaimState.EXPIRED),
        ({"replaced_at": NOW, "used_at": NOW}, ClaimState.REPLACED),
    ],
    ids=["open", "used", "locked", "expired", "used-then-expired", "replaced"],
)
def test_claim_states(over: dict[str, Any], state: ClaimState) -> None:
    assert claim_state(_link(**over), NOW) == state


def test_secrets_are_kept_as_sha256() -> None:
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


ORIGINAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:original",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:college.example:issuers:1", "name": "College"},
    "credentialSubject": {"type": ["AchievementSubject"], "name": "Sanne", "achievement": {"name": "Welding"}},
    "credentialStatus": {"type": "BitstringStatusListEntry", "statusListIndex": "7"},
    "proof": [{"type": "DataIntegrityProof"}],
}


def test_the_holder_bound_copy_keeps_content_and_status_and_changes_only_id_and_subject_id() -> None:
    copy = holder_bound_document(ORIGINAL, "did:key:z6MkHolder", "new-id")
    assert "proof" not in copy and copy["id"] == "urn:uuid:new-id"
    assert next(iter(copy["credentialSubject"])) == "id"
    assert copy["credentialSubject"] == {"id": "did:key:z6MkHolder"} | ORIGINAL["credentialSubject"]
    assert copy["credentialStatus"] == ORIGINAL["credentialStatus"]
    assert {k: v for k, v in copy.items() if k not in ("id", "credentialSubject")} == {
        k: v for k, v in ORIGINAL.items() if k not in ("id", "credentialSubject", "proof")
    }
    assert "id" not in ORIGINAL["credentialSubject"]  # the original is not touched


def test_a_credential_issued_to_a_did_binds_only_to_that_did() -> None:
    document = ORIGINAL | {"credentialSubject": ORIGINAL["credentialSubject"] | {"id": "did:key:z6MkOwner"}}
    credential = Credential(id="c", document=document)
    check_bindable(credential, "did:key:z6MkOwner")
    with pytest.raises(ProtocolError) as raised:
        check_bindable(credential, "did:key:z6MkStranger")
    assert raised.value.code == "invalid_proof"


def test_names_cannot_inject_mail_headers() -> None:
    message = claim_link_message(
        to="learner@example.org",
        learner="Sanne",
        achievement="Welding\r\nBcc: everyone@example.org",
        issuer="College",
        url="https://college.example/claim/t",
        expires_at=datetime(2026, 12, 22, tzinfo=UTC),
        pin_follows=False,
    )
    assert message["Subject"] == "Your credential from College: Welding Bcc: everyone@example.org"
    assert "Bcc" not in message.keys()  # noqa: SIM118 - EmailMessage is not a dict
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "PIN" not in text and "22 December 2026" in text
    pin = tx_code_message(to="learner@example.org", achievement="Welding", issuer="College", tx_code="012345")
    pin_text = pin.get_body(preferencelist=("plain",)).get_content()
    assert "012345" in pin_text and "/claim/" not in pin_text


def test_the_mailer_comes_from_settings_and_keeps_its_password_out_of_reprs() -> None:
    assert Mailer.from_settings(Settings()) is None
    settings = Settings(smtp_host="smtp.college.example", smtp_username="vetcred", smtp_password="s3cret-pass")
    mailer = Mailer.from_settings(settings)
    assert mailer is not None and mailer.password == "s3cret-pass" and mailer.port == 587 and mailer.starttls
    assert mailer.sender == "vetcred <no-reply@127.0.0.1>"
    assert "s3cret" not in repr(mailer) and "s3cret" not in repr(settings)


def test_pins_are_on_by_default_only_when_they_can_be_mailed() -> None:
    assert Settings().tx_code_required is False
    assert Settings(smtp_host="smtp.example").tx_code_required is True
    assert Settings(claim_tx_code="on").tx_code_required is True
    assert Settings(smtp_host="smtp.example", claim_tx_code="off").tx_code_required is False


def test_without_a_mailer_the_link_goes_back_to_the_caller_and_not_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    issued = IssuedLink(link=_link(), token="tok", tx_code="123456")
    with caplog.at_level(logging.INFO, logger="vetcred.wallet"):
        delivery = deliver(issued, ORIGINAL, mailer=None, public_url="https://college.example", now=NOW)
    assert delivery.emailed is False
    assert delivery.claim_url == "https://college.example/claim/tok" and delivery.tx_code == "123456"
    assert "/claim/tok" not in caplog.text and "123456" not in caplog.text and "not e-mailed" in caplog.text
