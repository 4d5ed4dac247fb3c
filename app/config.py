"""Settings (``VETCRED_*`` environment variables) and the paths of the files vetcred ships."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.errors import ConfigurationError

_PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the top-level folders inside the package (pyproject: force-include); a checkout has them beside it.
_DATA_DIR = _PACKAGE_DIR / "_data" if (_PACKAGE_DIR / "_data").is_dir() else _PACKAGE_DIR.parent

SCHEMAS_DIR = _DATA_DIR / "schemas"
CONTEXTS_DIR = SCHEMAS_DIR / "contexts"
JSON_SCHEMAS_DIR = SCHEMAS_DIR / "jsonschema"
MIGRATIONS_DIR = _DATA_DIR / "migrations"
ALEMBIC_INI = _DATA_DIR / "alembic.ini"

PLACEHOLDER_TOKENS = frozenset({"changeme", "change-me", "admin", "secret", "password", "token", "test"})
MIN_ADMIN_TOKEN_LENGTH = 32


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="VETCRED_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # Where `vetcred serve` listens (its --host/--port override these) and how serve and worker log (docs/security.md).
    # Not VETCRED_PORT: Kubernetes sets <SERVICE>_PORT=tcp://... in every pod for a service named "vetcred".
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_format: Literal["text", "json"] = "text"
    # `vetcred worker` processes; unset: one per core.
    worker_processes: int | None = Field(default=None, ge=1)
    database_url: str = "sqlite:///./vetcred.db"
    public_url: str = "http://127.0.0.1:8000"
    admin_token: str | None = None
    keys_dir: Path = Path("keys")
    # The master key that encrypts every private key (docs/keys.md): keys/master.key by default; for secret stores,
    # VETCRED_MASTER_KEY (64 hex digits or base64 of 32 bytes) or VETCRED_MASTER_KEY_FILE (a path).
    master_key: SecretStr | None = None
    master_key_file: Path | None = None
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # A cohort upload may be larger (a national cohort: tens of thousands of rows).
    max_cohort_bytes: int = Field(default=20_000_000, ge=1024)
    # Jobs (docs/jobs.md): the serving process runs jobs too unless this is off (API replicas beside `vetcred
    # worker`s); rows per chunk, the unit a worker takes; how often workers beat (a worker silent for three beats
    # is stalled, and its jobs are taken up by the others).
    in_process_worker: bool = True
    job_chunk_rows: int = Field(default=50, ge=1, le=1000)
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    # Rate limits per client address (docs/security.md); an empty value turns one off.
    rate_limit_verify: str = "60/minute"
    rate_limit_claim: str = "30/minute"
    rate_limit_token: str = "20/minute"
    rate_limit_auth_failures: str = "20/minute"
    rate_limit_storage: str = "memory://"
    # Verifying other issuers' credentials may need their status lists and did:web documents from the network.
    fetch_remote: bool = False
    # Those documents are reused as long as their Cache-Control/Expires allow, never longer than this (0: never).
    remote_cache_max_seconds: int = Field(default=300, ge=0, le=86_400)
    # Each worker process keeps the outcomes of proofs, seals and schema checks for reuse (docs/verification.md).
    verification_cache_mb: int = Field(default=64, ge=1, le=4096)
    # Trust registries (docs/verification.md): a JSON list [{"name": ..., "url": ...}] inline, or the path or https
    # URL of a file holding one; each url is a registry file (DCC or plain format) or an https URL.
    trust_registries: str | None = None
    trust_registry_refresh_seconds: int = Field(default=3600, ge=60)
    # EDCs: SHACL validation of each specification's first EDC, then of this share of the rest (1.0 = all).
    edc_shacl_sample_rate: float = Field(default=0.001, ge=0, le=1)
    # EDC seals (docs/edc-seals.md): an RFC 3161 time-stamp authority makes seals JAdES B-T (B-LT when the
    # certificates' CRLs can be fetched); unset = B. Issuing fails, to be retried, while the TSA cannot be reached.
    tsa_url: str | None = None
    tsa_timeout_seconds: float = Field(default=10.0, gt=0)
    # EU trusted lists for checking seals: LOTL and/or national TSL locations (files or URLs); empty = not checked.
    eu_trusted_lists: Annotated[list[str], NoDecode] = Field(default_factory=list)
    eu_trusted_list_signers: Path | None = None  # PEM: who may sign the LOTL (the Official Journal's certificates)
    # Follow only these territories' pointers in the LOTL (e.g. ES,NL); empty = all.
    eu_trusted_list_territories: Annotated[list[str], NoDecode] = Field(default_factory=list)
    eu_trusted_lists_refresh_seconds: int = Field(default=21_600, ge=60)
    eu_trusted_lists_timeout_seconds: float = Field(default=30.0, gt=0)
    # Europass wallet delivery (EDCI wallet REST API); unset = off.
    europass_wallet_url: str | None = None
    # Learners and wallets (docs/wallet.md): claim links by e-mail, OpenID4VCI lifetimes.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    claim_link_ttl_days: int = Field(default=30, ge=1)
    # auto: a PIN (OpenID4VCI tx_code) is required, and e-mailed apart from the link, when SMTP is configured.
    claim_tx_code: Literal["auto", "on", "off"] = "auto"
    oid4vci_code_ttl_seconds: int = Field(default=600, ge=1)
    oid4vci_token_ttl_seconds: int = Field(default=600, ge=1)
    oid4vci_nonce_ttl_seconds: int = Field(default=300, ge=1)
    # The staff console (docs/console.md): a session ends this long after sign-in, or after this long unused;
    # this many wrong passwords (or codes) for one e-mail address lock it for the lock-out time; invitations expire.
    console_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    console_idle_minutes: int = Field(default=120, ge=5)
    console_lockout_failures: int = Field(default=10, ge=1)
    console_lockout_minutes: int = Field(default=15, ge=1)
    console_invitation_days: int = Field(default=7, ge=1, le=90)
    rate_limit_console_sign_in: str = "30/minute"

    @field_validator("eu_trusted_lists", "eu_trusted_list_territories", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """``VETCRED_EU_TRUSTED_LISTS=lotl.xml,https://...``: comma-separated in the environment."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("public_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return public_origin(value)

    @property
    def master_key_path(self) -> Path:
        """The master key's file (unused when VETCRED_MASTER_KEY gives the key itself)."""
        return self.master_key_file or self.keys_dir / "master.key"

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def tx_code_required(self) -> bool:
        """Whether wallet offers need a PIN: ``auto`` means yes exactly when it can be e-mailed separately."""
        return self.claim_tx_code == "on" or (self.claim_tx_code == "auto" and self.smtp_configured)

    def check_production(self) -> None:
        """In production: a strong admin token, and a public URL that can be in DIDs and QR codes for ever.

        A did:web and every printed QR code carry the public URL; minted for ``http://127.0.0.1:8000`` (what a
        container listening on 0.0.0.0 would otherwise derive), they could never be resolved or scanned.
        """
        self.check_admin_token()
        if self.environment != "production":
            return
        parts = urlsplit(self.public_url)
        host = parts.hostname or ""
        if parts.scheme != "https":
            raise ConfigurationError(
                f"VETCRED_PUBLIC_URL must be an https URL in production (it is {self.public_url!r}): did:web "
                "identifiers and QR codes are minted from it and must resolve for ever"
            )
        if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost") or _is_private_literal(host):
            raise ConfigurationError(
                f"VETCRED_PUBLIC_URL must be the public name of this service in production, not {host!r}"
            )

    def check_admin_token(self) -> None:
        """Refuse a placeholder or short admin token outside development."""
        token = self.admin_token
        if self.environment == "development":
            return
        if token is None or token.lower() in PLACEHOLDER_TOKENS or len(token) < MIN_ADMIN_TOKEN_LENGTH:
            raise ConfigurationError(
                f"VETCRED_ADMIN_TOKEN must be a random string of at least {MIN_ADMIN_TOKEN_LENGTH} characters "
                "in production (generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )


def public_origin(value: str, name: str = "VETCRED_PUBLIC_URL") -> str:
    """``value`` as a public origin without its trailing slash; ValueError when it is not an http(s) origin."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an absolute http(s) URL")
    if parts.path not in ("", "/"):
        raise ValueError(f"{name} must not have a path (did:web ids are built from its host)")
    return value.rstrip("/")


def _is_private_literal(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global
