"""Engine and session factory for a database URL; SQLite gets foreign keys and a busy timeout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.db.base import json_serializer

WRITES = "vetcred_writes"


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, connections: int = 10, autocommit: bool = False) -> Engine:
    """An engine with a pool of up to ``connections`` (twice that on PostgreSQL, with overflow; ``1``: exactly one,
    for a single thread's use). ``autocommit``: for single statements on the driver's connection, each its own
    transaction: nothing to end when the connection goes back, and no ping before it is handed out (one round trip
    per statement on PostgreSQL, not three)."""
    url = normalize_url(url)
    overflow = connections if connections > 1 else 0
    options: dict[str, Any] = {"json_serializer": json_serializer}
    if autocommit:
        options |= {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if url.startswith("sqlite"):
        pool = {} if connections > 1 else {"pool_size": 1, "max_overflow": 0}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=not autocommit, pool_size=connections, max_overflow=overflow, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so SAVEPOINTs work (SQLAlchemy's pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A transaction that will write takes SQLite's write lock at once (BEGIN IMMEDIATE) and waits for it (the busy
    # timeout). A deferred one that reads first and writes later fails with "database is locked" if another
    # writer committed in between: that is an error, never a lost update, but a 500 for the caller.
    immediate = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine, *, writes: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``writes`` for transactions that change data (SQLite: BEGIN IMMEDIATE)."""
    bind = engine.execution_options(**{WRITES: True}) if writes else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
