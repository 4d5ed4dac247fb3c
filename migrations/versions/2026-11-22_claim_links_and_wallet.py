"""Claim links for learners, OpenID4VCI offers and nonces, holder-bound credentials.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "claim_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_claim_links_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_claim_links_token_hash")),
    )
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_links_credential_id"), ["credential_id"], unique=False)

    op.create_table(
        "oid4vci_offers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_link_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_required", sa.Boolean(), nullable=False),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_link_id"],
            ["claim_links.id"],
            name=op.f("fk_oid4vci_offers_claim_link_id_claim_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oid4vci_offers")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oid4vci_offers_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oid4vci_offers_token_hash")),
    )
    with op.batch_alter_table("oid4vci_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oid4vci_offers_claim_link_id"), ["claim_link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oid4vci_offers_code_expires_at"), ["code_expires_at"], unique=False)

    op.create_table(
        "oid4vci_nonces",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_oid4vci_nonces")),
    )
    with op.batch_alter_table("oid4vci_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oid4vci_nonces_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "holder_credentials",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("claim_link_id", sa.String(length=36), nullable=True),
        sa.Column("holder_did", sa.String(length=2048), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_link_id"],
            ["claim_links.id"],
            name=op.f("fk_holder_credentials_claim_link_id_claim_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_holder_credentials_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_credentials")),
    )
    with op.batch_alter_table("holder_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holder_credentials_claim_link_id"), ["claim_link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holder_credentials_credential_id"), ["credential_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("holder_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holder_credentials_credential_id"))
        batch_op.drop_index(batch_op.f("ix_holder_credentials_claim_link_id"))

    op.drop_table("holder_credentials")
    with op.batch_alter_table("oid4vci_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oid4vci_nonces_expires_at"))

    op.drop_table("oid4vci_nonces")
    with op.batch_alter_table("oid4vci_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oid4vci_offers_code_expires_at"))
        batch_op.drop_index(batch_op.f("ix_oid4vci_offers_claim_link_id"))

    op.drop_table("oid4vci_offers")
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_links_credential_id"))

    op.drop_table("claim_links")
