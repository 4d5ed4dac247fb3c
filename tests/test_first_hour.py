"""The first hour, as a new user lives it: `vetcred serve --port N` then `vetcred demo` and its links verify; the
logs say what happened; every option explains itself; a closed pipe or an unwritable data directory is no
traceback."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from app import __version__
from app.bootstrap import check_writable
from app.cli import build_parser, main
from app.errors import ConfigurationError
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.servers import free_port
from tests.test_cli import _vetcred_serve, _wait_until_healthy

DCC_FIXTURE = Path(__file__).parent / "vectors" / "dcc" / "legacyRegistry-noStatus-noExpiry-basicOBv3.json"


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user who has set no VETCRED_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("VETCRED_")} | extra


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_mints_for_the_port_serve_listens_on_and_that_server_verifies_them(tmp_path: Path) -> None:
    """`vetcred serve --port N`, then a bare `vetcred demo` in the same directory: DIDs for :N, pages say Verified."""
    with _vetcred_serve(tmp_path, {}) as (base, _process, _printed):
        _wait_until_healthy(base)
        port = base.rsplit(":", 1)[1]
        demo = _cli("demo", cwd=tmp_path)
        assert demo.returncode == 0, demo.stderr
        assert f"the server at {base} resolves the demo college's did:web" in demo.stdout
        summary = json.loads((tmp_path / "out" / "demo-issuer.json").read_text())
        assert summary["issuer"].startswith(f"did:web:127.0.0.1%3A{port}:issuers:")
        assert len(summary["verifyUrls"]) == 3
        for link in summary["verifyUrls"]:
            assert link.startswith(f"{base}/v/") and link in demo.stdout
            assert httpx.get(f"{link}/report.json").json()["verdict"] == "verified", link
            page = httpx.get(link).text
            assert "Verified" in page.split('id="verdict-headline"', 1)[1].split("</h1>", 1)[0], link
        # The staff console's way in: the demo college's owner invitation, opened on the server that serves it.
        invitation = summary["consoleInvitationUrl"]
        assert invitation.startswith(f"{base}/console/invitations/") and invitation in demo.stdout
        joining = httpx.get(invitation)
        assert joining.status_code == 200 and summary["consoleOwner"] in joining.text
    verify = _cli("verify", "out/ob3.json", cwd=tmp_path)
    assert verify.returncode == 0 and json.loads(verify.stdout)["verified"] is True


def test_demo_url_option_and_what_it_says_when_nothing_serves_there(tmp_path: Path) -> None:
    port = free_port()
    demo = _cli("demo", "--out", "here", "--url", f"http://127.0.0.1:{port}/", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert json.loads((tmp_path / "here" / "ob3.json").read_text())["issuer"]["id"].startswith(
        f"did:web:127.0.0.1%3A{port}:issuers:"
    )
    assert f"for the server at http://127.0.0.1:{port} (--url)" in demo.stdout
    assert f"nothing answers at http://127.0.0.1:{port} now: start `vetcred serve`" in demo.stdout
    wrong = _cli("demo", "--url", "http://127.0.0.1:9000/some/path", cwd=tmp_path)
    assert (
        wrong.returncode == 2
        and wrong.stderr == "vetcred: --url must not have a path (did:web ids are built from its host)\n"
    )


def test_json_logs_say_where_the_claim_link_is_and_never_hold_it(tmp_path: Path) -> None:
    """Without SMTP the claim link goes back to the caller; the log says so, as JSON, without the link."""
    token = ADMIN["Authorization"].removeprefix("Bearer ")
    with _vetcred_serve(tmp_path, {"VETCRED_ADMIN_TOKEN": token}, "--log-format", "json") as (base, _, printed):
        _wait_until_healthy(base)
        key = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()["apiKey"]
        auth = {"Authorization": f"Bearer {key}"}
        achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=auth).json()
        issued = httpx.post(f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=auth)
        assert issued.status_code == 201, issued.text
    claim_token = issued.json()["claimUrl"].rsplit("/", 1)[1]
    records = [json.loads(line) for line in printed if line.startswith("{")]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r["logger"] == "uvicorn.access" and "POST /api/v1/credentials" in r["message"] for r in records)
    (claim,) = [r for r in records if r["logger"] == "vetcred.wallet"]
    assert claim["level"] == "INFO" and claim["message"] == (
        f"claim link for credential {issued.json()['id']} not e-mailed (no SMTP server is configured): it is in the "
        "API response's claimUrl, or in the job's result for a cohort; POST "
        f"/api/v1/credentials/{issued.json()['id']}/claim/reissue makes a new one"
    )
    assert claim_token not in "\n".join(printed)
    # Besides the lines serve prints for the operator (URL, docs, admin token), every line is a JSON record.
    assert all(line.startswith("{") for line in printed if not line.startswith(("vetcred ", "API docs", "The admin")))


def test_the_log_level_comes_from_the_environment(tmp_path: Path) -> None:
    with _vetcred_serve(tmp_path, {"VETCRED_LOG_LEVEL": "WARNING"}) as (base, _, printed):
        _wait_until_healthy(base)
    output = "\n".join(printed)
    assert "API docs" in output and "uvicorn.access" not in output and " INFO " not in output


def test_every_option_says_what_it_does_its_default_and_its_environment_variable() -> None:
    def options(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, argparse.Action]]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += options(sub, f"{path} {name}")
            elif action.option_strings and action.dest not in ("help", "version"):
                found.append((f"{path} {action.option_strings[0]}", action))
            elif not action.option_strings:
                assert action.help, f"{path} {action.dest} has no help"
        return found

    every = dict(options(build_parser(), "vetcred"))
    assert len(every) >= 14
    for name, action in every.items():
        assert action.help and ("default" in action.help or "(required)" in action.help), name
    settings_backed = {
        "vetcred serve --host": "VETCRED_LISTEN_HOST",
        "vetcred serve --port": "VETCRED_LISTEN_PORT",
        "vetcred serve --log-level": "VETCRED_LOG_LEVEL",
        "vetcred serve --log-format": "VETCRED_LOG_FORMAT",
        "vetcred worker --processes": "VETCRED_WORKER_PROCESSES",
        "vetcred worker --log-level": "VETCRED_LOG_LEVEL",
        "vetcred worker --log-format": "VETCRED_LOG_FORMAT",
        "vetcred cohort upload --url": "VETCRED_PUBLIC_URL",
        "vetcred cohort upload --api-key": "VETCRED_API_KEY",
        "vetcred demo --url": "VETCRED_PUBLIC_URL",
    }
    for name, variable in settings_backed.items():
        assert variable in (every[name].help or ""), name
    assert "(default: 8000; environment: VETCRED_LISTEN_PORT)" in (every["vetcred serve --port"].help or "")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"vetcred {__version__}\n"


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`vetcred verify FILE | head -1` once head has gone: no traceback, the exit status of a tool killed by SIGPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before vetcred writes a byte
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "app.cli", "verify", str(DCC_FIXTURE)],
            cwd=tmp_path,
            env=_clean_env(VETCRED_DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}"),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert completed.stderr == "" and completed.returncode == 141


def _as_another_user(directory: Path) -> str:
    """What ``check_writable(directory)`` says to a user who may not write there: as root, in a forked child that
    becomes nobody (uid 65534); otherwise this user, with the directory made read-only."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            check_writable(directory, "the database", "VETCRED_DATABASE_URL")
        except ConfigurationError as error:
            return error.detail
        finally:
            directory.chmod(0o755)
        return "no error"
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        said = "no error"
        try:
            os.setgid(65534)
            os.setuid(65534)
            check_writable(directory, "the database", "VETCRED_DATABASE_URL")
        except ConfigurationError as error:
            said = error.detail
        finally:
            os.write(write_end, said.encode())
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as said:
        return said.read()


def test_a_data_directory_the_service_cannot_write_says_what_to_do() -> None:
    """A bind-mounted /data owned by root (0755), and the service running as another user (the container's)."""
    base = Path(tempfile.mkdtemp(prefix="vetcred-data-"))
    try:
        base.chmod(0o755)
        data = base / "data"
        data.mkdir(mode=0o755)
        uid = 65534 if os.geteuid() == 0 else os.geteuid()
        owner = data.stat().st_uid
        mode = "755" if os.geteuid() == 0 else "555"
        assert _as_another_user(data) == (
            f"cannot write the database in {data}: Permission denied ({data} belongs to uid {owner}, mode {mode}). "
            f"It runs as uid {uid}: make the directory writable for that user (a bind-mounted directory: `chown -R "
            f"{uid} <the host directory>`, or run the container with `--user` set to the directory's owner), or point "
            "VETCRED_DATABASE_URL at a directory it can write"
        )
    finally:
        shutil.rmtree(base)


def test_a_keys_directory_that_cannot_be_made_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("VETCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'vetcred.db'}")
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(tmp_path / "a-file" / "keys"))
    monkeypatch.delenv("VETCRED_MASTER_KEY", raising=False)
    assert main(["demo", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vetcred: cannot write the master key and the admin token in {tmp_path}/a-file/keys")
    assert "point VETCRED_KEYS_DIR at a directory it can write" in err
