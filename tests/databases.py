"""Which PostgreSQL database the tests may use: their own variable, and only a database named for tests."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import make_url

TEST_DATABASE_VARIABLE = "VETCRED_TEST_DATABASE_URL"


def postgres_test_url() -> str | None:
    """The PostgreSQL database the tests may wipe, or None to test on a temporary SQLite file."""
    url = os.environ.get(TEST_DATABASE_VARIABLE)
    if not url:
        return None
    database = make_url(url).database or ""
    if not url.startswith("postgres") or "test" not in database.lower():
        pytest.exit(
            f"{TEST_DATABASE_VARIABLE} must name a PostgreSQL database whose name contains 'test' (the tests empty "
            f"it), not {database!r}",
            returncode=4,
        )
    return url
