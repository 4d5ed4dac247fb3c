"""A whole cohort in one request (JSON rows or CSV): every row validated, good rows issued, bad rows reported.

Each row is its own transaction, so a crash mid-batch loses none of the rows already done, and sending the same
cohort again issues nothing twice (rows are idempotent on specification + learner + reference).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.achievements.microcredentials import get_spec
from app.assessments.inputs import AssessmentInput
from app.assessments.service import record_assessment
from app.credentials.microcredential_issuance import IssuanceContext
from app.db import models as db
from app.errors import InvalidInput, VetcredError

MAX_ROWS = 10_000
Transaction = Callable[[], AbstractContextManager[Session]]
# Called in the row's transaction for each newly issued OB 3.0 credential (the learner's claim link); what it
# returns is added to the row's report.
AfterIssue = Callable[[Session, db.Credential, str], dict[str, Any]]


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = the first row of the cohort (for CSV: the first line after the header)
    field: str
    message: str


@dataclass
class CohortReport:
    received: int = 0
    issued: int = 0  # rows that issued a micro-credential now
    not_awarded: int = 0  # rows recorded whose outcomes do not justify a credential (the issuer's policy)
    already_recorded: int = 0  # rows sent before: nothing issued again
    larger_issued: int = 0  # stacked credentials completed by this cohort
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def parse_csv(text: str) -> list[dict[str, Any]]:
    """CSV with a header row of the JSON field names; ``;`` or ``,`` separated; lists as ``LO1;LO2`` when ``,``."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # More cells than the header has columns are kept under "extraCells", which validation then refuses by name.
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, restkey="extraCells")
    if not reader.fieldnames:
        raise InvalidInput("the CSV has no header row", field="body")
    return [dict(row) for row in reader]


def run_cohort(
    rows: Iterable[dict[str, Any]],
    *,
    transaction: Transaction,
    issuer_id: str,
    spec_id: str,
    context: Callable[[], IssuanceContext],
    after_issue: AfterIssue | None = None,
) -> CohortReport:
    report = CohortReport()
    for number, raw in enumerate(rows, start=1):
        report.received += 1
        if number > MAX_ROWS:
            report.errors.append(RowError(number, "body", f"a cohort has at most {MAX_ROWS} rows"))
            continue
        try:
            data = AssessmentInput.model_validate(raw)
        except ValidationError as error:
            report.errors += [
                RowError(number, ".".join(str(p) for p in e["loc"]) or "row", e["msg"]) for e in error.errors()
            ]
            continue
        try:
            with transaction() as session:
                issuer = session.get(db.Issuer, issuer_id)
                assert issuer is not None
                result = record_assessment(session, issuer, get_spec(session, issuer, spec_id), data, context())
                row: dict[str, Any] = {
                    "row": number,
                    "reference": data.reference,
                    "email": str(data.email),
                    "assessmentId": result.assessment.id,
                    "outcome": result.assessment.outcome,
                    "new": result.created,
                    "credentialIds": [c.id for c in result.credentials],
                }
                if after_issue and result.created and result.credentials:
                    row |= after_issue(session, result.credentials[0], str(data.email))
                report.rows.append(row)
        except InvalidInput as error:
            report.errors.append(RowError(number, error.field or "row", error.detail))
            continue
        except VetcredError as error:
            report.errors.append(RowError(number, "row", error.detail))
            continue
        if not result.created:
            report.already_recorded += 1
        elif result.assessment.outcome == "issued":
            report.issued += 1
        else:
            report.not_awarded += 1
        report.larger_issued += len(result.larger)
    return report
