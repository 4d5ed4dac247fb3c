"""Bulk issuance: micro-credentials issued per second from a cohort (each row: OB 3.0 signed + EDC sealed).

Runs the real cohort path (one transaction per row, status allocation, OB 3.0 sign + schema check, EDC build +
page images + JAdES seal, SHACL on the first EDC and a 5% sample) on a fresh SQLite database, or on
VETCRED_DATABASE_URL. Also times one warm SHACL validation. Run by hand:  python bench/cohort.py [--rows 300]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from app.achievements.microcredentials import create_spec
from app.assessments.cohort import CohortReport, run_cohort
from app.config import Settings
from app.credentials.edc_shacl import validate_edc
from app.db.migrate import upgrade
from app.demo import sample_issuer, sample_microcredential
from app.issuers.service import register_issuer
from app.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = os.environ.get("VETCRED_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
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
                session, sample_issuer(), public_url=settings.public_url, master_key=runtime.master_key
            ).issuer
            spec = create_spec(session, issuer, sample_microcredential(), public_url=settings.public_url)
            issuer_id, spec_id = issuer.id, spec.id
        rows = [
            {
                "givenName": "Learner",
                "familyName": f"No. {n}",
                "email": f"l{n}@learner.example",
                "reference": f"R-{n}",
                "assessedOn": "2026-11-02",
                "achievedOutcomes": ["LO1", "LO2", "LO3"],
                "grade": "Pass",
            }
            for n in range(args.rows)
        ]

        def run(chunk: list[dict[str, object]]) -> CohortReport:
            return run_cohort(
                chunk,
                transaction=runtime.transaction,
                issuer_id=issuer_id,
                spec_id=spec_id,
                context=runtime.issuance_context,
            )

        run(rows[:3])  # warm up: first EDC (always SHACL-validated), caches, seal key
        start = time.perf_counter()
        report = run(rows[3:])
        elapsed = time.perf_counter() - start
        again_start = time.perf_counter()
        again = run(rows[3:])
        again_elapsed = time.perf_counter() - again_start
        with runtime.transaction() as session:
            from sqlalchemy import select

            from app.db.models import Credential

            edc = session.scalars(select(Credential).where(Credential.format == "edc").limit(1)).one().document
        shacl_start = time.perf_counter()
        for _ in range(5):
            validate_edc(edc)
        shacl = (time.perf_counter() - shacl_start) / 5
        runtime.close()
    issued = report.issued
    print(f"cohort of {len(rows) - 3} rows on {url.split(':')[0]}: {issued} micro-credentials (OB 3.0 + sealed EDC)")
    print(f"  {issued / elapsed:6.1f} micro-credentials/s   {elapsed / max(issued, 1) * 1000:6.1f} ms each (one core)")
    print(f"  resend (idempotent, nothing issued: {again.issued}): {len(rows) - 3} rows in {again_elapsed:.2f} s")
    print(f"  SHACL validation of one EDC (edc-generic-full, warm): {shacl * 1000:.0f} ms")


if __name__ == "__main__":
    main()
