"""Issuers (colleges), their encrypted keys, achievements and issued credentials.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 21:42:40.207681
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# JSON documents: JSONB on PostgreSQL, JSON text on SQLite (as app/db/base.py).
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "issuers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("did", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("profile", JSON_DOCUMENT, nullable=False),
        sa.Column("api_key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuers")),
        sa.UniqueConstraint("api_key_hash", name=op.f("uq_issuers_api_key_hash")),
        sa.UniqueConstraint("did", name=op.f("uq_issuers_did")),
    )
    op.create_table(
        "achievements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("definition", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_achievements_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievements")),
    )
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achievements_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "issuer_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=64), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_issuer_keys_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_keys")),
        sa.UniqueConstraint("issuer_id", "key_id", name=op.f("uq_issuer_keys_issuer_id")),
    )
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuer_keys_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "credentials",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("achievement_id", sa.String(length=36), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("recipient_name", sa.String(length=255), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"], ["achievements.id"], name=op.f("fk_credentials_achievement_id_achievements")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_credentials_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("issuer_id", "idempotency_key", name=op.f("uq_credentials_issuer_id")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credentials_achievement_id"), ["achievement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credentials_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credentials_issuer_id"), ["issuer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_credentials_created_at"))
        batch_op.drop_index(batch_op.f("ix_credentials_achievement_id"))

    op.drop_table("credentials")
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_keys_issuer_id"))

    op.drop_table("issuer_keys")
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievements_issuer_id"))

    op.drop_table("achievements")
    op.drop_table("issuers")
