"""Each college's branding: display name, colours, e-mail sender name and reply-to, and its logo as a safe PNG.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer_brandings",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("primary_colour", sa.String(length=7), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=True),
        sa.Column("sender_name", sa.String(length=255), nullable=True),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.Column("logo_etag", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_issuer_brandings_issuer_id_issuers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("issuer_id", name=op.f("pk_issuer_brandings")),
    )


def downgrade() -> None:
    op.drop_table("issuer_brandings")
