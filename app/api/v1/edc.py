"""EDC specifics: a college's e-seal (upload a PKCS#12, or see the current seal) and delivery to Europass wallets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from pydantic import BaseModel

from app.api.deps import CurrentIssuer, RuntimeDep, SessionDep
from app.api.v1.jobs import JobOut, job_out
from app.credentials.issuance import get_credential
from app.db.models import Assessment, Learner, SealMaterial
from app.errors import Conflict, NotFound
from app.issuers.seals import SELF_ISSUED_WARNING, upload_pkcs12
from app.jobs.records import create_delivery_job

router = APIRouter(tags=["EDC"])


class SealOut(BaseModel):
    subject: str
    selfIssued: bool
    mandateStatement: str | None
    notice: str | None


def seal_out(row: SealMaterial) -> dict[str, Any]:
    return {
        "subject": row.subject,
        "selfIssued": row.self_issued,
        "mandateStatement": row.mandate_statement,
        "notice": SELF_ISSUED_WARNING if row.self_issued else None,
    }


@router.put(
    "/api/v1/issuers/me/seal",
    response_model=SealOut,
    summary="Upload the college's e-seal (PKCS#12) for sealing EDCs",
    description="The private key is stored encrypted under the service's master key and never returned. "
    "Without an uploaded seal, EDCs are sealed with a self-issued test certificate, which the Europass "
    "viewer's trust check rejects. The certificate's organizationIdentifier becomes the EDCs' eIDAS identifier "
    "(a certificate without one is refused unless the college registered its legalIdentifier). With a "
    "mandateStatement, the seal is a third party's that seals on the college's behalf: its EDCs name that "
    "sealer as their issuer, the college as awarding body, and carry the statement as Mandate evidence.",
)
def upload_seal(
    file: Annotated[UploadFile, File(description="PKCS#12 (.p12/.pfx) with the RSA key and certificate chain")],
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    password: Annotated[str | None, Form()] = None,
    mandate_statement: Annotated[
        str | None,
        Form(
            alias="mandateStatement",
            min_length=1,
            max_length=5000,
            description="only when a third party seals on the college's behalf: the mandate, e.g. the Commission's "
            "wording 'By applying its electronic seal, the signing organisation certifies the correctness of "
            "origin of each claim, as having been made by the indicated awarding body.'",
        ),
    ] = None,
) -> Any:
    data = file.file.read(1_000_000)
    statement = mandate_statement.strip() if mandate_statement and mandate_statement.strip() else None
    row = upload_pkcs12(
        session,
        issuer,
        data,
        password.encode() if password else None,
        runtime.master_key,
        mandate_statement=statement,
    )
    return seal_out(row)


@router.get("/api/v1/issuers/me/seal", response_model=SealOut, summary="The college's current e-seal")
def read_seal(issuer: CurrentIssuer, session: SessionDep) -> Any:
    row = session.get(SealMaterial, issuer.id)
    if row is None:
        raise NotFound("no e-seal yet: upload one, or the first EDC will be sealed with a self-issued test seal")
    return seal_out(row)


@router.post(
    "/api/v1/credentials/{credential_id}/europass",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a sealed EDC to the learner's Europass wallet (by e-mail address), as a job",
    description="Answers 202 with the job at once; the delivery is retried with backoff while the wallet fails, and "
    "the job ends completed (outcome: the wallet's answer) or failed (error: why).",
)
def deliver(
    credential_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep, response: Response
) -> Any:
    if not runtime.settings.europass_wallet_url:
        raise Conflict("Europass wallet delivery is not configured (set VETCRED_EUROPASS_WALLET_URL)")
    credential = get_credential(session, issuer, credential_id)
    if credential.format != "edc" or not credential.sealed or not credential.assessment_id:
        raise Conflict("only sealed EDC micro-credentials can go to a Europass wallet")
    assessment = session.get(Assessment, credential.assessment_id)
    if assessment is None or session.get(Learner, assessment.learner_id) is None:
        raise NotFound("the learner of this credential is not known")
    job = create_delivery_job(session, issuer, credential.id, now=runtime.clock())
    runtime.queue.defer(session, "europass_delivery", job_id=job.id)
    out = job_out(session, job, runtime.settings.public_url)
    response.headers["Location"] = out["links"]["self"]
    return out
