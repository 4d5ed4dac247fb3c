"""A cohort judged before anything is issued: which rows will issue, which will be recorded without a credential
(and why), which were recorded before, which have errors. Read-only, by the rules the job applies (``rules.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.council import check_annex_i
from app.assessments.batch import recorded_keys
from app.assessments.cohort import RowError
from app.assessments.inputs import AssessmentInput
from app.assessments.records import domain_spec
from app.assessments.rules import judge, read_row
from app.db import models as db
from app.errors import VetcredError


@dataclass(frozen=True)
class PreviewRow:
    row: int
    reference: str
    name: str
    why: str  # why no credential is issued for it


@dataclass
class CohortPreview:
    total: int = 0
    to_issue: int = 0
    not_awarded: list[PreviewRow] = field(default_factory=list)
    already_recorded: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    refused: str | None = None  # the specification cannot issue at all: every row would fail with this

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})


def preview_cohort(
    session: Session, spec_row: db.MicroCredentialSpec, rows: list[tuple[int, Any]], *, public_url: str
) -> CohortPreview:
    """``rows`` numbered as the job numbers them. A row that repeats an earlier row's learner and reference is
    reported as the job reports it: recorded before (by that row), nothing issued twice."""
    preview = CohortPreview(total=len(rows))
    spec = domain_spec(spec_row, public_url)
    try:
        check_annex_i(spec)
    except VetcredError as error:
        preview.refused = error.detail
    outcome_ids = [outcome.id for outcome in spec.learning_outcomes]
    judged: list[tuple[int, AssessmentInput, str | None]] = []
    for number, raw in rows:
        read = read_row(raw, outcome_ids)
        if read.data is None:
            preview.errors += [RowError(number, where, message) for where, message in read.errors]
            continue
        verdict = judge(read.data, outcome_ids, require_all=spec_row.require_all_outcomes)
        if verdict.error is not None:
            preview.errors.append(RowError(number, *verdict.error))
        else:
            judged.append((number, read.data, verdict.not_awarded))
    before = recorded_keys(session, spec_row.issuer_id, spec_row.id, sorted({_key(data) for _, data, _ in judged}))
    first_row: dict[tuple[str, str], int] = {}
    for number, data, not_awarded in judged:
        key = _key(data)
        name = f"{data.givenName} {data.familyName}"
        if key in before:
            preview.already_recorded.append(PreviewRow(number, data.reference, name, "recorded before"))
        elif key in first_row:
            preview.already_recorded.append(
                PreviewRow(number, data.reference, name, f"the same learner and reference as row {first_row[key]}")
            )
        elif not_awarded is not None:
            preview.not_awarded.append(PreviewRow(number, data.reference, name, not_awarded))
        else:
            preview.to_issue += 1
        first_row.setdefault(key, number)
    if preview.refused:
        preview.to_issue = 0
    return preview


def _key(data: AssessmentInput) -> tuple[str, str]:
    """What a result is recorded once under, within a specification: the learner's e-mail and the reference."""
    return str(data.email).lower(), data.reference
