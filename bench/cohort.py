"""Bulk issuance: a cohort job's wall time and rows/s (each row: OB 3.0 signed + EDC imaged and sealed + claim link).

It also measures Digital Bazaar's jsonld.js signing one OB 3.0 credential on one core (bench/sign.py, before the
cohort, on the same machine) and prints the cohort's rows/s against that rate: each row is far more than one
signature (an EDC imaged, SHACL-checked and sealed, rows stored), so the ratio says how many jsonld.js cores a
cohort would need just for its OB 3.0 proofs to keep up. Needs ``npm ci --prefix tests/interop/js``; --no-js skips it.

On PostgreSQL the bench starts `vetcred worker --processes N` itself (N: --processes, default the cores) and times
the job from the moment it is queued until it is completed; with --sqlite the in-process worker issues (one core).
The PostgreSQL database (--database, else VETCRED_DATABASE_URL) is EMPTIED first: give it one of its own.

    python bench/cohort.py --database postgresql://postgres@127.0.0.1:5432/cohortbench          # 10,000 rows
    python bench/cohort.py --sqlite                                                              # 1,000 rows
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sign import jsonld_js_sign_rate  # bench/sign.py, beside this script
from sqlalchemy import create_engine, text

from app.achievements.microcredentials import create_spec
from app.cli import usable_cores
from app.config import Settings
from app.db.migrate import upgrade
from app.db.models import Job
from app.db.session import normalize_url
from app.demo import sample_issuer, sample_microcredential
from app.issuers.service import register_issuer
from app.jobs.queue import InProcessQueue
from app.jobs.records import create_cohort_job, progress
from app.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite and the in-process worker (default rows: 1,000)")
    parser.add_argument("--database", default=os.environ.get("VETCRED_DATABASE_URL"), help="PostgreSQL (emptied)")
    parser.add_argument("--rows", type=int, help="default: 10,000 on PostgreSQL, 1,000 on SQLite")
    parser.add_argument("--processes", type=int, default=usable_cores(), help="worker processes (PostgreSQL)")
    parser.add_argument("--no-js", action="store_true", help="skip the jsonld.js signing rate")
    args = parser.parse_args()
    if not args.sqlite and not args.database:
        parser.error("give --database postgresql://... (emptied first), or --sqlite")
    args.rows = args.rows or (1000 if args.sqlite else 10_000)
    js_rate = None if args.no_js else jsonld_js_sign_rate()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/bench.db" if args.sqlite else args.database
        if not args.sqlite:
            _empty(url)
        upgrade(url)
        settings = Settings(
            database_url=url,
            keys_dir=Path(workdir) / "keys",
            admin_token="x" * 40,
            public_url="https://college.example",
        )
        runtime = Runtime.start(settings)
        with runtime.transaction() as session:
            issuer = register_issuer(
                session,
                sample_issuer(),
                public_url=settings.public_url,
                master_key=runtime.master_key,
                now=runtime.clock(),
            ).issuer
            spec_input = sample_microcredential()
            spec = create_spec(session, issuer, spec_input, public_url=settings.public_url)
        outcomes = spec_input.outcome_ids()  # all achieved: every row is awarded
        rows = [
            {
                "givenName": "Learner",
                "familyName": f"No. {n}",
                "email": f"l{n}@learner.example",
                "reference": f"R-{n}",
                "assessedOn": "2026-11-02",
                "achievedOutcomes": outcomes,
                "grade": "Pass",
            }
            for n in range(args.rows)
        ]
        env = os.environ | {
            "VETCRED_DATABASE_URL": url,
            "VETCRED_KEYS_DIR": str(settings.keys_dir),
            "VETCRED_PUBLIC_URL": settings.public_url,
            "VETCRED_WORKER_HEARTBEAT_SECONDS": "2",
        }
        workers = None
        if not isinstance(runtime.queue, InProcessQueue):
            workers = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "worker", "--processes", str(args.processes)], env=env
            )
            time.sleep(3)  # the workers start (imports, connections) before the clock does
        start = time.perf_counter()
        cpu_start = _cpu_seconds()
        with runtime.transaction() as session:
            job = create_cohort_job(
                session, issuer, spec.id, rows, chunk_rows=settings.job_chunk_rows, now=runtime.clock()
            )
            for number in range(job.chunk_count):
                runtime.queue.defer(session, "cohort_chunk", job_id=job.id, number=number)
        if isinstance(runtime.queue, InProcessQueue):
            runtime.queue.start(runtime)
        while True:
            with runtime.transaction(writes=False) as session:
                current = session.get(Job, job.id)
                assert current is not None
                if current.state == "completed":
                    done = progress(session, current)
                    break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        if workers is not None:
            workers.terminate()
            workers.wait()
        if isinstance(runtime.queue, InProcessQueue):
            runtime.queue.stop()
        cpu = _cpu_seconds() - cpu_start  # the workers' (reaped) and this process's: the issuing, on a shared machine
        runtime.close()
    where = f"PostgreSQL, {args.processes} worker processes" if workers is not None else "SQLite, in-process"
    cores = args.processes if workers is not None else 1
    print(f"cohort of {args.rows} rows on {where}: {done.issued} issued, {done.error_count} errors")
    if done.issued == 0:
        sys.exit(f"nothing was issued ({done.not_awarded} not awarded): the bench's rows no longer fit the demo spec")
    print(
        f"  {elapsed:.1f} s wall   {done.issued / elapsed:.1f} micro-credentials/s "
        f"({done.issued / elapsed / cores:.1f} per core; OB 3.0 + sealed EDC + claim link)"
    )
    if js_rate is not None:
        print(
            f"  jsonld.js signs {js_rate:.1f} OB 3.0 credentials/s on one core: the cohort issues "
            f"x{done.issued / elapsed / js_rate:.2f} that rate, x{done.issued / elapsed / cores / js_rate:.2f} per core"
        )
    print(
        f"  {cpu:.1f} CPU s   {1000 * cpu / done.issued:.1f} ms CPU per row = {done.issued / cpu:.1f} rows/s per "
        "core that issues alone (the figure that holds on a machine shared with other work)"
    )


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _empty(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
