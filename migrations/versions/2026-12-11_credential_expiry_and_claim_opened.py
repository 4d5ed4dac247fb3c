"""A credential's expiry beside its document (so the console can search for expired ones), and when a learner first
opened a claim link.

``credentials.valid_until`` is filled from each stored document's ``validUntil`` (or VC 1.1's ``expirationDate``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-11 10:00:00.000000
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_credentials = sa.table(
    "credentials",
    sa.column("id", sa.String),
    sa.column("document", sa.JSON),
    sa.column("valid_until", sa.DateTime(timezone=True)),
)


def _expiry(document: object) -> datetime | None:
    if isinstance(document, str):  # SQLite hands JSON back as text through a plain table()
        document = json.loads(document)
    if not isinstance(document, dict):
        return None
    value = document.get("validUntil") or document.get("expirationDate")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_credentials_valid_until"), ["valid_until"], unique=False)
    with op.batch_alter_table("claim_links") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    expiring = connection.execute(
        sa.select(_credentials.c.id, _credentials.c.document).where(
            sa.or_(
                sa.cast(_credentials.c.document, sa.Text).like("%validUntil%"),
                sa.cast(_credentials.c.document, sa.Text).like("%expirationDate%"),
            )
        )
    ).all()
    for credential_id, document in expiring:
        expiry = _expiry(document)
        if expiry is not None:
            connection.execute(
                sa.update(_credentials).where(_credentials.c.id == credential_id).values(valid_until=expiry)
            )


def downgrade() -> None:
    with op.batch_alter_table("claim_links") as batch:
        batch.drop_column("opened_at")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_index(batch.f("ix_credentials_valid_until"))
        batch.drop_column("valid_until")
