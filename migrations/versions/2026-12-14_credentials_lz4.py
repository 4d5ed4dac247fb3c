"""Credentials' documents compressed with LZ4 on PostgreSQL (where the server has it): four times faster to store.

A micro-credential row stores some 150 kB (the OB 3.0 credential, the EDC with its page images, the sealed EDC),
TOASTed. PostgreSQL's default pglz took about 4 ms of server CPU per row pair in bench/cohort.py's store step,
LZ4 about 1 ms, and the rows came out a third smaller. Only values written from now on are compressed with LZ4;
rows stored before stay readable as they are. SQLite has no TOAST: nothing to do.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_COLUMNS = ("document", "sealed")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    query = sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    return bool(bind.execute(query).scalar())


def upgrade() -> None:
    if _lz4_available():
        for column in _COLUMNS:
            op.execute(f"ALTER TABLE credentials ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in _COLUMNS:
            op.execute(f"ALTER TABLE credentials ALTER COLUMN {column} SET COMPRESSION default")
