"""A whole cohort (JSON rows or CSV): every row validated, good rows issued, bad rows reported, chunk by chunk.

Each chunk commits on its own, so a crash mid-cohort loses none of the chunks already done, and sending the same
cohort again issues nothing twice (rows are idempotent on specification + learner + reference). A job
(``app/jobs``) runs the same chunks on workers; ``run_cohort`` runs them here, for small batches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.assessments.batch import AfterIssue, RowOutcome, process_chunk
from app.credentials.microcredential_issuance import IssuanceContext
from app.errors import InvalidInput

MAX_ROWS = 50_000
CHUNK_ROWS = 50
Transaction = Callable[[], AbstractContextManager[Session]]


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

    def add(self, outcomes: list[RowOutcome], *, with_claims: bool) -> None:
        """Counts ``outcomes`` in; ``with_claims`` puts each row's claim link into its report row."""
        for outcome in outcomes:
            self.received += 1
            self.errors += [RowError(outcome.number, where, message) for where, message in outcome.errors]
            if outcome.report is not None:
                self.rows.append(outcome.report | (outcome.claim if with_claims else {}))
            self.larger_issued += outcome.larger
            if outcome.kind == "issued":
                self.issued += 1
            elif outcome.kind == "not_awarded":
                self.not_awarded += 1
            elif outcome.kind == "already_recorded":
                self.already_recorded += 1


def parse_csv(text: str) -> list[dict[str, Any]]:
    """CSV with a header row of the JSON field names; ``;`` or ``,`` separated; lists as ``LO1;LO2`` when ``,``."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # More cells than the header has columns are kept under "extraCells", which validation then refuses by name.
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, restkey="extraCells")
    if not reader.fieldnames:
        raise InvalidInput("the CSV has no header row", field="body")
    rows = [dict(row) for row in reader]
    if not rows:
        raise InvalidInput("the CSV has a header row and no rows", field="body")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"a cohort has at most {MAX_ROWS} rows", field="body")
    return rows


def chunks(rows: list[Any], size: int = CHUNK_ROWS) -> list[list[tuple[int, Any]]]:
    """The rows numbered from 1, in slices of ``size``."""
    numbered = list(enumerate(rows, start=1))
    return [numbered[start : start + size] for start in range(0, len(numbered), size)]


def run_cohort(
    rows: list[dict[str, Any]],
    *,
    transaction: Transaction,
    issuer_id: str,
    spec_id: str,
    context: Callable[[], IssuanceContext],
    after_issue: AfterIssue | None = None,
) -> CohortReport:
    """The cohort in this process, chunk after chunk (each chunk with one clock reading)."""
    report = CohortReport()
    for chunk in chunks(rows):
        outcomes = process_chunk(
            chunk,
            transaction=transaction,
            issuer_id=issuer_id,
            spec_id=spec_id,
            context=context(),
            after_issue=after_issue,
        )
        report.add(outcomes, with_claims=True)
    return report
