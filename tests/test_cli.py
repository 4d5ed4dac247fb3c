"""The command line as a user runs it: demo, verify, and serve from nothing on SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import ANY

import httpx
import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings
from app.credentials.edc_profiles import GENERIC, MANDATE_EVIDENCE, MANDATED
from app.credentials.edc_shacl import validate_edc
from app.main import create_app
from tests.factories import issuer_payload
from tests.interop import node
from tests.servers import free_port
from tests.verification.holder import CHALLENGE, DOMAIN, issued_to, present


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings, empty_database: None) -> Settings:
    monkeypatch.setenv("VETCRED_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("VETCRED_ADMIN_TOKEN", settings.admin_token or "")
    monkeypatch.setenv("VETCRED_PUBLIC_URL", settings.public_url)
    return settings


def test_demo_writes_a_credential_that_verify_accepts(cli_env: Settings, tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    credential = json.loads((tmp_path / "ob3.json").read_text())
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert len(credential["credentialSubject"]["result"]) == 8
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "ob3.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verified"] is True

    for name in ("microcredential-ob3.json", "microcredential-edc-sealed.json"):  # a micro-credential, both formats
        assert main(["verify", str(tmp_path / name)]) == 0, name
        assert json.loads(capsys.readouterr().out)["verdict"] == "verified"

    demo_edc_carries_what_the_commissions_sample_carries(tmp_path / "microcredential-edc-sealed.json")

    credential["credentialSubject"]["name"] = "Someone Else"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(credential))
    assert main(["verify", str(tampered)]) == 1
    assert json.loads(capsys.readouterr().out)["verified"] is False


DCC_FIXTURE = Path(__file__).parent / "vectors" / "dcc" / "legacyRegistry-noStatus-noExpiry-basicOBv3.json"
DCC_FIXTURE_DID = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def test_verify_a_did_key_credential_without_any_database(tmp_path: Path, monkeypatch, capsys) -> None:
    """A valid signature by a signer nobody vouches for: not "verified", and the exit code says so."""
    monkeypatch.setenv("VETCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(tmp_path / "keys"))
    assert main(["verify", str(DCC_FIXTURE)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "issuer_not_confirmed" and report["verified"] is False
    assert report["signer"]["id"] == DCC_FIXTURE_DID and report["issuerIdentity"]["confirmed"] is False


def test_verify_with_a_dcc_registry_file_that_lists_the_signer(tmp_path: Path, monkeypatch, capsys) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(
        json.dumps(
            {
                "meta": {"created": "2022-10-27T17:57:31+00:00", "updated": "2025-03-25T18:29:52+0000"},
                "registry": {DCC_FIXTURE_DID: {"name": "DCC Test Issuer", "location": "Cambridge, MA, USA"}},
            }
        )
    )
    monkeypatch.setenv("VETCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("VETCRED_TRUST_REGISTRIES", json.dumps([{"name": "DCC Sandbox", "url": str(registry)}]))
    assert main(["verify", str(DCC_FIXTURE)]) == 0
    identity = json.loads(capsys.readouterr().out)["issuerIdentity"]
    assert identity["confirmed"] is True and identity["name"] == "DCC Test Issuer"
    assert identity["listedIn"] == [
        {"name": "DCC Sandbox", "kind": "registry", "updated": "2025-03-25T18:29:52+00:00", "loadedAt": ANY}
    ]


def test_a_registry_file_that_cannot_be_read_stops_the_command(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VETCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("VETCRED_TRUST_REGISTRIES", json.dumps([{"name": "Ours", "url": str(tmp_path / "missing")}]))
    assert main(["verify", str(DCC_FIXTURE)]) == 2
    assert "the registry 'Ours' could not be loaded" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "is an empty file"),
        (b" \n\t\n", "is an empty file"),
        (b"{not json", "is not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        (b"[1, 2]", "is JSON but not a credential: a credential is a JSON object or a VC-JWT"),
        (b"\xff\xfe{}", "is not text (UTF-8)"),
    ],
)
def test_verify_says_what_is_wrong_with_the_file(tmp_path: Path, capsys, content: bytes, said: str) -> None:
    (tmp_path / "bad.json").write_bytes(content)
    assert main(["verify", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vetcred: {tmp_path / 'bad.json'} {said}") and "Traceback" not in err


def test_verify_says_when_the_file_is_missing(tmp_path: Path, capsys) -> None:
    assert main(["verify", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err == f"vetcred: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"


def test_verify_a_presentation_with_the_challenge_and_domain_given(cli_env: Settings, tmp_path: Path, capsys) -> None:
    """A wallet's presentation (signed by Digital Bazaar's library) of a credential a college of this database issued
    to the holder: verified with the challenge and domain the holder was given, not with another challenge."""
    node.require()
    with TestClient(create_app(cli_env)) as client:
        credential = issued_to(client, "Noorderpoort College")
    presented = tmp_path / "presentation.json"
    presented.write_text(json.dumps(present([credential])))
    assert main(["verify", str(presented), "--challenge", CHALLENGE, "--domain", DOMAIN]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["holder"]["verified"] is True and report["credentials"][0]["subjectIsHolder"] is True

    assert main(["verify", str(presented), "--challenge", "another-challenge", "--domain", DOMAIN]) == 1
    checks = {c["name"]: c["outcome"] for c in json.loads(capsys.readouterr().out)["holder"]["checks"]}
    assert checks["challenge"] == "failed" and checks["domain"] == "passed"

    (tmp_path / "credential.json").write_text(json.dumps(credential))
    assert main(["verify", str(tmp_path / "credential.json"), "--challenge", CHALLENGE]) == 2
    assert "--challenge and --domain are for a presentation" in capsys.readouterr().err


@contextmanager
def _vetcred_serve(
    tmp_path: Path, env: dict[str, str], *options: str
) -> Iterator[tuple[str, subprocess.Popen[str], list[str]]]:
    """``vetcred serve --port <free> [options]`` as a user starts it, in ``tmp_path``; yields the base URL, the
    process and, once the block ends, every line it printed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *options],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("VETCRED_")} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    try:
        yield f"http://127.0.0.1:{port}", process, printed
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        printed.extend(output.splitlines())


def _wait_until_healthy(base: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} did not start")


def test_serve_starts_from_nothing_and_resolves_its_did_web(tmp_path: Path) -> None:
    """The README's first command on a fresh directory: migrations, master key, admin token, then serving."""
    with _vetcred_serve(tmp_path, {}) as (base, process, printed):
        token = None
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("Admin token: "):
                token = line.split(": ", 1)[1].strip()
        assert token, "serve did not print the admin token"
        assert (tmp_path / "keys" / "master.key").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "vetcred.db").exists()
        _wait_until_healthy(base)
        created = httpx.post(
            f"{base}/api/v1/issuers", json=issuer_payload(), headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        did = created.json()["did"]
        assert did == f"did:web:127.0.0.1%3A{base.rsplit(':', 1)[1]}:issuers:{created.json()['id']}"
        assert httpx.get(f"{base}/issuers/{created.json()['id']}/did.json").json()["id"] == did
        # Secrets in URLs never reach the access log.
        assert httpx.get(f"{base}/claim/learner-claim-token-123").status_code == 404
        assert httpx.get(f"{base}/oid4vci/offers/offer-reference-456").status_code == 404
    output = "\n".join(printed)
    assert "/claim/<redacted>" in output and "/oid4vci/offers/<redacted>" in output
    assert "learner-claim-token-123" not in output and "offer-reference-456" not in output


def test_serve_never_prints_a_token_it_did_not_make(tmp_path: Path) -> None:
    supplied = "operator-supplied-token-0123456789abcdef"
    with _vetcred_serve(tmp_path, {"VETCRED_ADMIN_TOKEN": supplied}) as (base, _, printed):
        _wait_until_healthy(base)
    output = "\n".join(printed)
    assert "API docs" in output and supplied not in output and "Admin token" not in output


def demo_edc_carries_what_the_commissions_sample_carries(path: Path) -> None:
    """Evidence, a certificate number, the learning activity, the Qualification's type; every declared shape met."""
    edc = json.loads(json.loads(path.read_text())["payload"])
    assert [e["dcType"]["id"] for e in edc["evidence"]] == [MANDATE_EVIDENCE.uri]
    assert edc["identifier"][0]["schemeName"] == "Certificate number"
    assert edc["identifier"][0]["notation"] == "RVC-HP-00001"
    claim = edc["credentialSubject"]["hasClaim"][0]
    assert claim["influencedBy"][0]["type"] == "LearningActivity"
    assert claim["influencedBy"][0]["temporal"]["startDate"] == "2026-09-07T00:00:00Z"
    assert claim["specifiedBy"]["dcType"][0]["prefLabel"] == {"en": "Short learning programme"}
    assert [s["id"] for s in edc["credentialSchema"]] == [GENERIC.schema, MANDATED.schema]
    assert validate_edc(edc) == []
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == "NL:VETCRED-TEST-ONLY-DEMO-SEALER"
    assert not edc["issuer"]["eIDASIdentifier"]["notation"].startswith("did:")


def test_cohort_upload_follows_the_job_and_writes_its_result(
    settings: Settings, empty_database: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.main import create_app
    from tests.factories import ADMIN, assessment_row, microcredential_payload
    from tests.servers import serving

    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        key = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()["apiKey"]
        auth = {"Authorization": f"Bearer {key}"}
        spec = httpx.post(f"{base}/api/v1/microcredentials", json=microcredential_payload(), headers=auth).json()
        cohort = tmp_path / "cohort.json"
        cohort.write_text(json.dumps([assessment_row(n) for n in range(1, 4)]))
        out = tmp_path / "result.csv"
        code = main(
            [
                "cohort",
                "upload",
                str(cohort),
                "--spec",
                spec["id"],
                "--url",
                base,
                "--api-key",
                key,
                "--result",
                str(out),
            ]
        )
    assert code == 0, capsys.readouterr()
    assert "completed: 3 issued" in capsys.readouterr().out
    assert out.read_text().count("/claim/") == 3 and out.stat().st_mode & 0o077 == 0


def test_cohort_upload_says_what_is_wrong_with_the_file_or_the_server(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def upload(file: Path, url: str = "http://127.0.0.1:9") -> str:
        code = main(["cohort", "upload", str(file), "--spec", "s", "--url", url, "--api-key", "vck_x"])
        assert code == 2
        return capsys.readouterr().err

    assert upload(tmp_path / "missing.csv").startswith(f"vetcred: cannot read {tmp_path / 'missing.csv'}")
    broken = tmp_path / "cohort.json"
    broken.write_text('[{"givenName": ')
    assert f"vetcred: {broken} is not a CSV file (by its name) nor JSON" in upload(broken)
    rows = tmp_path / "cohort.csv"
    rows.write_text("givenName,familyName\nNoa,Jansen\n")
    assert "vetcred: cannot reach vetcred at http://127.0.0.1:9 (ConnectError): is it running?" in upload(rows)
