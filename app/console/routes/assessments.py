"""``/console/assessments/new``: one learner's result against a micro-credential, recorded as the API records it
(the same ``AssessmentInput``, the same ``record_assessment``), then the credentials it issued and their claim link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.achievements.microcredentials import get_spec, list_specs
from app.api.deps import RuntimeDep, SessionDep
from app.assessments.inputs import AssessmentInput
from app.assessments.service import AssessmentResult, record_assessment
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleIssuer, StaffContext
from app.console.forms import form_errors, parse_form
from app.console.outcomes import outcomes_of, page_language
from app.console.render import console_page
from app.db.models import Credential, MicroCredentialSpec
from app.errors import InvalidInput
from app.runtime import Runtime
from app.staff.audit import record
from app.wallet.claims import claim_state, current_link

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)

SPECS_LISTED = 500
OUTCOMES = "achievedOutcomes"
# Every other field of AssessmentInput is one text input of the form.
TEXT_FIELDS = [name for name in AssessmentInput.model_fields if name != OUTCOMES]


async def posted_form(request: Request) -> FormData:
    """The posted form (parsed once per request: the CSRF check reads the same one)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@router.get("/assessments/new", response_class=HTMLResponse)
def new_assessment(
    request: Request, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep, spec: str = ""
) -> Response:
    if not spec:
        specs = list_specs(session, staff.issuer, limit=SPECS_LISTED, offset=0)
        return console_page(request, "assessment_choose.html", {"specs": specs}, staff)
    return _form(request, staff, runtime, get_spec(session, staff.issuer, spec), {OUTCOMES: []}, {})


@router.post("/assessments/new", response_class=HTMLResponse)
def create_assessment(
    request: Request, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep, form: PostedForm
) -> Response:
    spec = get_spec(session, staff.issuer, str(form.get("spec_id", "")))
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in TEXT_FIELDS}
    values[OUTCOMES] = [str(outcome) for outcome in form.getlist(OUTCOMES)]
    try:
        data = parse_form(AssessmentInput, values)
        result = record_assessment(session, staff.issuer, spec, data, runtime.issuance_context())
    except (ValidationError, InvalidInput) as error:
        return _form(request, staff, runtime, spec, values, form_errors(error), status_code=422)
    claim: dict[str, Any] = {}
    if result.created:
        if result.credentials:  # the learner's claim link, as the API makes it
            claim = runtime.new_claim_link(session, result.credentials[0], str(data.email))
        detail = {
            "microcredential": spec.id,
            "reference": data.reference,
            "outcome": result.assessment.outcome,
            "credentials": [credential.id for credential in result.credentials],
        }
        record(session, staff.actor, staff.issuer.id, "assessment.record", f"assessment:{result.assessment.id}", detail)
    context = {
        "spec": spec,
        "learner": f"{data.givenName} {data.familyName}",
        "email": str(data.email),
        "result": result,
        "credentials": [_links(credential, runtime.settings.public_url) for credential in result.credentials],
        "larger": [_links(credential, runtime.settings.public_url) for credential in result.larger],
        "claim": claim,
        "claim_state": _claim_state(session, result, runtime),
    }
    return console_page(request, "assessment_result.html", context, staff)


def _form(
    request: Request,
    staff: StaffContext,
    runtime: Runtime,
    spec: MicroCredentialSpec,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "spec": spec,
        "outcomes": outcomes_of(spec, page_language(request, staff), runtime.settings.public_url),
        "values": {name: "" for name in TEXT_FIELDS} | values,
        "errors": errors,
    }
    return console_page(request, "assessment_form.html", context, staff, status_code)


def _links(credential: Credential, public_url: str) -> dict[str, str]:
    page = f"{public_url}/v/{credential.public_token}"
    return {
        "id": credential.id,
        "format": credential.format,
        "verify": page,
        "json": f"{page}.json",
        "pdf": f"{page}/certificate.pdf",
    }


def _claim_state(session: Session, result: AssessmentResult, runtime: Runtime) -> dict[str, Any] | None:
    """The state now of the OB 3.0 credential's claim link (a result recorded before has one already)."""
    ob3 = next((c for c in result.credentials if c.format == "ob3"), None)
    link = current_link(session, ob3.id) if ob3 is not None else None
    if link is None:
        return None
    return {"state": claim_state(link, runtime.clock()).value, "sent_at": link.sent_at, "expires_at": link.expires_at}
