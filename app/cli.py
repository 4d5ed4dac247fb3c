"""The ``vetcred`` command: serve, migrate, verify a credential file offline, and a one-command demo."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import VetcredError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vetcred", description="Verifiable micro-credentials for colleges")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations and serve the API (SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    commands.add_parser("migrate", help="apply the database migrations and exit")
    verify = commands.add_parser("verify", help="verify a credential file offline; exit 0 only when verified")
    verify.add_argument("file", type=Path)
    demo = commands.add_parser("demo", help="create a demo college, achievement and learner; write DIR/ob3.json")
    demo.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        handler = {"serve": _serve, "migrate": _migrate, "verify": _verify, "demo": _demo}[args.command]
        return handler(settings, args)
    except VetcredError as error:
        print(f"vetcred: {error.detail}", file=sys.stderr)
        return 2


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.bootstrap import prepare_instance
    from app.main import create_app

    if "public_url" not in settings.model_fields_set:
        # No VETCRED_PUBLIC_URL: links and did:web ids point at where this server listens.
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        settings = settings.model_copy(update={"public_url": f"http://{host}:{args.port}"})
    settings, created = prepare_instance(settings)
    url = f"http://{args.host}:{args.port}"
    print(
        f"vetcred {settings.environment} on {url} (public URL {settings.public_url}; database {settings.database_url})"
    )
    print(f"API docs: {url}/docs")
    if created or settings.environment == "development":
        print(f"Admin token: {settings.admin_token}")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from app.db.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the latest migration")
    return 0


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    """Offline: did:key issuers, and did:web issuers of the configured database when it exists."""
    from functools import partial

    from sqlalchemy import inspect

    from app.proofs.controller_documents import resolve_remote
    from app.proofs.dids import CompositeResolver
    from app.runtime import Runtime
    from app.verification.pipeline import verify_credential

    try:
        document: Any = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"vetcred: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    runtime = Runtime.start(settings)
    try:
        with runtime.transaction() as session:
            if inspect(session.connection()).has_table("issuers"):
                report = runtime.verify(document, session)
            else:  # no database of ours yet: did:key issuers only, other status lists only when remote fetching is on
                report = verify_credential(
                    document,
                    resolver=CompositeResolver(
                        local_did_web=lambda _vm: None, remote=partial(resolve_remote, fetch=runtime.remote)
                    ),
                    loader=runtime.loader,
                    now=runtime.clock(),
                    fetch=runtime.remote,
                )
    finally:
        runtime.close()
    print(json.dumps(report.to_dict(), indent=2))
    return 0 if report.verified else 1


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
