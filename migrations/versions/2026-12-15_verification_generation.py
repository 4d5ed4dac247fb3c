"""The verification generation: a counter moved by database triggers on every change that can alter a stored
credential's verification (app/db/verification_generation.py), so a page made earlier is served again after one read.

Watched: a college, its keys, branding and e-seal (any change); a status list's bits or signed document; a
credential changed or deleted. Not watched: what issuing adds (new credentials and status lists, index allocations).
PostgreSQL counts once per statement, SQLite (row triggers only) once per row.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-15 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_WATCHED = (
    ("issuers", ("INSERT", "UPDATE", "DELETE")),
    ("issuer_keys", ("INSERT", "UPDATE", "DELETE")),
    ("issuer_brandings", ("INSERT", "UPDATE", "DELETE")),
    ("seal_materials", ("INSERT", "UPDATE", "DELETE")),
    ("status_lists", ("UPDATE OF bits, document", "DELETE")),
    ("credentials", ("UPDATE", "DELETE")),
)
_BUMP = "UPDATE verification_generation SET generation = generation + 1 WHERE id = 1"
_FUNCTION = "vetcred_verification_changed"


def _trigger(table: str, event: str) -> str:
    return f"verification_changed_{table}_{event.split()[0].lower()}"


def upgrade() -> None:
    op.create_table(
        "verification_generation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO verification_generation (id, generation) VALUES (1, 0)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            f"CREATE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
    for table, events in _WATCHED:
        for event in events:
            if postgresql:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
                )
            else:
                op.execute(f"CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON {table} BEGIN {_BUMP}; END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, events in _WATCHED:
        for event in events:
            op.execute(f"DROP TRIGGER {_trigger(table, event)}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute(f"DROP FUNCTION {_FUNCTION}()")
    op.drop_table("verification_generation")
