"""Every migration applies and rolls back on an empty database of the backend under test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
