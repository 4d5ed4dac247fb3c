"""Real `vetcred worker` processes on PostgreSQL: one killed mid-job (SIGKILL), another finishes it; two share a job.

Every row is issued exactly once either way: rows are idempotent, a chunk commits with its "done" mark, and a job
whose worker went silent is queued again by the others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Assessment, Credential
from app.main import create_app
from tests.conftest import ADMIN_TOKEN, PUBLIC_URL
from tests.databases import postgres_test_url
from tests.factories import assessment_row, make_issuer, make_microcredential, wait_for_job

pytestmark = pytest.mark.skipif(not postgres_test_url(), reason="workers take jobs from PostgreSQL")
ROWS = 40


@pytest.fixture
def api(settings: Settings, empty_database: None) -> Iterator[TestClient]:
    """The API alone: jobs go to the queue, and only the worker processes run them."""
    update = {"in_process_worker": False, "job_chunk_rows": 2, "edc_shacl_sample_rate": 0.05}
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        yield client


def _worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "VETCRED_DATABASE_URL": settings.database_url,
        "VETCRED_KEYS_DIR": str(settings.keys_dir),
        "VETCRED_PUBLIC_URL": PUBLIC_URL,
        "VETCRED_ADMIN_TOKEN": ADMIN_TOKEN,
        "VETCRED_EDC_SHACL_SAMPLE_RATE": "0.05",
        "VETCRED_WORKER_HEARTBEAT_SECONDS": "0.5",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--processes", "1"], env=env, stdout=output, stderr=output
        )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _cohort(api: TestClient) -> tuple[dict[str, str], str]:
    _, headers = make_issuer(api)
    spec = make_microcredential(api, headers)
    rows = [assessment_row(n) for n in range(1, ROWS + 1)]
    job = api.post(f"/api/v1/microcredentials/{spec['id']}/cohort", json={"rows": rows}, headers=headers)
    assert job.status_code == 202, job.text
    return headers, job.json()["id"]


def _issued_once(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == ROWS
        per_assessment = session.execute(
            select(Credential.assessment_id, func.count()).group_by(Credential.assessment_id)
        ).all()
    assert len(per_assessment) == ROWS and {count for _, count in per_assessment} == {2}  # OB 3.0 + EDC, once


def _chunks_doing(engine: Engine) -> int:
    """Cohort chunks a worker has taken and not finished, as procrastinate records them."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND task_name = 'cohort_chunk'")
            ).scalar_one()
        )


def test_a_worker_killed_mid_job_loses_nothing_and_another_finishes_it(
    api: TestClient, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    headers, job_id = _cohort(api)
    first = _worker(settings, tmp_path / "first.log")
    second = None
    try:
        deadline = time.monotonic() + 120
        while api.get(f"/api/v1/jobs/{job_id}", headers=headers).json()["rowsDone"] < 6 or not _chunks_doing(engine):
            assert time.monotonic() < deadline and first.poll() is None, (tmp_path / "first.log").read_text()
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)  # mid-job, nearly always inside a chunk
        first.wait()
        time.sleep(1)  # a COMMIT the worker sent just before it died still lands: read the queue after it
        killed_inside_a_chunk = _chunks_doing(engine) > 0  # else it died between two chunks: nothing was stalled
        partial = api.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        assert partial["state"] == "running" and partial["rowsDone"] < ROWS
        second = _worker(settings, tmp_path / "second.log")
        done = wait_for_job(api, headers, job_id, timeout=180)
        # The killed chunk may have committed its rows just before the kill, so the job can complete before the
        # stalled queue entry is noticed; the second worker must still take it up again within a few beats.
        deadline = time.monotonic() + 30
        while killed_inside_a_chunk and _chunks_doing(engine):
            assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
            time.sleep(0.1)
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    assert (done["state"], done["rowsDone"], done["issued"], done["alreadyRecorded"]) == ("completed", ROWS, ROWS, 0)
    if killed_inside_a_chunk:
        assert "was stalled" in (tmp_path / "second.log").read_text()
    _issued_once(engine)
    result = api.get(f"/api/v1/jobs/{job_id}/result", headers=headers).json()
    assert sorted(row["row"] for row in result["rows"]) == list(range(1, ROWS + 1))


def test_two_workers_on_one_job_never_issue_a_row_twice(
    api: TestClient, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    headers, job_id = _cohort(api)
    workers = [_worker(settings, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        done = wait_for_job(api, headers, job_id, timeout=180)
    finally:
        for worker in workers:
            _stop(worker)
    assert (done["state"], done["issued"], done["alreadyRecorded"], done["errorCount"]) == ("completed", ROWS, 0, 0)
    _issued_once(engine)
    logs = [(tmp_path / f"worker-{n}.log").read_text() for n in range(2)]
    assert all("taking jobs" in log for log in logs), logs
