"""Verification-page throughput and latency under concurrent load: wrk against uvicorn on loopback.

Starts `vetcred serve` on a fresh SQLite database in a temporary directory, issues one credential through the
API, then loads GET /v/{token} (HTML; every view verifies: an unchanged page is served again after one read of the
verification generation, a changed one is verified afresh with the proofs reused while their inputs are unchanged),
after a warm-up run. Needs `wrk` (Debian package wrk). Run by hand:
python bench/verify_page.py [--seconds 15] [--connections 16] [--workers 1] [--warmup 3] [--floor] [--revoke-every S];
BENCH_LOOP passes uvicorn options (default: --loop asyncio, as `vetcred serve` runs). ``--floor`` loads
bench/asgi_floor.py instead, a bare ASGI app with a fixed page: the most any page can serve here with the same server,
loop and load. ``--revoke-every S`` revokes another credential of the same college every S seconds during the run
(each revocation re-signs the status list the page reads, so every worker makes the page afresh after it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from app.demo import sample_achievement, sample_issuer, sample_request

TOKEN = "bench-admin-token-0123456789abcdefghijklmnop"
# uvicorn's event loop, as `vetcred serve` runs it (BENCH_LOOP="--loop uvloop" to compare).
LOOP = os.environ.get("BENCH_LOOP", "--loop asyncio").split()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(workdir: Path, port: int, workers: int, log: IO[bytes], *, floor: bool) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VETCRED_")}
    base = f"http://127.0.0.1:{port}"
    env |= {"VETCRED_PUBLIC_URL": base, "VETCRED_ADMIN_TOKEN": TOKEN}
    subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"], cwd=workdir, env=env, check=True, stdout=subprocess.DEVNULL
    )
    # The factory form lets uvicorn start several worker processes (one core each).
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *(["--app-dir", str(Path(__file__).parent), "asgi_floor:app"] if floor else ["app.asgi:app"]),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        *LOOP,
    ]
    server = subprocess.Popen(command, cwd=workdir, env=env, stderr=log)
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit("the server did not start")


def _issue(base: str, others: int) -> tuple[str, list[_Revocation]]:
    """The verification link of one credential, and how to revoke each of ``others`` more of the same college."""
    admin = {"Authorization": f"Bearer {TOKEN}"}
    issuer = httpx.post(f"{base}/api/v1/issuers", json=sample_issuer().model_dump(exclude_none=True), headers=admin)
    headers = {"Authorization": f"Bearer {issuer.json()['apiKey']}"}
    achievement = httpx.post(
        f"{base}/api/v1/achievements", json=sample_achievement().model_dump(exclude_none=True), headers=headers
    ).json()
    request = sample_request(achievement["id"]).model_dump(mode="json", exclude_none=True)
    credentials = [
        httpx.post(f"{base}/api/v1/credentials", json=request, headers=headers, timeout=30).json()
        for _ in range(1 + others)
    ]
    return str(credentials[0]["verifyUrl"]), [_Revocation(base, c["id"], headers) for c in credentials[1:]]


@dataclass(frozen=True)
class _Revocation:
    base: str
    credential_id: str
    headers: dict[str, str]

    def __call__(self) -> None:
        url = f"{self.base}/api/v1/credentials/{self.credential_id}/revoke"
        httpx.post(url, json={"reason": "bench"}, headers=self.headers, timeout=30).raise_for_status()


def _revoking(revocations: list[_Revocation], every: float, stop: threading.Event) -> None:
    for revoke in revocations:
        if stop.wait(every):
            return
        revoke()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before the measured run (0: none)")
    parser.add_argument("--floor", action="store_true", help="a bare ASGI app with a fixed page instead (the floor)")
    parser.add_argument("--revoke-every", type=float, default=0, help="seconds between revocations of others")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir, open(Path(workdir) / "server.log", "wb") as log:
        server = _start_server(Path(workdir), port, args.workers, log, floor=args.floor)
        try:
            changes = int(args.seconds / args.revoke_every) if args.revoke_every and not args.floor else 0
            url, revocations = (
                (f"http://127.0.0.1:{port}/", []) if args.floor else _issue(f"http://127.0.0.1:{port}", changes)
            )
            assert "Verified" in httpx.get(url).text
            if args.warmup:  # every worker's first view canonicalizes once; steady state is what is measured
                _wrk(url, args.connections, args.warmup)
            stop = threading.Event()
            revoker = threading.Thread(target=_revoking, args=(revocations, args.revoke_every, stop))
            revoker.start()
            try:
                result = _wrk(url, args.connections, args.seconds)
            finally:
                stop.set()
                revoker.join()
        finally:
            server.terminate()
            server.wait(timeout=10)
            log = (Path(workdir) / "server.log").read_text(errors="replace")
            if "Traceback" in log or "ERROR" in log:
                print("server errors:\n" + log[-3000:])
    rps = re.search(r"Requests/sec:\s+([\d.]+)", result)
    p50 = re.search(r"^\s+50%\s+(\S+)", result, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", result, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", result)
    failed = sum(int(n) for n in socket.groups()) if socket else 0
    what = "the floor: a bare ASGI app, a fixed page" if args.floor else "GET /v/{token} (HTML, verified on every view)"
    if changes:
        what += f", another credential revoked every {args.revoke_every:g}s"
    print(
        f"{what}, {args.connections} connections, {args.workers} worker(s), "
        f"{args.seconds}s after {args.warmup}s of warm-up ({' '.join(LOOP) or 'uvicorn defaults'}):"
    )
    print(
        f"  {rps.group(1) if rps else '?'} requests/s   p50 {p50.group(1) if p50 else '?'}   "
        f"p99 {p99.group(1) if p99 else '?'}   non-2xx {errors.group(1) if errors else 0}   "
        f"socket errors and timeouts {failed}"
    )


def _wrk(url: str, connections: int, seconds: int) -> str:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-H", "Accept: text/html", url]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
