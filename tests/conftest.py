"""Test wiring: a real database (SQLite file, or PostgreSQL from VETCRED_TEST_DATABASE_URL), migrated once,
emptied after each test, and the real FastAPI app behind a TestClient.

The tests drop and recreate the ``public`` schema of the PostgreSQL database they are given, so they never read
the service's own ``VETCRED_DATABASE_URL``, and they refuse a database whose name does not say it is for tests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db.base import Base
from app.db.migrate import upgrade
from app.db.session import make_engine
from app.db.verification_generation import VerificationGeneration
from app.main import create_app
from tests import system_packages
from tests.databases import postgres_test_url

ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnop"
PUBLIC_URL = "https://vetcred.test"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = postgres_test_url()
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'vetcred-test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture
def settings(database_url: str, keys_dir: Path) -> Settings:
    # Every EDC made in tests is SHACL-validated before it leaves the service (production samples: see the cohort test).
    return Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        admin_token=ADMIN_TOKEN,
        keys_dir=keys_dir,
        edc_shacl_sample_rate=1.0,
        worker_heartbeat_seconds=1.0,
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _empty_job_queue(connection: Connection) -> None:
    """procrastinate's own tables (PostgreSQL): a job a test left queued, retrying or taken by a stopped worker must
    not hold the next test's worker (its delivery slots, a lock, a stalled worker's record)."""
    if connection.dialect.name != "postgresql":
        return
    tables = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'procrastinate\\_%'")
    ).scalars()
    names = ", ".join(f'"{name}"' for name in tables)
    if names:
        connection.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture
def empty_database(engine: Engine) -> Iterator[None]:
    """Empties every table after the test (children first), so each test starts from nothing."""
    yield
    for attempt in range(5):
        try:
            with engine.begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    if table is not VerificationGeneration.__table__:  # its one row, as the migrations left it
                        connection.execute(table.delete())
                _empty_job_queue(connection)
            return
        except OperationalError:
            # PostgreSQL picked the emptying as a deadlock's victim (a stopped worker's last commit still landing
            # on a loaded machine): that transaction rolled back whole, so emptying again is safe.
            if attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture
def app(settings: Settings, empty_database: None) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def zbar() -> ModuleType:
    """pyzbar's decoder; skips, or fails under VETCRED_REQUIRE_SYSTEM_PACKAGES=1, without libzbar0."""
    return system_packages.zbar()


@pytest.fixture
def chromium() -> str:
    """Chromium's path; skips, or fails under VETCRED_REQUIRE_SYSTEM_PACKAGES=1, without it."""
    return system_packages.chromium()
