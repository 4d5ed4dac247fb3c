"""Production guards, security headers on every page, and rate limits on the public endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.errors import ConfigurationError
from app.main import create_app
from tests.factories import issue, make_achievement, make_issuer

STRONG = "a-strong-admin-token-0123456789abcdefghij"


@pytest.mark.parametrize(
    ("public_url", "message"),
    [
        ("http://credentials.college.example", "must be an https URL"),
        ("http://127.0.0.1:8000", "must be an https URL"),
        ("https://127.0.0.1:8443", "not '127.0.0.1'"),
        ("https://localhost", "not 'localhost'"),
        ("https://10.1.2.3", "not '10.1.2.3'"),
        ("https://[::1]:8443", "not '::1'"),
    ],
)
def test_production_refuses_a_public_url_that_cannot_be_in_dids_for_ever(public_url: str, message: str) -> None:
    settings = Settings(environment="production", admin_token=STRONG, public_url=public_url)
    with pytest.raises(ConfigurationError, match=message):
        settings.check_production()


def test_production_accepts_a_public_https_name_and_refuses_a_weak_token() -> None:
    Settings(
        environment="production", admin_token=STRONG, public_url="https://credentials.college.example"
    ).check_production()
    with pytest.raises(ConfigurationError, match="VETCRED_ADMIN_TOKEN"):
        Settings(environment="production", admin_token="secret", public_url="https://c.example").check_production()


def test_the_container_image_runs_in_production_mode() -> None:
    """The Dockerfile binds 0.0.0.0: without production checks it would mint every DID for http://127.0.0.1:8000."""
    from pathlib import Path

    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    assert "VETCRED_ENVIRONMENT=production" in dockerfile


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    _, headers = make_issuer(client)
    issued = issue(client, headers, make_achievement(client, headers)["id"])
    verify_path = issued["verifyUrl"].removeprefix("https://vetcred.test")
    claim_path = issued["claimUrl"].removeprefix("https://vetcred.test")
    for path in (
        verify_path,
        "/",
        "/verify",
        claim_path,
        "/catalogue",
        "/api/v1/issuers/me",
        "/v/unknown",
        "/status/x",
    ):
        response = client.get(path, headers=headers)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "default-src 'none'" in response.headers["content-security-policy"], path
        assert response.headers["strict-transport-security"] == "max-age=31536000"  # the public URL is https
    for docs in ("/docs", "/redoc"):  # the app's own Swagger UI and ReDoc: scripts from this origin only, not inline
        policy = client.get(docs).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy, docs
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0] and "http" not in policy


def _limited(settings: Settings, **limits: str) -> TestClient:
    off = {"rate_limit_verify": "", "rate_limit_claim": "", "rate_limit_token": "", "rate_limit_auth_failures": ""}
    return TestClient(create_app(settings.model_copy(update=off | limits)))


def test_verification_is_rate_limited_per_client(settings: Settings, empty_database: None) -> None:
    with _limited(settings, rate_limit_verify="3/minute") as client:
        answers = [client.post("/api/v1/verify", json={"not": "a credential"}).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = client.post("/verify", data={"credential": "{}"})
        assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.get("/verify").status_code == 200  # the empty form costs nothing: not limited


def test_claim_pages_and_the_token_endpoint_are_rate_limited(settings: Settings, empty_database: None) -> None:
    with _limited(settings, rate_limit_claim="2/minute", rate_limit_token="1/minute") as client:
        assert [client.get("/claim/guess-1").status_code, client.get("/oid4vci/offers/guess-2").status_code] == [
            404,
            404,
        ]
        assert client.get("/claim/guess-3").status_code == 429
        token = "/oid4vci/token"
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code", "pre-authorized_code": "x"}
        assert client.post(token, data=form).status_code == 400
        assert client.post(token, data=form).status_code == 429


def test_failed_authentication_is_rate_limited(settings: Settings, empty_database: None) -> None:
    with _limited(settings, rate_limit_auth_failures="3/minute") as client:
        _, headers = make_issuer(client)
        for _ in range(5):  # successful requests are not counted
            assert client.get("/api/v1/issuers/me", headers=headers).status_code == 200
        wrong = {"Authorization": "Bearer vck_guessed"}
        assert [client.get("/api/v1/issuers/me", headers=wrong).status_code for _ in range(3)] == [401, 401, 401]
        assert client.get("/api/v1/issuers/me", headers=wrong).status_code == 429
        assert client.get("/api/v1/issuers/me", headers=headers).status_code == 429  # the client, not the key
        assert client.get("/catalogue").status_code == 200  # requests without credentials go on
