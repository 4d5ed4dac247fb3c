"""Declarative base with a naming convention, so Alembic migrations name constraints the same on every backend."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar

import orjson
from sqlalchemy import JSON, DateTime, Dialect, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON documents are stored as JSONB on PostgreSQL (compact, indexable) and as JSON text on SQLite.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def json_serializer(value: Any) -> str:
    """The engines' JSON serializer: orjson's text, or for what orjson refuses (such as a lone surrogate in a wallet's
    document) what ``json.dumps`` writes."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC datetimes only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every server default has a Python default beside it, so an INSERT has nothing to read back. Left to "auto",
    # the ORM asks for RETURNING on tables with server defaults, and SQLAlchemy then turns a cohort chunk's inserts
    # into one statement of thousands of parameters that psycopg parses afresh each time (a third of the flush's CPU).
    __mapper_args__ = MappingProxyType({"eager_defaults": False})
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonDocument, datetime: UtcDateTime}
