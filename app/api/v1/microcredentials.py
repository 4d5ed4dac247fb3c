"""``/api/v1/microcredentials``: Annex I specifications, pathways, assessments one by one or by cohort (JSON/CSV)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from app.achievements.microcredential_input import MicroCredentialSpecInput, PathwayInput
from app.achievements.microcredentials import create_spec, get_spec, list_specs, set_pathway
from app.api.deps import MAX_OFFSET, CurrentIssuer, RuntimeDep, SessionDep, own_transactions
from app.api.responses import errors
from app.api.v1.jobs import CohortOut, JobOut, cohort_out, job_out
from app.assessments.cohort import MAX_ROWS, parse_csv, run_cohort
from app.assessments.inputs import AssessmentInput
from app.assessments.service import AssessmentResult, record_assessment
from app.db.models import Credential, Issuer, MicroCredentialSpec
from app.errors import InvalidInput
from app.fields import StrictInput
from app.issuers.seals import SELF_ISSUED_WARNING
from app.jobs.records import create_cohort_job
from app.runtime import Runtime

router = APIRouter(prefix="/api/v1/microcredentials", tags=["micro-credentials"])


class SpecOut(BaseModel):
    id: str
    uri: str
    title: str
    eqfLevel: int | None
    requireAllOutcomes: bool
    pathway: dict[str, Any] | None
    specification: dict[str, Any]
    createdAt: datetime


def spec_out(row: MicroCredentialSpec, public_url: str) -> dict[str, Any]:
    pathway = None
    if row.pathway_part_ids:
        pathway = {"parts": row.pathway_part_ids, "required": row.pathway_required or len(row.pathway_part_ids)}
    return {
        "id": row.id,
        "uri": f"{public_url}/microcredentials/{row.id}",
        "title": row.title,
        "eqfLevel": row.eqf_level,
        "requireAllOutcomes": row.require_all_outcomes,
        "pathway": pathway,
        "specification": row.definition,
        "createdAt": row.created_at,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SpecOut,
    summary="Define a micro-credential (every Annex I mandatory element is required)",
)
def create(body: MicroCredentialSpecInput, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    return spec_out(
        create_spec(session, issuer, body, public_url=runtime.settings.public_url), runtime.settings.public_url
    )


@router.get("", response_model=list[SpecOut])
def list_all(
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    return [
        spec_out(row, runtime.settings.public_url) for row in list_specs(session, issuer, limit=limit, offset=offset)
    ]


@router.get("/{spec_id}", response_model=SpecOut)
def read(spec_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    return spec_out(get_spec(session, issuer, spec_id), runtime.settings.public_url)


@router.put(
    "/{spec_id}/pathway",
    response_model=SpecOut,
    summary="Make this the larger credential of a pathway: issued automatically once the parts are held",
)
def pathway(spec_id: str, body: PathwayInput, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    target = get_spec(session, issuer, spec_id)
    return spec_out(set_pathway(session, issuer, target, body.parts, body.required), runtime.settings.public_url)


def _credential_summary(credential: Credential, public_url: str) -> dict[str, Any]:
    return {
        "id": credential.id,
        "format": credential.format,
        "status": credential.status,
        "verifyUrl": f"{public_url}/v/{credential.public_token}",
        "partIds": credential.part_ids,
    }


class AssessmentOut(BaseModel):
    assessmentId: str
    outcome: str
    new: bool
    credentials: list[dict[str, Any]]
    largerCredentials: list[dict[str, Any]]
    sealNotice: str | None = None
    # Only when the learner's claim link could not be e-mailed (no SMTP configured): hand it over yourself.
    claimUrl: str | None = None
    claimTxCode: str | None = None


def assessment_out(result: AssessmentResult, public_url: str) -> dict[str, Any]:
    return {
        "assessmentId": result.assessment.id,
        "outcome": result.assessment.outcome,
        "new": result.created,
        "credentials": [_credential_summary(c, public_url) for c in result.credentials],
        "largerCredentials": [_credential_summary(c, public_url) for c in result.larger],
        "sealNotice": SELF_ISSUED_WARNING if result.self_issued_seal else None,
    }


@router.post(
    "/{spec_id}/assessments",
    responses=errors(502),
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Record an assessed result; issues the micro-credential (OB 3.0 and EDC) it justifies",
    description="Idempotent on (micro-credential, learner e-mail, reference): a repeat answers 200 with "
    "what the first request recorded and issues nothing.",
)
def assess(
    spec_id: str,
    body: AssessmentInput,
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
) -> Any:
    spec = get_spec(session, issuer, spec_id)
    result = record_assessment(session, issuer, spec, body, runtime.issuance_context())
    if not result.created:
        response.status_code = status.HTTP_200_OK
    claim = {}
    if result.created and result.credentials:  # the learner's claim link for the OB 3.0 credential (docs/wallet.md)
        claim = runtime.new_claim_link(session, result.credentials[0], str(body.email))
    return assessment_out(result, runtime.settings.public_url) | claim


SYNC_MAX_ROWS = 200


@router.post(
    "/{spec_id}/cohort",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={
        200: {"model": CohortOut, "description": "With wait=true: the report of a small cohort issued at once"},
        **errors(502),
    },
    summary='Assessments of a whole cohort as a job: JSON {"rows": [...]} or a CSV body (Content-Type: text/csv)',
    description="Answers 202 at once with the job (Location: /api/v1/jobs/{id}); follow it there, by its events "
    "(Server-Sent Events), and download its result with the claim links. Every row is validated; bad rows are "
    "reported by row number and field without stopping the good ones. Rows are issued chunk by chunk by the workers "
    "(docs/jobs.md), each chunk committed on its own, so a failure mid-way loses nothing and sending the cohort again "
    f"issues nothing twice. wait=true issues a small cohort (at most {SYNC_MAX_ROWS} rows) in the request and "
    "answers 200 with its report. CSV: a header row with the JSON field names; achievedOutcomes as LO1;LO2, or a "
    "column per learning outcome (its id) marked x or yes when achieved (the console's cohort template).",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/AssessmentInput"}}
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
@own_transactions
async def cohort(
    spec_id: str,
    request: Request,
    response: Response,
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    wait: Annotated[bool, Query(description=f"issue in the request (at most {SYNC_MAX_ROWS} rows)")] = False,
) -> Any:
    get_spec(session, issuer, spec_id)  # tenancy: 404 before reading anything
    body = await request.body()
    rows = _cohort_rows(request.headers.get("content-type", ""), body)
    if not wait:
        job = await run_in_threadpool(_enqueue, runtime, issuer.id, spec_id, rows)
        response.headers["Location"] = job["links"]["self"]
        return job
    if len(rows) > SYNC_MAX_ROWS:
        raise InvalidInput(
            f"wait=true takes at most {SYNC_MAX_ROWS} rows ({len(rows)} given): send the cohort as a job", field="wait"
        )
    report = await run_in_threadpool(  # CPU work (signing, sealing) off the event loop; one transaction per chunk
        run_cohort,
        rows,
        transaction=runtime.transaction,
        issuer_id=issuer.id,
        spec_id=spec_id,
        context=runtime.issuance_context,
        after_issue=runtime.new_claim_link,
    )
    return JSONResponse(jsonable_encoder(cohort_out(report)))


def _enqueue(runtime: Runtime, issuer_id: str, spec_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The job and one task per chunk, committed together."""
    with runtime.transaction() as session:
        issuer = session.get(Issuer, issuer_id)
        assert issuer is not None
        job = create_cohort_job(
            session, issuer, spec_id, rows, chunk_rows=runtime.settings.job_chunk_rows, now=runtime.clock()
        )
        for number in range(job.chunk_count):
            runtime.queue.defer(session, "cohort_chunk", job_id=job.id, number=number)
        return job_out(session, job, runtime.settings.public_url)


def _cohort_rows(content_type: str, body: bytes) -> list[dict[str, Any]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the cohort must be UTF-8", field="body") from error
    if content_type.startswith("text/csv"):
        return parse_csv(text)
    try:
        payload = CohortInput.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(first["msg"], field=where) from error
    return payload.rows


class CohortInput(StrictInput):
    """Rows are validated one by one later, so that one bad row does not stop the others."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ROWS)
