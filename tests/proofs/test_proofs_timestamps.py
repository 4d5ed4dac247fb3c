"""RFC 3161 tokens from the Commission's sealed EDCs (a Nowina test TSA) verify over what JAdES says they cover."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, tsp

from app.errors import TimestampError
from app.proofs.jades import verify_seal
from app.proofs.timestamps import TimestampRequest, token_from_response, verify_token

EDC = Path(__file__).resolve().parents[1] / "vectors" / "edc"
SAMPLE = json.loads((EDC / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8"))
GOOD_TSA = "C=LU,OU=PKI-TEST,O=Nowina Solutions,CN=good-tsa"


def _b64url_json(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _unsigned(name: str) -> dict[str, Any]:
    return next(item[name] for item in map(_b64url_json, SAMPLE["signatures"][0]["header"]["etsiU"]) if name in item)


def _token(container: dict[str, Any]) -> bytes:
    return base64.b64decode(container["tstTokens"][0]["val"])


def _archive_input() -> bytes:
    entry = SAMPLE["signatures"][0]
    preceding = "".join(entry["header"]["etsiU"][:3])  # sigTst, xVals, rVals
    return f"{SAMPLE['payload']}.{entry['protected']}.{entry['signature']}.{preceding}".encode()


CASES = {
    # name: (token, the bytes TS 119 182-1 says it covers, genTime)
    "sigTst": (lambda: _token(_unsigned("sigTst")), lambda: SAMPLE["signatures"][0]["signature"].encode(), 20),
    "adoTst": (
        lambda: _token(_b64url_json(SAMPLE["signatures"][0]["protected"])["adoTst"]),
        lambda: SAMPLE["payload"].encode(),
        17,
    ),
    "arcTst": (lambda: _token(_unsigned("arcTst")), _archive_input, 20),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_commission_samples_time_stamps_verify(name: str) -> None:
    token, covered, second = CASES[name]
    stamped = verify_token(token(), covered())
    assert stamped.gen_time == datetime(2023, 9, 27, 11, 54, second, tzinfo=UTC)
    assert stamped.tsa == GOOD_TSA
    assert stamped.tsa_certificate.subject.rfc4514_string() == GOOD_TSA


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_changed_byte_in_the_data_fails(name: str) -> None:
    token, covered, _ = CASES[name]
    data = bytearray(covered())
    data[len(data) // 2] ^= 0x01
    with pytest.raises(TimestampError, match="message imprint does not match"):
        verify_token(token(), bytes(data))


@pytest.mark.parametrize("where", ["genTime", "signature"])
def test_a_changed_byte_in_the_token_fails(where: str) -> None:
    token = bytearray(_token(_unsigned("sigTst")))
    if where == "genTime":
        position = token.find(b"20230927115420Z")
        token[position + 13] = ord("1")
    else:
        token[-20] ^= 0x01  # the SignerInfo's signature value is the token's last element
    with pytest.raises(TimestampError, match="does not verify"):
        verify_token(bytes(token), SAMPLE["signatures"][0]["signature"].encode())


def test_a_refusal_or_another_requests_answer_is_an_error() -> None:
    content = cms.ContentInfo.load(_token(_unsigned("sigTst")))
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["bad request"]}).dump()
    refused = bytes([0x30, len(status)]) + status  # TimeStampResp without its optional token
    with pytest.raises(TimestampError, match="refused the request: bad request"):
        token_from_response(refused, TimestampRequest(der=b"", nonce=1))
    granted = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": content}).dump()
    with pytest.raises(TimestampError, match="nonce"):
        token_from_response(granted, TimestampRequest(der=b"", nonce=1))


def test_a_changed_archive_time_stamp_leaves_the_sample_at_lt() -> None:
    changed = json.loads(json.dumps(SAMPLE))
    etsiu = changed["signatures"][0]["header"]["etsiU"]
    archive = _b64url_json(etsiu[3])
    token = bytearray(_token(archive["arcTst"]))
    token[-20] ^= 0x01
    archive["arcTst"]["tstTokens"][0]["val"] = base64.b64encode(bytes(token)).decode()
    etsiu[3] = base64.urlsafe_b64encode(json.dumps(archive).encode()).rstrip(b"=").decode()
    report = verify_seal(changed, trusted_lists=None, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.valid and report.level == "LT"
    assert "archive time-stamp does not verify" in report.level_reason
    assert report.archive_timestamp is not None and not report.archive_timestamp.valid


def test_revocation_data_that_is_removed_leaves_the_sample_at_t() -> None:
    changed = json.loads(json.dumps(SAMPLE))
    etsiu = changed["signatures"][0]["header"]["etsiU"]
    revocation = _b64url_json(etsiu[2])
    del revocation["rVals"]["ocspVals"]  # the seal certificate's OCSP response
    etsiu[2] = base64.urlsafe_b64encode(json.dumps(revocation).encode()).rstrip(b"=").decode()
    report = verify_seal(changed, trusted_lists=None, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.valid and report.level == "T", report.level_reason
    assert "TEST SEAL" in report.level_reason


def test_a_date_time_before_the_year_1000_keeps_four_digits() -> None:
    """XML Schema dateTime years have at least four digits; strftime wrote the year 40 as "40" (a 500 found by
    schemathesis: the OB 3.0 schema refused the credential)."""
    from app.proofs.data_integrity import is_xsd_datetime, xsd_datetime

    written = xsd_datetime(datetime(40, 2, 25, 19, 7, 1, 149_576, tzinfo=UTC))
    assert written == "0040-02-25T19:07:01Z" and is_xsd_datetime(written)
    assert xsd_datetime(datetime(2026, 11, 29, 6, 0, 0, 5, tzinfo=UTC)) == "2026-11-29T06:00:00Z"
