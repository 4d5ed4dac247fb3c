"""First start of an instance: check it can write its files, apply migrations, create the master key, and settle
the admin token; and the address ``vetcred serve`` last served this instance at, for ``vetcred demo``."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from app.config import Settings, public_origin
from app.db.migrate import upgrade
from app.db.session import make_engine, make_session_factory
from app.errors import ConfigurationError
from app.issuers.master_key import open_master_key

ADMIN_TOKEN_FILE = "admin.token"
# The public URL of the last `vetcred serve` of this instance (keys dir): `vetcred demo` mints its DIDs for it.
SERVED_URL_FILE = "served-url"


def prepare_instance(settings: Settings) -> tuple[Settings, bool]:
    """Make the instance ready to serve; returns the settings with the admin token and whether it was just made.

    Without ``VETCRED_ADMIN_TOKEN``, development instances keep a generated token in ``keys/admin.token`` (0600)
    so it survives restarts; production refuses to start without a strong token.
    """
    settings.check_production()
    database_file = sqlite_file(settings.database_url)
    if database_file is not None:
        check_writable(database_file.parent, "the database", "VETCRED_DATABASE_URL")
    if (settings.master_key is None and not settings.master_key_path.exists()) or (
        not settings.admin_token and not (settings.keys_dir / ADMIN_TOKEN_FILE).exists()
    ):
        check_writable(settings.keys_dir, "the master key and the admin token", "VETCRED_KEYS_DIR")
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:  # the master key is found (or, for a new database, made) and checked before anything is served
        with make_session_factory(engine)() as session:
            open_master_key(settings, session)
    finally:
        engine.dispose()
    if settings.admin_token:
        return settings, False
    token_file = settings.keys_dir / ADMIN_TOKEN_FILE
    created = not token_file.exists()
    if created:
        _write_secret(token_file, secrets.token_urlsafe(32))
    return settings.model_copy(update={"admin_token": token_file.read_text().strip()}), created


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite database URL (None for other databases and in-memory SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def check_writable(directory: Path, what: str, setting: str) -> None:
    """Makes ``directory`` if need be and writes a file in it; a ``ConfigurationError`` that says what to do
    otherwise (the usual case: a bind-mounted data directory owned by root, and a service running as another user)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        existing = next((p for p in (directory, *directory.parents) if p.exists()), directory)
        owner = ""
        if existing.is_dir():
            status = existing.stat()
            owner = f" ({existing} belongs to uid {status.st_uid}, mode {status.st_mode & 0o777:o})"
        uid = os.geteuid()
        raise ConfigurationError(
            f"cannot write {what} in {directory}: {error.strerror or error}{owner}. It runs as uid {uid}: "
            f"make the directory writable for that user (a bind-mounted directory: `chown -R {uid} <the host "
            f"directory>`, or run the container with `--user` set to the directory's owner), or point {setting} "
            "at a directory it can write"
        ) from None


def record_served_url(settings: Settings) -> None:
    """Notes where ``vetcred serve`` serves this instance, so that ``vetcred demo`` mints DIDs it resolves."""
    # A read-only keys directory (VETCRED_MASTER_KEY given): the demo then needs --url or VETCRED_PUBLIC_URL.
    with contextlib.suppress(OSError):
        (settings.keys_dir / SERVED_URL_FILE).write_text(settings.public_url + "\n", encoding="utf-8")


def served_url(settings: Settings) -> str | None:
    """The public URL the last ``vetcred serve`` of this instance used, if any."""
    try:
        return public_origin((settings.keys_dir / SERVED_URL_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
