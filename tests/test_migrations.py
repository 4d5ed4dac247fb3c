"""Every migration applies and rolls back on an empty database of the backend under test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.db.base import Base
from app.db.migrate import downgrade, is_ours, upgrade
from app.db.session import make_engine
from tests.databases import postgres_test_url


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    url = postgres_test_url()
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"vetcred_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {name for name in inspect(engine).get_table_names() if is_ours(name, "table")} - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_the_model_tables_and_downgrade_removes_them(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    assert _tables(fresh_database_url) == set(Base.metadata.tables)
    downgrade(fresh_database_url)
    assert _tables(fresh_database_url) == set()
    upgrade(fresh_database_url)
    assert _tables(fresh_database_url) == set(Base.metadata.tables)


def test_the_migrations_create_exactly_the_models(fresh_database_url: str) -> None:
    """A model change without its migration (or the reverse) shows up here as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"include_name": is_ours}), Base.metadata
            )
    finally:
        engine.dispose()
    assert differences == []


def test_on_postgresql_the_job_queue_schema_comes_and_goes_with_migration_0009(fresh_database_url: str) -> None:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("the job queue's tables exist on PostgreSQL only (SQLite runs jobs in-process)")
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        queue = {name for name in inspect(engine).get_table_names() if name.startswith("procrastinate_")}
        assert queue == {
            "procrastinate_jobs",
            "procrastinate_events",
            "procrastinate_periodic_defers",
            "procrastinate_workers",
        }
        downgrade(fresh_database_url, "0008")
        with engine.connect() as connection:
            left = connection.execute(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%'")).scalar()
        assert left == 0 and not any(n.startswith("procrastinate_") for n in inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0013_fills_the_expiry_of_stored_credentials(fresh_database_url: str) -> None:
    """Credentials issued before 0013 get ``valid_until`` from their document, so the console finds expired ones."""
    from alembic.script import ScriptDirectory

    from app.db.migrate import alembic_config

    before = ScriptDirectory.from_config(alembic_config(fresh_database_url)).get_revision("0013").down_revision
    assert isinstance(before, str)
    upgrade(fresh_database_url, before)
    engine = make_engine(fresh_database_url)
    documents = {
        "c-expiring": '{"id": "urn:uuid:1", "validUntil": "2027-03-01T12:00:00Z"}',
        "c-vc1": '{"id": "urn:uuid:2", "expirationDate": "2026-01-31T00:00:00+01:00"}',
        "c-open": '{"id": "urn:uuid:3", "validFrom": "2026-01-01T00:00:00Z"}',
    }
    json = "CAST(:document AS JSONB)" if fresh_database_url.startswith("postgresql") else ":document"
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO issuers (id, did, name, profile, allow_suspension, created_at) "
                    f"VALUES ('i1', 'did:web:x', 'X', {json}, false, CURRENT_TIMESTAMP)"
                ),
                {"document": "{}"},
            )
            for n, (credential_id, document) in enumerate(documents.items()):
                connection.execute(
                    text(
                        "INSERT INTO credentials (id, issuer_id, format, recipient_name, document, public_token, "
                        f"status, created_at) VALUES (:id, 'i1', 'ob3', 'L', {json}, :token, 'active', "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"id": credential_id, "document": document, "token": f"t{n}"},
                )
        upgrade(fresh_database_url)
        with engine.connect() as connection:
            found = dict(connection.execute(text("SELECT id, valid_until FROM credentials")).all())
    finally:
        engine.dispose()
    assert found["c-open"] is None
    assert _utc(found["c-expiring"]) == datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert _utc(found["c-vc1"]) == datetime(2026, 1, 30, 23, tzinfo=UTC)


def _utc(value: datetime | str) -> datetime:
    """A timestamp as read back without the ORM: PostgreSQL's aware, SQLite's naive UTC text."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_on_postgresql_credentials_are_compressed_with_lz4_from_migration_0017(fresh_database_url: str) -> None:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("TOAST compression is PostgreSQL's (SQLite stores values as they are)")
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    query = text(
        "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'credentials'::regclass "
        "AND attname IN ('document', 'sealed')"
    )
    try:
        with engine.connect() as connection:
            assert dict(connection.execute(query).all()) == {"document": "l", "sealed": "l"}  # l: lz4
        downgrade(fresh_database_url, "0016")
        with engine.connect() as connection:
            assert dict(connection.execute(query).all()) == {"document": "", "sealed": ""}  # the server's default
    finally:
        engine.dispose()
