"""A college's registered legal identifier and VAT number (EDC issuer), and the mandate of a third party's seal.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 23:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_identifier", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("vat_identifier", sa.String(length=255), nullable=True))
    with op.batch_alter_table("seal_materials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mandate_statement", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seal_materials", schema=None) as batch_op:
        batch_op.drop_column("mandate_statement")
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("vat_identifier")
        batch_op.drop_column("legal_identifier")
