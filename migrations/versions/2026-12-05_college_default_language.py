"""A college's default language: the pages, PDFs and e-mails of its credentials fall back to it.

Used when neither ``?lang=``, the language cookie nor the reader's ``Accept-Language`` names a language vetcred
speaks; null means English.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(sa.Column("default_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("default_language")
