"""Several API keys per college (rotation, revocation), and deactivated colleges.

The one ``issuers.api_key_hash`` becomes the first row of ``api_keys`` for each college.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 23:00:00.000000
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_api_keys_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_issuer_id"), "api_keys", ["issuer_id"], unique=False)
    connection = op.get_bind()
    issuers = connection.execute(sa.text("SELECT id, api_key_hash, created_at FROM issuers")).all()
    api_keys = sa.table(
        "api_keys",
        sa.column("id", sa.String),
        sa.column("issuer_id", sa.String),
        sa.column("key_hash", sa.String),
        sa.column("label", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    if issuers:
        op.bulk_insert(
            api_keys,
            [
                {"id": str(uuid.uuid4()), "issuer_id": i, "key_hash": h, "label": "first key", "created_at": c}
                for i, h, c in issuers
            ],
        )
    with op.batch_alter_table("issuers") as batch:
        batch.drop_constraint(batch.f("uq_issuers_api_key_hash"), type_="unique")
        batch.drop_column("api_key_hash")
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("deactivated_at")
        batch.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    # Each college gets back its newest live key (any other key stops working: one column holds one key); a college
    # without a live key gets an unusable random hash.
    for issuer_id, key_hash in connection.execute(
        sa.text("SELECT issuer_id, key_hash FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at")
    ).all():
        connection.execute(
            sa.text("UPDATE issuers SET api_key_hash = :h WHERE id = :i"), {"h": key_hash, "i": issuer_id}
        )
    for (issuer_id,) in connection.execute(sa.text("SELECT id FROM issuers WHERE api_key_hash IS NULL")).all():
        connection.execute(
            sa.text("UPDATE issuers SET api_key_hash = :h WHERE id = :i"), {"h": uuid.uuid4().hex * 2, "i": issuer_id}
        )
    with op.batch_alter_table("issuers") as batch:
        batch.alter_column("api_key_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(batch.f("uq_issuers_api_key_hash"), ["api_key_hash"])
    op.drop_index(op.f("ix_api_keys_issuer_id"), table_name="api_keys")
    op.drop_table("api_keys")
