"""Credential offers get a reference of their own, distinct from the pre-authorized code (kept encrypted).

The offer URI used to carry the pre-authorized code itself, so every access log line of a wallet fetching its offer
held a redeemable code. Now the URI carries a separate reference; the code is stored encrypted under the master key
to be served to whoever holds the reference.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oid4vci_offers") as batch:
        batch.add_column(sa.Column("reference_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("code_encrypted", sa.LargeBinary(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_oid4vci_offers_reference_hash"), ["reference_hash"])


def downgrade() -> None:
    with op.batch_alter_table("oid4vci_offers") as batch:
        batch.drop_constraint(batch.f("uq_oid4vci_offers_reference_hash"), type_="unique")
        batch.drop_column("code_encrypted")
        batch.drop_column("reference_hash")
