"""The ``vetcred`` command: serve, migrate, verify a credential file offline, and a one-command demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import VetcredError


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container or taskset limits it), else all."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vetcred", description="Verifiable micro-credentials for colleges")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and serve the API (SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    commands.add_parser("migrate", help="apply the database migrations and exit")
    worker = commands.add_parser("worker", help="run jobs (cohorts, e-mails, Europass) from the PostgreSQL queue")
    worker.add_argument(
        "--processes", type=int, default=usable_cores(), help="worker processes (default: the cores it may use)"
    )
    cohort = commands.add_parser("cohort", help="cohorts on a running vetcred").add_subparsers(
        dest="cohort_command", required=True
    )
    upload = cohort.add_parser("upload", help="upload a cohort (CSV or JSON) as a job and show its progress")
    upload.add_argument("file", type=Path)
    upload.add_argument("--spec", required=True, help="the micro-credential's id")
    upload.add_argument("--url", help="the service (default: VETCRED_PUBLIC_URL)")
    upload.add_argument("--api-key", default=os.environ.get("VETCRED_API_KEY"), help="default: VETCRED_API_KEY")
    upload.add_argument("--result", type=Path, help="write the result here (.csv or .json); it holds claim links")
    verify = commands.add_parser("verify", help="verify a credential file offline; exit 0 only when verified")
    verify.add_argument("file", type=Path)
    demo = commands.add_parser("demo", help="create a demo college, achievement and learner; write DIR/ob3.json")
    demo.add_argument("--out", type=Path, required=True)
    keys = commands.add_parser("keys", help="manage the master key").add_subparsers(dest="keys_command", required=True)
    rotate = keys.add_parser("rotate-master", help="re-encrypt every private key under a new master key")
    rotate.add_argument(
        "--new-key-file",
        type=Path,
        help="the new master key, made by your secret store (32 raw bytes, 64 hex digits or base64); without it a "
        "new key is generated and written where the current key file is",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        handler = {
            "serve": _serve,
            "migrate": _migrate,
            "worker": _worker,
            "cohort": _cohort_upload,
            "verify": _verify,
            "demo": _demo,
            "keys": _rotate_master,
        }[args.command]
        return handler(settings, args)
    except VetcredError as error:
        print(f"vetcred: {error.detail}", file=sys.stderr)
        return 2


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.bootstrap import ADMIN_TOKEN_FILE, prepare_instance
    from app.main import create_app

    if "public_url" not in settings.model_fields_set:
        # No VETCRED_PUBLIC_URL: links and did:web ids point at where this server listens.
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        settings = settings.model_copy(update={"public_url": f"http://{host}:{args.port}"})
    supplied = settings.admin_token is not None
    settings, created = prepare_instance(settings)
    url = f"http://{args.host}:{args.port}"
    print(
        f"vetcred {settings.environment} on {url} (public URL {settings.public_url}; database {settings.database_url})"
    )
    print(f"API docs: {url}/docs")
    token_file = settings.keys_dir / ADMIN_TOKEN_FILE
    if created:  # printed once, when this service made it; a token the operator supplied is never printed
        print(f"Admin token: {settings.admin_token}\n  (new; kept in {token_file}, and not printed again)")
    elif not supplied:
        print(f"The admin token is in {token_file}")
    # The standard library's event loop: uvloop serves faster, but when saturated it leaves some connections unserved
    # for seconds (bench/verify_page.py at 200 connections: p99 7 s with uvloop, 0.4 s without; docs/verification.md).
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", loop="asyncio")
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from app.db.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the latest migration")
    return 0


def _cohort_upload(settings: Settings, args: argparse.Namespace) -> int:
    from app.jobs.client import upload_cohort

    if not args.api_key:
        print("vetcred: give the college's API key (--api-key or VETCRED_API_KEY)", file=sys.stderr)
        return 2
    job = upload_cohort(args.url or settings.public_url, args.api_key, args.spec, args.file, args.result)
    print(
        f"job {job['id']} {job['state']}: {job['issued']} issued, {job['notAwarded']} not awarded, "
        f"{job['alreadyRecorded']} already recorded, {job['errorCount']} errors of {job['rowsTotal']} rows"
    )
    return 0 if job["state"] == "completed" else 1


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    """Runs jobs on PostgreSQL; the database must be migrated (`vetcred migrate`, once per release)."""
    from app.jobs.queue import ProcrastinateQueue
    from app.jobs.worker import run_processes, serve_forever
    from app.runtime import Runtime

    if args.processes > 1:
        return run_processes(args.processes)
    runtime = Runtime.start(settings)
    try:
        if not isinstance(runtime.queue, ProcrastinateQueue):
            print("vetcred: workers need PostgreSQL; on SQLite `vetcred serve` runs the jobs itself", file=sys.stderr)
            return 2
        print(f"vetcred worker {os.getpid()}: taking jobs from {settings.database_url.split('@')[-1]}", flush=True)
        return serve_forever(runtime)
    finally:
        runtime.close()


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    """Offline: did:key issuers, and did:web issuers of the configured database when it exists."""
    from functools import partial

    from sqlalchemy import inspect

    from app.proofs.controller_documents import resolve_remote
    from app.proofs.dids import CompositeResolver
    from app.runtime import Runtime
    from app.trust.identity import IssuerDirectory
    from app.verification.inputs import read_presented
    from app.verification.pipeline import verify_credential

    try:
        document: Any = read_presented(args.file.read_text(encoding="utf-8"), field=str(args.file))
    except (OSError, UnicodeDecodeError) as error:
        print(f"vetcred: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    except VetcredError as error:
        print(f"vetcred: cannot read {args.file}: {error.detail}", file=sys.stderr)
        return 2
    runtime = Runtime.start(settings)
    try:
        with runtime.transaction() as session:
            if inspect(session.connection()).has_table("issuers"):
                report = runtime.verify(document, session)
            else:  # no database of ours yet: did:key issuers only, other status lists only when remote fetching is on
                nobody = IssuerDirectory(
                    local=lambda _did: None,
                    local_certificate=lambda _der, _subject: None,
                    registries=runtime.registries,
                    service_name="colleges registered on this service (none: no database)",
                    now=runtime.clock(),
                )
                report = verify_credential(
                    document,
                    resolver=CompositeResolver(
                        local_did_web=lambda _vm: None, remote=partial(resolve_remote, fetch=runtime.remote)
                    ),
                    loader=runtime.loader,
                    now=runtime.clock(),
                    fetch=runtime.remote,
                    identify=nobody.identify,
                    identify_certificate=nobody.identify_certificate,
                )
    finally:
        runtime.close()
    print(json.dumps(report.to_dict(), indent=2))
    return 0 if report.verified else 1


def _rotate_master(settings: Settings, args: argparse.Namespace) -> int:
    """Re-encrypts every private key under a new master key in one transaction, then puts the new key in place.

    A generated key is first written beside the current one (``master.key.new``); the database is re-encrypted and
    committed; then the files are swapped, keeping the old key as ``master.key.previous``. Should the process stop
    between the commit and the swap, the next start says to move ``master.key.new`` into place.
    """
    from app.db.session import make_engine, make_session_factory
    from app.issuers.master_key import PENDING_SUFFIX, open_master_key, rotate
    from app.proofs.keys import MasterKey

    current_file = None if settings.master_key is not None else settings.master_key_path
    if args.new_key_file is not None:
        new = MasterKey.read(args.new_key_file)
    elif current_file is None:
        print(
            "vetcred: the master key comes from VETCRED_MASTER_KEY: give the new one with --new-key-file",
            file=sys.stderr,
        )
        return 2
    else:
        new = MasterKey.generate()
    pending = None
    if current_file is not None:
        pending = current_file.with_name(current_file.name + PENDING_SUFFIX)
        pending.unlink(missing_ok=True)
        new.write(pending)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine, writes=True)() as session, session.begin():
            old = open_master_key(settings, session)
            done = rotate(session, old, new)
    finally:
        engine.dispose()
    print(
        f"re-encrypted {done.issuer_keys} signing keys, {done.seal_keys} seal keys and {done.offer_codes} offer codes"
    )
    if current_file is not None and pending is not None:
        previous = current_file.with_name(current_file.name + ".previous")
        current_file.replace(previous)
        pending.replace(current_file)
        print(
            f"the new master key is in {current_file}; the old one is kept as {previous}: delete it once your "
            "backups hold the new key"
        )
    else:
        print(f"now give the service the new key from {args.new_key_file} (VETCRED_MASTER_KEY or _FILE)")
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from app.bootstrap import prepare_instance
    from app.demo import run_demo

    settings, _ = prepare_instance(settings)
    path = run_demo(settings, args.out)
    print(f"wrote {path}")
    print(f"verify it with: vetcred verify {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
