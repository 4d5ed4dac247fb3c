"""Settings: production refuses weak admin tokens; the public URL must be a bare origin."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.errors import ConfigurationError


@pytest.mark.parametrize("token", [None, "changeme", "admin", "short-token-123"])
def test_production_refuses_placeholder_or_short_admin_token(token: str | None) -> None:
    settings = Settings(environment="production", admin_token=token)
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        settings.check_admin_token()


def test_production_accepts_a_strong_token_and_development_anything() -> None:
    Settings(environment="production", admin_token="x" * 20 + "y" * 20).check_admin_token()
    Settings(environment="development", admin_token="changeme").check_admin_token()


def test_settings_come_from_vetcred_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETCRED_PUBLIC_URL", "https://credentials.college.example/")
    monkeypatch.setenv("VETCRED_DATABASE_URL", "sqlite:///elsewhere.db")
    settings = Settings()
    assert settings.public_url == "https://credentials.college.example"
    assert settings.database_url == "sqlite:///elsewhere.db"


@pytest.mark.parametrize("url", ["ftp://college.example", "https://college.example/vetcred", "college.example"])
def test_public_url_must_be_an_http_origin(url: str) -> None:
    with pytest.raises(ValidationError, match="VETCRED_PUBLIC_URL"):
        Settings(public_url=url)


def test_the_tests_refuse_a_database_not_named_for_tests(monkeypatch) -> None:
    """Tests drop the schema of their PostgreSQL database: never the service's own one, never a production one."""
    from tests.databases import postgres_test_url

    monkeypatch.setenv("VETCRED_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/vetcred")
    monkeypatch.delenv("VETCRED_TEST_DATABASE_URL", raising=False)
    assert postgres_test_url() is None  # the service's variable is ignored: SQLite in a temporary folder
    monkeypatch.setenv("VETCRED_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/vetcred")
    with pytest.raises(pytest.exit.Exception, match="whose name contains 'test'"):
        postgres_test_url()
    monkeypatch.setenv("VETCRED_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/vetcred_test")
    assert postgres_test_url() == "postgresql://postgres@127.0.0.1:5432/vetcred_test"
