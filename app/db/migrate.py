"""Apply or roll back the Alembic migrations shipped with vetcred, for a given database URL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import MIGRATIONS_DIR
from app.db.session import normalize_url

# Tables of the job queue (procrastinate, PostgreSQL only): created by migration 0009 from the queue's own schema,
# so they are not described by our models.
QUEUE_PREFIX = "procrastinate_"
# Replicas that start at once each run `vetcred migrate`: the first takes this lock, the others wait and then find
# the database at head (PostgreSQL's advisory lock, held to the end of the migration transaction).
MIGRATION_LOCK = 0x7665746372656400  # "vetcred\0"


def is_ours(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's include_name: our models' tables, not the job queue's."""
    return not (type_ == "table" and name is not None and name.startswith(QUEUE_PREFIX))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a URL (passwords) must be doubled.
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
