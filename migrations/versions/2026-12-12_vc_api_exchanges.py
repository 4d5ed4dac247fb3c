"""VC-API exchanges: how the Learner Credential Wallet takes a claim link's credential (app/wallet/vc_api.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vc_api_exchanges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_link_id", sa.String(length=36), nullable=False),
        sa.Column("reference_hash", sa.String(length=64), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_link_id"],
            ["claim_links.id"],
            name=op.f("fk_vc_api_exchanges_claim_link_id_claim_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vc_api_exchanges")),
        sa.UniqueConstraint("reference_hash", name=op.f("uq_vc_api_exchanges_reference_hash")),
    )
    with op.batch_alter_table("vc_api_exchanges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vc_api_exchanges_claim_link_id"), ["claim_link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vc_api_exchanges_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vc_api_exchanges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vc_api_exchanges_expires_at"))
        batch_op.drop_index(batch_op.f("ix_vc_api_exchanges_claim_link_id"))
    op.drop_table("vc_api_exchanges")
