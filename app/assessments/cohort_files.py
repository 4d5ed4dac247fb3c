"""Cohort files as colleges keep them: an uploaded CSV or Excel workbook read into rows (the rows the API takes),
and a specification's template in both (the learner's columns, then one column per learning outcome)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from app.assessments.cohort import MAX_ROWS, parse_csv
from app.assessments.rules import outcome_columns
from app.errors import InvalidInput

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The columns most cohorts fill; any other field of a row (nationalId, evidenceUrl, certificateNumber, ...) may be
# added as a column of its own.
LEARNER_COLUMNS = [
    "givenName",
    "familyName",
    "email",
    "dateOfBirth",
    "studentNumber",
    "reference",
    "assessedOn",
    "grade",
    "assessor",
]
_ZIP_MAGIC = b"PK\x03\x04"


def read_cohort_file(name: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded cohort: an Excel workbook (.xlsx, its first sheet) or a UTF-8 CSV."""
    if not content:
        raise InvalidInput("the file is empty", field="file")
    if content.startswith(_ZIP_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return parse_xlsx(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the CSV must be UTF-8 (in Excel: save as “CSV UTF-8”)", field="file") from error
    return parse_csv(text)


def parse_xlsx(content: bytes) -> list[dict[str, Any]]:
    """The first sheet, its first row the column names, as the CSV reader gives them: every cell as text (a date as
    2026-11-02), an empty cell as "", wholly empty rows skipped, cells right of the named columns as extraCells."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InvalidInput("not an Excel workbook (.xlsx) that can be read", field="file") from error
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell).strip() for cell in next(lines, ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InvalidInput("the workbook's first sheet has no header row", field="file")
        names = [name or f"column {get_column_letter(n)}" for n, name in enumerate(header, start=1)]
        rows: list[dict[str, Any]] = []
        for line in lines:
            cells = [_text(cell) for cell in line]
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise InvalidInput(f"a cohort has at most {MAX_ROWS} rows", field="file")
            cells += [""] * (len(names) - len(cells))
            row: dict[str, Any] = dict(zip(names, cells, strict=False))
            extra = [cell for cell in cells[len(names) :] if cell.strip()]
            if extra:
                row["extraCells"] = extra
            rows.append(row)
    finally:
        workbook.close()
    if not rows:
        raise InvalidInput("the workbook has a header row and no rows", field="file")
    return rows


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def template_columns(outcome_ids: Sequence[str]) -> list[str]:
    return LEARNER_COLUMNS + outcome_columns(outcome_ids)


def template_csv(outcome_ids: Sequence[str]) -> bytes:
    """The header row, UTF-8 with a byte order mark (so Excel opens names with accents rightly)."""
    text = io.StringIO()
    csv.writer(text).writerow(template_columns(outcome_ids))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx(outcomes: Sequence[tuple[str, str]], *, title: str, notes: Sequence[str]) -> bytes:
    """A workbook whose first sheet is the cohort (the header row, to fill below) and whose second holds ``notes``
    (how to fill it, in the reader's language) and the learning outcomes (``outcomes``: id and title)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cohort"
    columns = template_columns([outcome_id for outcome_id, _ in outcomes])
    sheet.append(columns)
    for n, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=n).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(n)].width = max(12, len(column) + 4)
    sheet.freeze_panes = "A2"
    legend = workbook.create_sheet("Learning outcomes")
    legend.append([title])
    for note in notes:
        legend.append([note])
    legend.append([])
    for outcome_id, outcome_title in outcomes:
        legend.append([outcome_id, outcome_title])
    legend.column_dimensions["A"].width = 16
    legend.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
