"""Two workers storing the same cohort rows at the same moment (a stalled chunk taken up again while its first
worker still runs) issue each row once: the store step holds no college lock, and the unique (specification,
learner, reference) of assessments settles the race; the loser's chunk, run again, reports the rows as recorded.

PostgreSQL only: SQLite serialises write transactions, so the two stores cannot overlap there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assessments.batch import RowOutcome, process_chunk
from app.db.models import Assessment, Credential
from tests.databases import postgres_test_url
from tests.factories import assessment_row, make_issuer, make_microcredential

pytestmark = pytest.mark.skipif(not postgres_test_url(), reason="SQLite serialises write transactions")
ROWS = 3


def test_two_stores_of_the_same_rows_at_once_issue_each_row_once(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    issuer_id = client.get("/api/v1/issuers/me", headers=headers).json()["id"]
    rows = [(n, assessment_row(n)) for n in range(1, ROWS + 1)]
    both_signed = threading.Barrier(2, timeout=60)

    def transactions() -> Any:
        """The chunk's own transactions; its second (the store step) starts once both chunks have signed."""
        opened = 0

        @contextmanager
        def transaction() -> Iterator[Session]:
            nonlocal opened
            opened += 1
            if opened == 2:  # the store step: after the signing, which needs no transaction
                both_signed.wait()
            with runtime.transaction() as session:
                yield session

        return transaction

    results: dict[str, list[RowOutcome] | BaseException] = {}

    def run(name: str) -> None:
        try:
            results[name] = process_chunk(
                rows,
                transaction=transactions(),
                issuer_id=issuer_id,
                spec_id=spec["id"],
                context=runtime.issuance_context(),
            )
        except BaseException as error:
            results[name] = error

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failed = [r for r in results.values() if isinstance(r, BaseException)]
    won = [r for r in results.values() if not isinstance(r, BaseException)]
    assert len(failed) == 1 and isinstance(failed[0], IntegrityError), results
    assert [o.kind for o in won[0]] == ["issued"] * ROWS  # type: ignore[union-attr]

    context = runtime.issuance_context()
    # The loser's chunk runs again, as its task's retry does.
    again = process_chunk(
        rows, transaction=runtime.transaction, issuer_id=issuer_id, spec_id=spec["id"], context=context
    )
    assert [o.kind for o in again] == ["already_recorded"] * ROWS
    with runtime.transaction(writes=False) as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == ROWS
        per_assessment = session.execute(
            select(Credential.assessment_id, func.count()).group_by(Credential.assessment_id)
        ).all()
    assert len(per_assessment) == ROWS and {count for _, count in per_assessment} == {2}  # OB 3.0 + EDC, once
