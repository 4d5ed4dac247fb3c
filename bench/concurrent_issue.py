"""Concurrent issuance: N clients issue credentials for S seconds against uvicorn with W workers; errors and lists.

Starts uvicorn (``app.asgi:app``) on PostgreSQL (VETCRED_DATABASE_URL, a database this script may empty) or a fresh
SQLite file, registers two colleges, then runs CLIENTS threads that each issue credentials (a quarter of them with
an Idempotency-Key sent twice at once, as a retrying client would) until time is up. Prints throughput, latency,
every non-2xx answer, and per college the status lists made against ceil(credentials / list size).
Run by hand:  VETCRED_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python bench/concurrent_issue.py
              [--seconds 20] [--clients 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import text

from app.db.session import make_engine
from app.demo import sample_achievement, sample_issuer, sample_request
from app.status.bitstring import MIN_LIST_LENGTH

TOKEN = "bench-admin-token-0123456789abcdefghijklmnop"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _empty(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vetcred-bench-"))
    url = os.environ.get("VETCRED_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    if url.startswith("postgres"):
        _empty(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VETCRED_")}
    env |= {"VETCRED_PUBLIC_URL": base, "VETCRED_ADMIN_TOKEN": TOKEN, "VETCRED_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=workdir, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "app.asgi:app", "--port", str(port)),
            *("--workers", str(args.workers), "--log-level", "warning", "--no-access-log"),
        ],
        cwd=workdir,
        env=env,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        colleges = []
        for n in range(2):
            issuer = httpx.post(
                f"{base}/api/v1/issuers",
                json=sample_issuer().model_dump(exclude_none=True) | {"name": f"College {n}"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ).json()
            headers = {"Authorization": f"Bearer {issuer['apiKey']}"}
            achievement = httpx.post(
                f"{base}/api/v1/achievements", json=sample_achievement().model_dump(exclude_none=True), headers=headers
            ).json()
            colleges.append((issuer["id"], headers, sample_request(achievement["id"]).model_dump(exclude_none=True)))
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def client(number: int) -> None:
            _, headers, body = colleges[number % 2]
            sent = 0
            with httpx.Client(timeout=60) as http:
                while time.monotonic() < deadline:
                    keyed = headers | {"Idempotency-Key": f"c{number}-{sent}"} if number % 4 == 0 else headers
                    for _ in range(2 if number % 4 == 0 else 1):  # a keyed client sends every request twice
                        start = time.perf_counter()
                        response = http.post(f"{base}/api/v1/credentials", json=body, headers=keyed)
                        with lock:
                            latencies.append(time.perf_counter() - start)
                            statuses[response.status_code] += 1
                            if response.status_code >= 300:
                                errors.append(f"{response.status_code} {response.text[:200]}")
                    sent += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        print(f"{args.clients} clients, {args.workers} workers, {elapsed:.1f} s, database {url.split('://')[0]}")
        print(
            f"requests: {len(latencies)} ({len(latencies) / elapsed:.1f}/s); answers: {dict(sorted(statuses.items()))}"
        )
        print(
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms"
        )
        print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
        engine = make_engine(url)
        with engine.connect() as connection:
            for issuer_id, _, _ in colleges:
                issued = connection.execute(
                    text("SELECT count(*) FROM credentials WHERE issuer_id = :i"), {"i": issuer_id}
                ).scalar_one()
                lists = connection.execute(
                    text("SELECT count(*), coalesce(sum(allocated_count), 0) FROM status_lists WHERE issuer_id = :i"),
                    {"i": issuer_id},
                ).one()
                expected = math.ceil(issued / MIN_LIST_LENGTH)
                print(
                    f"college {issuer_id[:8]}: {issued} credentials, {lists[0]} status lists (expected {expected}), "
                    f"{lists[1]} indexes allocated"
                )
        engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
