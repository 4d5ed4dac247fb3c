"""Learners' portfolio links: the link (token hashed, withdrawable) and the credentials picked or uploaded for it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolios",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_portfolios_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portfolios_token_hash")),
    )
    with op.batch_alter_table("portfolios") as batch:
        batch.create_index(batch.f("ix_portfolios_issuer_id"), ["issuer_id"], unique=False)
        batch.create_index(batch.f("ix_portfolios_owner_hash"), ["owner_hash"], unique=False)
    op.create_table(
        "portfolio_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("portfolio_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("uploaded", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_portfolio_items_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_portfolio_items_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_items")),
    )
    with op.batch_alter_table("portfolio_items") as batch:
        batch.create_index(batch.f("ix_portfolio_items_credential_id"), ["credential_id"], unique=False)
        batch.create_index(batch.f("ix_portfolio_items_portfolio_id"), ["portfolio_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portfolio_items") as batch:
        batch.drop_index(batch.f("ix_portfolio_items_portfolio_id"))
        batch.drop_index(batch.f("ix_portfolio_items_credential_id"))
    op.drop_table("portfolio_items")
    with op.batch_alter_table("portfolios") as batch:
        batch.drop_index(batch.f("ix_portfolios_owner_hash"))
        batch.drop_index(batch.f("ix_portfolios_issuer_id"))
    op.drop_table("portfolios")
