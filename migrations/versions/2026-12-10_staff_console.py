"""The staff console: staff accounts, sessions, invitations, sign-in throttling, per-college SSO; and an audit trail
that records staff actions too (an event need not be about a credential).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _issuer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["issuer_id"], ["issuers.id"], name=op.f(f"fk_{table}_issuer_id_issuers"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("totp_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("recovery_codes", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        _issuer_fk("staff_members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_members_email")),
    )
    op.create_index(op.f("ix_staff_members_issuer_id"), "staff_members", ["issuer_id"], unique=False)

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("pending_second_factor", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _issuer_fk("staff_sessions"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_members.id"],
            name=op.f("fk_staff_sessions_member_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_member_id"), "staff_sessions", ["member_id"], unique=False)
    op.create_index(op.f("ix_staff_sessions_issuer_id"), "staff_sessions", ["issuer_id"], unique=False)
    op.create_index(op.f("ix_staff_sessions_expires_at"), "staff_sessions", ["expires_at"], unique=False)

    op.create_table(
        "staff_invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _issuer_fk("staff_invitations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invitations_token_hash")),
    )
    op.create_index(op.f("ix_staff_invitations_issuer_id"), "staff_invitations", ["issuer_id"], unique=False)
    op.create_index(op.f("ix_staff_invitations_email"), "staff_invitations", ["email"], unique=False)

    op.create_table(
        "staff_sign_in_throttles",
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email_hash", name=op.f("pk_staff_sign_in_throttles")),
    )
    op.create_index(
        op.f("ix_staff_sign_in_throttles_locked_until"), "staff_sign_in_throttles", ["locked_until"], unique=False
    )

    op.create_table(
        "staff_oidc_settings",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("provider_url", sa.String(length=2048), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("email_domain", sa.String(length=255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _issuer_fk("staff_oidc_settings"),
        sa.PrimaryKeyConstraint("issuer_id", name=op.f("pk_staff_oidc_settings")),
    )

    op.create_table(
        "staff_oidc_sign_ins",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("next_path", sa.String(length=2000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _issuer_fk("staff_oidc_sign_ins"),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_staff_oidc_sign_ins")),
    )
    op.create_index(op.f("ix_staff_oidc_sign_ins_issuer_id"), "staff_oidc_sign_ins", ["issuer_id"], unique=False)
    op.create_index(op.f("ix_staff_oidc_sign_ins_expires_at"), "staff_oidc_sign_ins", ["expires_at"], unique=False)

    # Audit events about more than credentials: existing rows keep their values (and the API its output).
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("credential_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.alter_column("action", existing_type=sa.String(length=16), type_=sa.String(length=64))
        batch_op.alter_column("actor", existing_type=sa.String(length=255), type_=sa.String(length=400))
        batch_op.add_column(sa.Column("subject", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("detail", JSON_DOCUMENT, nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)


def downgrade() -> None:
    connection = op.get_bind()
    audit = sa.table("audit_events", sa.column("credential_id", sa.String))
    # Staff events have no place in the older table: they go with the console.
    connection.execute(audit.delete().where(audit.c.credential_id.is_(None)))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_column("detail")
        batch_op.drop_column("subject")
        batch_op.alter_column("actor", existing_type=sa.String(length=400), type_=sa.String(length=255))
        batch_op.alter_column("action", existing_type=sa.String(length=64), type_=sa.String(length=16))
        batch_op.alter_column("credential_id", existing_type=sa.String(length=36), nullable=False)

    op.drop_index(op.f("ix_staff_oidc_sign_ins_expires_at"), table_name="staff_oidc_sign_ins")
    op.drop_index(op.f("ix_staff_oidc_sign_ins_issuer_id"), table_name="staff_oidc_sign_ins")
    op.drop_table("staff_oidc_sign_ins")
    op.drop_table("staff_oidc_settings")
    op.drop_index(op.f("ix_staff_sign_in_throttles_locked_until"), table_name="staff_sign_in_throttles")
    op.drop_table("staff_sign_in_throttles")
    op.drop_index(op.f("ix_staff_invitations_email"), table_name="staff_invitations")
    op.drop_index(op.f("ix_staff_invitations_issuer_id"), table_name="staff_invitations")
    op.drop_table("staff_invitations")
    op.drop_index(op.f("ix_staff_sessions_expires_at"), table_name="staff_sessions")
    op.drop_index(op.f("ix_staff_sessions_issuer_id"), table_name="staff_sessions")
    op.drop_index(op.f("ix_staff_sessions_member_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_index(op.f("ix_staff_members_issuer_id"), table_name="staff_members")
    op.drop_table("staff_members")
