"""The rules a result is judged by, the same for one assessment, a cohort's job and its preview: the row read
(learning outcomes as columns too), its outcomes known to the specification, awarded or not, and why not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.assessments.inputs import AssessmentInput

# A cell under a learning outcome's column (the cohort template has one per outcome): achieved, or not.
ACHIEVED_MARKS = frozenset({"x", "yes", "y", "1", "true", "✓", "✔"})
NOT_ACHIEVED_MARKS = frozenset({"", "no", "n", "0", "false", "-"})

RowErrors = list[tuple[str, str]]  # (the field or column, the message)


@dataclass(frozen=True)
class ReadRow:
    """A row read: its input when valid, else what is wrong with it (both never at once)."""

    data: AssessmentInput | None
    errors: RowErrors = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """What the specification makes of a valid input: an error (nothing is recorded), recorded without a credential
    (``not_awarded`` says why), or awarded."""

    error: tuple[str, str] | None = None
    not_awarded: str | None = None

    @property
    def awarded(self) -> bool:
        return self.error is None and self.not_awarded is None


def outcome_columns(outcome_ids: Sequence[str]) -> list[str]:
    """The specification's outcome ids that can be columns of a cohort (not one named like a field of a row)."""
    return [outcome for outcome in outcome_ids if outcome not in AssessmentInput.model_fields]


def read_row(raw: Any, outcome_ids: Sequence[str]) -> ReadRow:
    """A cohort row as the college wrote it: ``achievedOutcomes`` as ``LO1;LO2``, or a column per learning outcome
    marked achieved (x, yes, 1, true, ✓) or not (empty, no, 0, false, -). Every fault of the row is reported, each
    naming its field or column."""
    errors: RowErrors = []
    if isinstance(raw, Mapping):
        row = dict(raw)
        columns = [column for column in outcome_columns(outcome_ids) if column in row]
        if columns:
            marked: list[str] = []
            for column in columns:
                value = row.pop(column)
                mark = "" if value is None else str(value).strip()
                if mark.lower() in ACHIEVED_MARKS:
                    marked.append(column)
                elif mark.lower() not in NOT_ACHIEVED_MARKS:
                    message = (
                        f"mark the learning outcome achieved with x or yes, else leave the cell empty; got {mark!r}"
                    )
                    errors.append((column, message))
            if row.get("achievedOutcomes") not in (None, "", []):
                message = "give the achieved outcomes either in their own columns or here, not both"
                errors.append(("achievedOutcomes", message))
            row["achievedOutcomes"] = marked
        raw = row
    try:
        data = AssessmentInput.model_validate(raw)
    except ValidationError as error:
        errors += [(".".join(str(p) for p in e["loc"]) or "row", e["msg"]) for e in error.errors()]
        return ReadRow(None, errors)
    return ReadRow(None, errors) if errors else ReadRow(data)


def judge(data: AssessmentInput, outcome_ids: Sequence[str], *, require_all: bool) -> Verdict:
    """Outcomes the specification does not have are an error; a result is awarded when it achieves at least one
    outcome, and every one of them when the specification requires all."""
    unknown = [outcome for outcome in data.achievedOutcomes if outcome not in outcome_ids]
    if unknown:
        message = f"not learning outcomes of this micro-credential: {unknown}; it has {sorted(outcome_ids)}"
        return Verdict(error=("achievedOutcomes", message))
    achieved = set(data.achievedOutcomes)
    if not achieved:
        return Verdict(not_awarded="no learning outcome was achieved")
    missing = [outcome for outcome in outcome_ids if outcome not in achieved]
    if require_all and missing:
        return Verdict(not_awarded=f"this micro-credential needs every learning outcome; not achieved: {missing}")
    return Verdict()
