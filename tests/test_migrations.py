"""Every migration applies and rolls back on an empty database of the backend under test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.db.base import Base
from app.db.migrate import downgrade, upgrade
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
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
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
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
