"""The ``vetcred`` command: serve, migrate, verify a credential file offline, and a one-command demo."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from app import __version__
from app.config import Settings
from app.errors import ConfigurationError, InvalidInput, VetcredError
from app.logs import configure_logging

log = logging.getLogger("vetcred")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container or taskset limits it), else all."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _setting(name: str, *, default: object = None) -> str:
    """The end of an option's help: its default and the environment variable (a setting of ``Settings``) it
    overrides."""
    value = Settings.model_fields[name].default if default is None else default
    return f"(default: {value}; environment: VETCRED_{name.upper()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetcred",
        description="Verifiable micro-credentials for colleges. Every setting is a VETCRED_* environment variable "
        "(or a line of .env); an option given here overrides it.",
    )
    parser.add_argument("--version", action="version", version=f"vetcred {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="apply migrations and serve the API (SQLite by default)")
    serve.add_argument("--host", help=f"the address to listen on {_setting('listen_host')}")
    serve.add_argument("--port", type=int, help=f"the port to listen on {_setting('listen_port')}")
    _logging_options(serve)
    commands.add_parser("migrate", help="apply the database migrations and exit")
    worker = commands.add_parser("worker", help="run jobs (cohorts, e-mails, Europass) from the PostgreSQL queue")
    worker.add_argument(
        "--processes",
        type=int,
        help=f"worker processes {_setting('worker_processes', default=f'the cores it may use, {usable_cores()}')}",
    )
    _logging_options(worker)
    cohort = commands.add_parser("cohort", help="cohorts on a running vetcred").add_subparsers(
        dest="cohort_command", required=True, metavar="COMMAND"
    )
    upload = cohort.add_parser("upload", help="upload a cohort (CSV or JSON) as a job and show its progress")
    upload.add_argument("file", type=Path, help='the cohort: a CSV file, or JSON (a list of rows or {"rows": [...]})')
    upload.add_argument("--spec", required=True, help="the micro-credential's id (required)")
    upload.add_argument(
        "--url",
        help="the running service (default: VETCRED_PUBLIC_URL when set, else the URL the last `vetcred serve` of "
        f"this instance used, else {Settings.model_fields['public_url'].default})",
    )
    upload.add_argument(
        "--api-key",
        default=os.environ.get("VETCRED_API_KEY"),
        help="the college's API key (no default; environment: VETCRED_API_KEY)",
    )
    upload.add_argument(
        "--result",
        type=Path,
        help="write the job's result here, .csv or .json (default: not written); it holds claim links: keep it safe",
    )
    verify = commands.add_parser(
        "verify", help="verify a credential or a presentation file offline; exit 0 only when verified"
    )
    verify.add_argument(
        "file", type=Path, help="a credential (JSON: a VC or an EDC; or a VC-JWT) or a wallet's presentation"
    )
    verify.add_argument(
        "--challenge", help="a presentation: the challenge (nonce) you gave the holder (default: none, not checked)"
    )
    verify.add_argument(
        "--domain", help="a presentation: the domain (audience) you gave the holder (default: none, not checked)"
    )
    demo = commands.add_parser(
        "demo",
        help="create a demo college, achievement, micro-credential and learner in this instance's database; "
        "write their credentials to DIR",
    )
    demo.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="where to write (default: out)")
    demo.add_argument(
        "--url",
        help="the public URL of the `vetcred serve` that will show the credentials: their did:web ids and links "
        "are minted for it (default: VETCRED_PUBLIC_URL when set, else the URL the last `vetcred serve` of this "
        f"instance used, noted in its keys directory, else {Settings.model_fields['public_url'].default})",
    )
    keys = commands.add_parser("keys", help="manage the master key").add_subparsers(
        dest="keys_command", required=True, metavar="COMMAND"
    )
    rotate = keys.add_parser("rotate-master", help="re-encrypt every private key under a new master key")
    rotate.add_argument(
        "--new-key-file",
        type=Path,
        help="the new master key, made by your secret store (32 raw bytes, 64 hex digits or base64); without it a "
        "new key is generated and written where the current key file is (default: generated)",
    )
    return parser


def _logging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        type=str.lower,
        choices=get_args(Settings.model_fields["log_level"].annotation),
        help=f"the least severe messages logged {_setting('log_level')}",
    )
    parser.add_argument(
        "--log-format",
        type=str.lower,
        choices=get_args(Settings.model_fields["log_format"].annotation),
        help=f"text for people, json (one object per line) for log collectors {_setting('log_format')}",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        try:
            settings = Settings()
        except ValidationError as error:
            problems = "; ".join(
                f"VETCRED_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}" for e in error.errors()
            )
            raise ConfigurationError(f"a setting is not valid: {problems}") from None
        handler = {
            "serve": _serve,
            "migrate": _migrate,
            "worker": _worker,
            "cohort": _cohort_upload,
            "verify": _verify,
            "demo": _demo,
            "keys": _rotate_master,
        }[args.command]
        code = handler(settings, args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return code
    except VetcredError as error:
        print(f"vetcred: {error.detail}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `vetcred ... | head -1`: the reader has gone. Like other Unix tools, stop quietly; stdout goes to
        # /dev/null so that the interpreter's own flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a tool killed by it


def _with_options(settings: Settings, args: argparse.Namespace, **options: str) -> Settings:
    """``settings`` with the command-line options that were given (they override the environment); ``options`` maps
    a setting to its option's name."""
    given = {name: getattr(args, option) for name, option in options.items() if getattr(args, option) is not None}
    return settings.model_copy(update=given) if given else settings


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.bootstrap import ADMIN_TOKEN_FILE, prepare_instance, record_served_url
    from app.main import create_app
    from app.runtime import settle_heap

    settings = _with_options(
        settings, args, listen_host="host", listen_port="port", log_level="log_level", log_format="log_format"
    )
    configure_logging(settings.log_level, settings.log_format)
    if "public_url" not in settings.model_fields_set:
        # No VETCRED_PUBLIC_URL: links and did:web ids point at where this server listens.
        host = "127.0.0.1" if settings.listen_host in ("0.0.0.0", "::") else settings.listen_host
        settings = settings.model_copy(update={"public_url": f"http://{host}:{settings.listen_port}"})
    supplied = settings.admin_token is not None
    settings, created = prepare_instance(settings)
    record_served_url(settings)
    url = f"http://{settings.listen_host}:{settings.listen_port}"
    print(
        f"vetcred {settings.environment} on {url} (public URL {settings.public_url}; database {settings.database_url})"
    )
    print(f"API docs: {url}/docs")
    token_file = settings.keys_dir / ADMIN_TOKEN_FILE
    if created:  # printed once, when this service made it; a token the operator supplied is never printed
        print(f"Admin token: {settings.admin_token}\n  (new; kept in {token_file}, and not printed again)")
    elif not supplied:
        print(f"The admin token is in {token_file}")
    # The standard library's event loop: uvloop serves faster, but when views cost CPU it leaves some connections
    # unserved for long (a bare app spending 0.3 ms a request, 200 connections: p99 0.74-0.91 s with uvloop, 56 ms
    # without; docs/verification.md).
    # log_config=None: uvicorn's loggers propagate to the handler configure_logging installed.
    app = create_app(settings)
    settle_heap()
    uvicorn.run(
        app,
        host=settings.listen_host,
        port=settings.listen_port,
        log_config=None,
        log_level=settings.log_level,
        loop="asyncio",
    )
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
    url = args.url or _instance_url(settings)[0]
    job = upload_cohort(url, args.api_key, args.spec, args.file, args.result)
    print(
        f"job {job['id']} {job['state']}: {job['issued']} issued, {job['notAwarded']} not awarded, "
        f"{job['alreadyRecorded']} already recorded, {job['errorCount']} errors of {job['rowsTotal']} rows"
    )
    return 0 if job["state"] == "completed" else 1


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    """Runs jobs on PostgreSQL; the database must be migrated (`vetcred migrate`, once per release)."""
    from app.jobs.queue import ProcrastinateQueue
    from app.jobs.worker import run_processes, serve_forever
    from app.runtime import Runtime, settle_heap

    settings = _with_options(settings, args, log_level="log_level", log_format="log_format")
    configure_logging(settings.log_level, settings.log_format)
    processes = args.processes or settings.worker_processes or usable_cores()
    if processes > 1:
        return run_processes(processes, "--log-level", settings.log_level, "--log-format", settings.log_format)
    runtime = Runtime.start(settings)
    try:
        if not isinstance(runtime.queue, ProcrastinateQueue):
            print("vetcred: workers need PostgreSQL; on SQLite `vetcred serve` runs the jobs itself", file=sys.stderr)
            return 2
        log.info("vetcred worker %s: taking jobs from %s", os.getpid(), settings.database_url.split("@")[-1])
        settle_heap()
        return serve_forever(runtime)
    finally:
        runtime.close()


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    """Offline: did:key issuers, and did:web issuers of the configured database when it exists (their status lists
    too, read from the database: they are at this instance's public URL). A presentation: its holder's proof (with
    ``--challenge`` and ``--domain`` when you gave them) and each credential in it, holders resolved the same way."""
    from functools import partial

    from sqlalchemy import inspect

    from app.proofs.controller_documents import resolve_remote
    from app.proofs.data_integrity import ASSERTION_METHOD, AUTHENTICATION
    from app.proofs.dids import CompositeResolver
    from app.runtime import Runtime
    from app.trust.identity import IssuerDirectory
    from app.verification.pipeline import verify_credential
    from app.verification.presentations import PresentationReport, is_presentation, verify_presentation
    from app.verification.report import Report

    document = _read_credential(args.file)
    presentation = is_presentation(document)
    if not presentation and (args.challenge or args.domain):
        raise InvalidInput("--challenge and --domain are for a presentation; this file holds a credential")
    settings = settings.model_copy(update={"public_url": _instance_url(settings)[0]})
    runtime = Runtime.start(settings)
    try:
        with runtime.transaction() as session:
            if inspect(session.connection()).has_table("issuers"):
                report: Report | PresentationReport = (
                    runtime.verify_presentation(document, session, challenge=args.challenge, domain=args.domain)
                    if presentation
                    else runtime.verify(document, session)
                )
            else:  # no database of ours yet: did:key issuers only, other status lists only when remote fetching is on
                nobody = IssuerDirectory(
                    local=lambda _did: None,
                    local_certificate=lambda _der, _subject: None,
                    registries=runtime.registries,
                    service_name="colleges registered on this service (none: no database)",
                    now=runtime.clock(),
                )

                def resolver(relationship: str = ASSERTION_METHOD) -> CompositeResolver:
                    remote = partial(resolve_remote, fetch=runtime.remote, relationship=relationship)
                    return CompositeResolver(local_did_web=lambda _vm: None, remote=remote)

                def check(credential: Any) -> Report:
                    return verify_credential(
                        credential,
                        resolver=resolver(),
                        loader=runtime.loader,
                        now=runtime.clock(),
                        fetch=runtime.remote,
                        identify=nobody.identify,
                        identify_certificate=nobody.identify_certificate,
                    )

                report = (
                    verify_presentation(
                        document,
                        challenge=args.challenge,
                        domain=args.domain,
                        resolver=resolver(AUTHENTICATION),
                        loader=runtime.loader,
                        now=runtime.clock(),
                        check_credential=check,
                    )
                    if presentation
                    else check(document)
                )
    finally:
        runtime.close()
    print(json.dumps(report.to_dict(), indent=2))
    return 0 if report.verified else 1


def _read_credential(path: Path) -> Any:
    """The credential or presentation in ``path``: a JSON value, or a VC-JWT or VP-JWT (compact JWS) as text; what is
    wrong with it otherwise."""
    from app.proofs.vc_jwt import is_jwt_credential
    from app.proofs.vp_jwt import is_jwt_presentation

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not text (UTF-8): a credential is JSON or a VC-JWT") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(f"{path} is an empty file")
    if is_jwt_presentation(stripped):
        print(f"vetcred: {path} holds a presentation JWT; verifying the holder and each credential", file=sys.stderr)
        return stripped
    if is_jwt_credential(stripped):
        print(f"vetcred: {path} holds a VC-JWT; verifying the credential it carries", file=sys.stderr)
        return stripped
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{path} is not JSON ({error.msg} at line {error.lineno}, column {error.colno}) and not a VC-JWT"
        ) from None
    except RecursionError:
        raise InvalidInput(f"{path} is JSON nested too deeply to be a credential") from None
    if not isinstance(document, dict | str):
        raise InvalidInput(f"{path} is JSON but not a credential: a credential is a JSON object or a VC-JWT")
    return document


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
        f"re-encrypted {done.issuer_keys} signing keys, {done.seal_keys} seal keys, {done.offer_codes} offer codes, "
        f"{done.staff_secrets} console secrets (TOTP, single sign-on) and {done.presentation_answers} wallet answers "
        "to employers' requests"
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

    url, source = _demo_url(settings, args.url)
    settings, _ = prepare_instance(settings.model_copy(update={"public_url": url}))
    summary = run_demo(settings, args.out)
    written = ("ob3.json", "microcredential-ob3.json", "microcredential-edc-sealed.json", "demo-issuer.json")
    print(f"wrote {', '.join(str(args.out / name) for name in written)} (the last: the demo college's API key)")
    print(f"verify one offline with: vetcred verify {args.out / 'ob3.json'}")
    print(f"the demo college is {summary['issuer']}, for the server at {url} ({source})")
    print(_served_here(url, summary["issuerId"]))
    for link in summary["verifyUrls"]:
        print(f"  {link}")
    print(f"the demo college's staff console: accept the owner's invitation ({summary['consoleOwner']}) at")
    print(f"  {summary['consoleInvitationUrl']}")
    return 0


def _demo_url(settings: Settings, given: str | None) -> tuple[str, str]:
    """The public URL the demo mints its DIDs and links for, and where it comes from."""
    from app.config import public_origin

    if given:
        try:
            return public_origin(given, "--url"), "--url"
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
    return _instance_url(settings)


def _instance_url(settings: Settings) -> tuple[str, str]:
    """This instance's public URL, and where it comes from: VETCRED_PUBLIC_URL, else the URL the last ``vetcred
    serve`` here served at (it derives it from --host and --port), else the default."""
    from app.bootstrap import SERVED_URL_FILE, served_url

    if "public_url" in settings.model_fields_set:
        return settings.public_url, "VETCRED_PUBLIC_URL"
    served = served_url(settings)
    if served:
        return served, f"the URL the last `vetcred serve` here used, noted in {settings.keys_dir / SERVED_URL_FILE}"
    return settings.public_url, "the default: no `vetcred serve` has run here yet"


def _served_here(url: str, issuer_id: str) -> str:
    """Whether the server at ``url`` shows this instance's demo college: asks it for the college's DID document."""
    import httpx

    try:
        response = httpx.get(f"{url}/issuers/{issuer_id}/did.json", timeout=5)
    except httpx.HTTPError:
        return (
            f"nothing answers at {url} now: start `vetcred serve` here (same directory and settings) to open the "
            "verification links"
        )
    if response.status_code == 200:
        return f"the server at {url} resolves the demo college's did:web: open a verification link"
    return (
        f"the server at {url} does not know the demo college (HTTP {response.status_code}): it uses another "
        "database; run `vetcred demo` with that server's settings (VETCRED_DATABASE_URL, VETCRED_KEYS_DIR)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
