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
