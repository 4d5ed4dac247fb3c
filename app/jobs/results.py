"""A cohort job's result as a table, row by row: the outcome, the credentials' links (verification page, JSON, PDF),
the learner's claim link and its state now, or the row's error; as CSV or JSON (both hold claim links: secrets)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.cohort import CohortReport
from app.db.models import Credential, Job
from app.jobs.records import result
from app.proofs.keys import MasterKey
from app.wallet.claims import claim_state, current_links

RESULT_COLUMNS = [
    "row",
    "reference",
    "email",
    "outcome",
    "new",
    "credentialIds",
    "verifyUrl",
    "jsonUrl",
    "pdfUrl",
    "edcVerifyUrl",
    "claimUrl",
    "claimTxCode",
    "claimState",
    "claimSentAt",
    "field",
    "message",
]
_LOOKUP_BATCH = 500


def result_table(
    session: Session, job: Job, *, master_key: MasterKey, public_url: str, now: datetime
) -> tuple[CohortReport, list[dict[str, Any]]]:
    """The job's result so far (its counts) and its table: a line per recorded row and per error, by row number."""
    report = result(session, job, master_key)
    ids = [credential_id for row in report.rows for credential_id in row.get("credentialIds", [])]
    tokens = _formats_and_tokens(session, ids)
    links = current_links(session, ids)
    lines: list[dict[str, Any]] = []
    for row in report.rows:
        line = row | {"credentialIds": ";".join(row.get("credentialIds", []))}
        for credential_id in row.get("credentialIds", []):
            if credential_id not in tokens:
                continue
            credential_format, token = tokens[credential_id]
            verify_url = f"{public_url}/v/{token}"
            if credential_format == "ob3":
                line |= {
                    "verifyUrl": verify_url,
                    "jsonUrl": f"{verify_url}.json",
                    "pdfUrl": f"{verify_url}/certificate.pdf",
                }
                link = links.get(credential_id)
                if link is not None:
                    sent = link.sent_at.isoformat() if link.sent_at else None
                    line |= {"claimState": claim_state(link, now).value, "claimSentAt": sent}
            else:
                line["edcVerifyUrl"] = verify_url
        lines.append(line)
    lines += [
        {"row": error.row, "outcome": "error", "field": error.field, "message": error.message}
        for error in report.errors
    ]
    lines.sort(key=lambda line: int(line["row"]))
    return report, lines


def _formats_and_tokens(session: Session, credential_ids: list[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(credential_ids), _LOOKUP_BATCH):
        batch = credential_ids[start : start + _LOOKUP_BATCH]
        query = select(Credential.id, Credential.format, Credential.public_token).where(Credential.id.in_(batch))
        found |= {credential_id: (fmt, token) for credential_id, fmt, token in session.execute(query)}
    return found


def result_csv(lines: list[dict[str, Any]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=RESULT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(lines)
    return text.getvalue()
