"""Employers' OpenID4VP requests for credentials (app/wallet/openid4vp.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-13 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presentation_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("viewer_hash", sa.String(length=64), nullable=False),
        sa.Column("reference_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("requester", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_encrypted", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentation_requests")),
        sa.UniqueConstraint("reference_hash", name=op.f("uq_presentation_requests_reference_hash")),
        sa.UniqueConstraint("viewer_hash", name=op.f("uq_presentation_requests_viewer_hash")),
    )
    with op.batch_alter_table("presentation_requests") as batch:
        batch.create_index(batch.f("ix_presentation_requests_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("presentation_requests") as batch:
        batch.drop_index(batch.f("ix_presentation_requests_expires_at"))
    op.drop_table("presentation_requests")
