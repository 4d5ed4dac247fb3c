"""RFC 3161 time-stamps: a request, the token in a TSA's response, and the verification of a token over given bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import rfc3161_client
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from app.errors import TimestampError


@dataclass(frozen=True)
class TimestampRequest:
    """A DER ``TimeStampReq`` (SHA-256 imprint, a nonce, certReq true) and the nonce the answer must repeat."""

    der: bytes
    nonce: int


@dataclass(frozen=True)
class VerifiedTimestamp:
    """A token whose imprint matches the data and whose TSA signature verifies (see ``verify_token``)."""

    token: bytes  # DER ContentInfo (SignedData over TSTInfo), as JAdES carries it in tstTokens[].val
    gen_time: datetime
    tsa: str  # the TSA certificate's subject (RFC 4514)
    tsa_certificate: x509.Certificate
    certificates: tuple[x509.Certificate, ...]  # what the token carries, the TSA certificate included
    serial_number: int
    policy: str


def timestamp_request(data: bytes) -> TimestampRequest:
    """A request over the SHA-256 digest of ``data``; the TSA is asked to include its certificate (certReq)."""
    request = (
        rfc3161_client.TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(rfc3161_client.HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    assert request.nonce is not None  # asked for above
    return TimestampRequest(der=request.as_bytes(), nonce=request.nonce)


def token_from_response(response: bytes, request: TimestampRequest) -> bytes:
    """The token in a ``TimeStampResp`` answering ``request``; ``TimestampError`` if refused or not the answer."""
    try:
        # TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }: a refusal has no token.
        parts = core.Sequence.load(response)
        status = tsp.PKIStatusInfo.load(parts[0].dump())
        if status["status"].native not in ("granted", "granted_with_mods"):
            reason = "; ".join(status["status_string"].native or []) or str(status["status"].native)
            raise TimestampError(f"the time-stamp authority refused the request: {reason}")
        token = _der_ordered(cms.ContentInfo.load(parts[1].dump()))
        decoded = rfc3161_client.decode_timestamp_response(
            tsp.TimeStampResp({"status": status, "time_stamp_token": token}).dump()
        )
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise TimestampError(f"the time-stamp authority's answer is not an RFC 3161 response: {error}") from error
    if decoded.tst_info.nonce != request.nonce:
        raise TimestampError("the time-stamp authority's answer does not repeat the request's nonce")
    return bytes(token.dump())


def verify_token(token: bytes, data: bytes, *, certificates: Sequence[x509.Certificate] = ()) -> VerifiedTimestamp:
    """Check that ``token`` time-stamps exactly ``data`` and is signed by a time-stamping unit.

    Verified: the message imprint (SHA-256/384/512) equals the digest of ``data``; the CMS signature over the
    TSTInfo verifies with the TSA certificate, whose chain is built from the token's certificates and
    ``certificates`` up to a self-signed one and is valid at ``genTime``; the TSA certificate has the critical
    timeStamping extended key usage (RFC 3161 §2.3). Not decided here: whether that root is trusted (the trusted
    lists do that). ``TimestampError`` says which part failed.
    """
    try:
        content = cms.ContentInfo.load(token)
        if content["content_type"].native != "signed_data":
            raise TimestampError("a time-stamp token is a CMS SignedData")
        response = rfc3161_client.decode_timestamp_response(
            tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": _der_ordered(content)}).dump()
        )
        carried = [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]
    except (ValueError, TypeError, KeyError) as error:
        raise TimestampError(f"the time-stamp token cannot be read: {error}") from error
    pool = _unique([*carried, *certificates])
    roots = [certificate for certificate in pool if _self_signed(certificate)]
    if not roots:
        raise TimestampError(
            "the time-stamp authority's certificate chain does not reach a root certificate carried in the token "
            "or the seal"
        )
    builder = rfc3161_client.VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    for other in pool:
        if other not in roots:
            builder = builder.add_intermediate_certificate(other)
    try:
        builder.build().verify_message(response, data)
    except rfc3161_client.VerificationError as error:
        message = str(error)
        if "Mismatch between messages" in message:
            raise TimestampError("the time-stamp is over other data: its message imprint does not match") from error
        raise TimestampError(f"the time-stamp token does not verify: {message}") from error
    info = response.tst_info
    tsa_certificate = _signer(response, pool)
    return VerifiedTimestamp(
        token=token,
        gen_time=info.gen_time,
        tsa=tsa_certificate.subject.rfc4514_string(),
        tsa_certificate=tsa_certificate,
        certificates=tuple(carried),
        serial_number=info.serial_number,
        policy=info.policy.dotted_string,
    )


def _der_ordered(content: cms.ContentInfo) -> cms.ContentInfo:
    """The token with its certificate SET in DER order, which rfc3161-client insists on.

    OpenSSL's TSA (and others) send the certificates unsorted; the TSA's signature does not cover them.
    """
    signed = content["content"]
    certificates = signed["certificates"]
    if len(certificates) < 2:
        return content
    fields = {name: signed[name] for name in signed if name != "certificates" and signed[name].native is not None}
    ordered = cms.SignedData(fields | {"certificates": sorted(certificates, key=lambda choice: choice.dump())})
    return cms.ContentInfo({"content_type": "signed_data", "content": ordered})


def _signer(response: rfc3161_client.TimeStampResponse, pool: Sequence[x509.Certificate]) -> x509.Certificate:
    [signer_info] = response.signed_data.signer_infos  # exactly one: verify_message checked it
    for certificate in pool:
        if certificate.issuer == signer_info.issuer and certificate.serial_number == signer_info.serial_number:
            return certificate
    raise TimestampError("the time-stamp token does not carry the TSA certificate that signed it")


def _self_signed(certificate: x509.Certificate) -> bool:
    if certificate.subject != certificate.issuer:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _unique(certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    seen: dict[bytes, x509.Certificate] = {}
    for certificate in certificates:
        seen.setdefault(certificate.public_bytes(Encoding.DER), certificate)
    return list(seen.values())
