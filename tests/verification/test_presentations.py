"""Presentations made by an independent implementation - Digital Bazaar's @digitalbazaar/vc ``signPresentation`` with
its eddsa-rdfc-2022 and Ed25519Signature2020 suites (tests/interop/js/present.js) - of credentials two colleges
issued through the API, verified through ``POST /api/v1/verify``: one verdict for the holder, one per credential.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.config import Settings
from app.main import create_app
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs.controller_documents import resolve_remote
from app.proofs.data_integrity import AUTHENTICATION
from app.proofs.dids import CompositeResolver, did_document
from app.proofs.loader import default_loader
from app.verification.presentations import verify_presentation
from app.verification.remote import RemoteFetcher
from tests.interop import independent_vectors, node
from tests.servers import serving
from tests.verification.holder import CHALLENGE, DOMAIN, HOLDER, OTHER_SEED, did_of, issued_to, present

pytestmark = pytest.mark.interop_js

SUITES = ("eddsa-rdfc-2022", "Ed25519Signature2020")


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


@pytest.fixture
def client(settings: Settings, empty_database: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def credentials(client: TestClient) -> list[dict[str, Any]]:
    """Two credentials from two colleges, both issued to the holder's DID."""
    return [
        issued_to(client, "Noorderpoort College"),
        issued_to(client, "Rijnmond Vakcollege", name="Forklift Operation"),
    ]


def verify(client: TestClient, presentation: Any, **asked: str) -> dict[str, Any]:
    params = {"challenge": CHALLENGE, "domain": DOMAIN} if not asked else {k: v for k, v in asked.items() if v}
    response = client.post("/api/v1/verify", params=params, json=presentation)
    assert response.status_code == 200, response.text
    return dict(response.json())


def checks(part: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["outcome"] for check in part["checks"]}


@pytest.mark.parametrize("suite", SUITES)
def test_a_presentation_of_two_colleges_credentials_verifies(
    client: TestClient, credentials: list[dict[str, Any]], suite: str
) -> None:
    presentation = present(credentials, suite=suite)
    assert presentation["proof"]["proofPurpose"] == "authentication" and presentation["holder"] == HOLDER

    report = verify(client, presentation)

    assert report["verified"] is True and report["format"] == "vp"
    holder = report["holder"]
    assert (holder["verdict"], holder["id"], holder["challenge"], holder["domain"]) == (
        "verified",
        HOLDER,
        CHALLENGE,
        DOMAIN,
    )
    assert checks(holder) == dict.fromkeys(("structure", "proof", "challenge", "domain", "validity_period"), "passed")
    assert holder["signer"]["method"] == suite and holder["verificationMethod"].startswith(f"{HOLDER}#")
    assert [c["verdict"] for c in report["credentials"]] == ["verified", "verified"]
    assert [c["issuerIdentity"]["name"] for c in report["credentials"]] == [
        "Noorderpoort College",
        "Rijnmond Vakcollege",
    ]
    # Each credential gets its full report, as when it is verified alone.
    alone = client.post("/api/v1/verify", json=credentials[0]).json()
    assert checks(report["credentials"][0]) == checks(alone) and report["credentials"][0]["signer"] == alone["signer"]
    for credential in report["credentials"]:
        assert credential["subjectIsHolder"] is True and credential["holderBinding"]["outcome"] == "passed"


def test_a_tampered_credential_is_not_valid_and_the_other_still_verified(
    client: TestClient, credentials: list[dict[str, Any]]
) -> None:
    tampered = copy.deepcopy(credentials[0])
    tampered["credentialSubject"]["achievement"]["name"] = "Master Welder"
    # The holder changed the credential and then signed the presentation: the holder's proof is intact.
    report = verify(client, present([tampered, credentials[1]]))

    assert report["holder"]["verdict"] == "verified"
    first, second = report["credentials"]
    assert first["verdict"] == "not_valid" and checks(first)["proof"] == "failed"
    assert second["verdict"] == "verified"
    assert report["verified"] is False


def test_a_presentation_changed_after_the_holder_signed_fails_the_holder(
    client: TestClient, credentials: list[dict[str, Any]]
) -> None:
    presentation = present(credentials)
    presentation["verifiableCredential"].pop()
    report = verify(client, presentation)
    assert report["holder"]["verdict"] == "not_valid" and checks(report["holder"])["proof"] == "failed"
    [credential] = report["credentials"]
    # Each credential is still judged on its own; whose it is cannot be said without the holder.
    assert credential["verdict"] == "verified" and credential["holderBinding"]["outcome"] == "could_not_check"


@pytest.mark.parametrize(
    ("asked", "failed"),
    [
        ({"challenge": "not-the-challenge", "domain": DOMAIN}, "challenge"),
        ({"challenge": CHALLENGE, "domain": "https://another-verifier.example"}, "domain"),
    ],
    ids=["wrong-challenge", "wrong-domain"],
)
def test_a_wrong_challenge_or_domain_fails_the_holder_check(
    client: TestClient, credentials: list[dict[str, Any]], asked: dict[str, str], failed: str
) -> None:
    report = verify(client, present(credentials), **asked)
    holder = report["holder"]
    assert holder["verdict"] == "not_valid" and checks(holder)[failed] == "failed"
    assert checks(holder)["proof"] == "passed"  # the signature itself is fine: it was made for someone else
    assert [c["verdict"] for c in report["credentials"]] == ["verified", "verified"]
    assert report["verified"] is False


def test_a_challenge_the_presentation_lacks_fails_and_none_asked_is_not_applicable(
    client: TestClient, credentials: list[dict[str, Any]]
) -> None:
    unchallenged = present(credentials, challenge=None, domain=None)
    assert "challenge" not in unchallenged["proof"]
    report = verify(client, unchallenged)
    assert report["holder"]["verdict"] == "not_valid" and checks(report["holder"])["challenge"] == "failed"

    # A verifier that gave no challenge learns the holder signed, and is told a copy could be replayed.
    report = verify(client, present(credentials), challenge="", domain="")
    holder = report["holder"]
    assert holder["verdict"] == "verified"
    assert checks(holder)["challenge"] == checks(holder)["domain"] == "not_applicable"
    [challenge] = [c for c in holder["checks"] if c["name"] == "challenge"]
    assert CHALLENGE in challenge["reason"] and "copied" in challenge["reason"]


def test_a_credential_whose_subject_is_not_the_holder_is_flagged(client: TestClient) -> None:
    own = issued_to(client, "Noorderpoort College")
    someone_elses = issued_to(client, "Rijnmond Vakcollege", subject=did_of(OTHER_SEED))
    bearer = issued_to(client, "Horizon College", subject=None)

    report = verify(client, present([own, someone_elses, bearer]))

    assert report["holder"]["verdict"] == "verified"
    assert [c["verdict"] for c in report["credentials"]] == ["verified"] * 3  # each genuine in itself
    assert [c["subjectIsHolder"] for c in report["credentials"]] == [True, False, False]
    assert [c["holderBinding"]["outcome"] for c in report["credentials"]] == ["passed", "failed", "could_not_check"]
    assert did_of(OTHER_SEED) in report["credentials"][1]["holderBinding"]["reason"]
    assert report["verified"] is False


def test_a_presentation_signed_by_another_key_than_its_holders_fails(
    client: TestClient, credentials: list[dict[str, Any]]
) -> None:
    other = did_of(OTHER_SEED)
    # Another DID's key signs a presentation that names the holder.
    by_another_did = present(credentials, seed=OTHER_SEED.hex(), holder=HOLDER)
    # Another key signs, claiming to be the holder's key.
    impostor = present(credentials, seed=OTHER_SEED.hex(), verificationMethod=f"{HOLDER}#{HOLDER.split(':')[-1]}")
    assert by_another_did["proof"]["verificationMethod"].startswith(other)

    for presentation, reason in (
        (by_another_did, "controller does not match holder"),
        (impostor, "signature does not match"),
    ):
        report = verify(client, presentation)
        [proof] = [c for c in report["holder"]["checks"] if c["name"] == "proof"]
        assert (report["holder"]["verdict"], proof["outcome"]) == ("not_valid", "failed"), proof
        assert reason in proof["reason"]
        assert report["holder"]["id"] is None
        assert {c["holderBinding"]["outcome"] for c in report["credentials"]} == {"could_not_check"}


@pytest.mark.parametrize("suite", SUITES)
def test_a_vc_1_1_presentation_of_a_vc_1_1_credential(client: TestClient, suite: str) -> None:
    unsigned = json.loads((independent_vectors.DIRECTORY / "inputs" / "ob3-vc1-ed25519-2020.json").read_text("utf-8"))
    unsigned["credentialSubject"]["id"] = HOLDER
    job = {"suite": "Ed25519Signature2020", "seed": independent_vectors.SEED_HEX, "credential": unsigned}
    [text] = node.run("sign.js", {"jobs": [job | {"created": independent_vectors.CREATED}]})
    presentation = present([json.loads(text)], suite=suite, version=1)
    assert presentation["@context"][0] == "https://www.w3.org/2018/credentials/v1"

    report = verify(client, presentation)

    assert report["holder"]["verdict"] == "verified", report["holder"]
    assert "VC 1.1" in report["holder"]["checks"][0]["reason"]
    [credential] = report["credentials"]
    # Signed by a did:key no registry lists: genuine, its issuer unconfirmed.
    assert checks(credential)["proof"] == "passed" and credential["verdict"] == "issuer_not_confirmed"
    assert credential["subjectIsHolder"] is True


def test_a_presentation_of_no_credentials_authenticates_its_holder(client: TestClient) -> None:
    """DIDAuth, as the Learner Credential Wallet answers an exchange: the holder proves its DID, nothing more."""
    report = verify(client, present([]))
    assert report["holder"]["verdict"] == "verified" and report["holder"]["id"] == HOLDER
    assert report["credentials"] == [] and report["verified"] is True


def test_bad_requests(client: TestClient, credentials: list[dict[str, Any]]) -> None:
    response = client.post("/api/v1/verify", params={"challenge": CHALLENGE}, json=credentials[0])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "challenge"
    response = client.post("/api/v1/verify", params={"domain": "x" * 1025}, json=present(credentials))
    assert response.status_code == 422 and "domain" in response.text
    unsigned = present(credentials)
    del unsigned["proof"]
    report = verify(client, unsigned)
    assert report["holder"]["verdict"] == "not_valid" and "no proof" in report["holder"]["checks"][1]["reason"]


@pytest.fixture(scope="module")
def holders_host() -> Iterator[str]:
    """A host publishing two holders' did:web DID documents: holder 1 lists its key under authentication (and
    assertionMethod), holder 2 only under assertionMethod."""
    multibase = HOLDER.removeprefix("did:key:")

    def make_app(base: str) -> Starlette:
        host = base.removeprefix("http://").replace(":", "%3A")
        documents = {}
        for number in (1, 2):
            document = did_document(f"did:web:{host}:holders:{number}", "key-1", multibase)
            if number == 2:
                del document["authentication"]
            documents[f"/holders/{number}/did.json"] = document

        async def serve(request: Request) -> Response:
            found = documents.get(request.url.path)
            return JSONResponse(found) if found else Response(status_code=404)

        return Starlette(routes=[Route("/{path:path}", serve)])

    with serving(make_app) as (base, _app):
        yield base


def test_did_web_holders_need_their_key_under_authentication(holders_host: str) -> None:
    """The domain function on its own, with the holder's DID document fetched through the guarded remote fetcher
    (here allowed to reach the loopback host) and the key authorized for ``authentication``."""
    remote = RemoteFetcher(enabled=True, client=OutboundClient(OutboundPolicy(allow_origins=frozenset({holders_host}))))

    def fetch(url: str) -> dict[str, Any]:  # the did:web's https URL, served by the loopback host over http
        return remote(url.replace("https://", "http://", 1))

    authentication = partial(resolve_remote, fetch=fetch, relationship=AUTHENTICATION)
    resolver = CompositeResolver(lambda _vm: None, remote=authentication)
    host = holders_host.removeprefix("http://").replace(":", "%3A")
    outcomes = {}
    for number in (1, 2):
        did = f"did:web:{host}:holders:{number}"
        presentation = present([], verificationMethod=f"{did}#key-1")
        report = verify_presentation(
            presentation,
            challenge=CHALLENGE,
            domain=DOMAIN,
            resolver=resolver,
            loader=default_loader(),
            now=datetime.now(UTC),
            check_credential=lambda _credential: pytest.fail("no credential to check"),
        )
        outcomes[number] = (report.holder.verdict.value, report.holder_id, report.holder.checks[1].reason)
    assert outcomes[1][:2] == ("verified", f"did:web:{host}:holders:1")
    assert outcomes[2][:2] == ("not_valid", None)
    assert "does not list" in outcomes[2][2] and "under authentication" in outcomes[2][2]
