"""First start of an instance: apply migrations, create the master key, and settle the admin token."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.config import Settings
from app.db.migrate import upgrade
from app.db.session import make_engine, make_session_factory
from app.issuers.master_key import open_master_key

ADMIN_TOKEN_FILE = "admin.token"


def prepare_instance(settings: Settings) -> tuple[Settings, bool]:
    """Make the instance ready to serve; returns the settings with the admin token and whether it was just made.

    Without ``VETCRED_ADMIN_TOKEN``, development instances keep a generated token in ``keys/admin.token`` (0600)
    so it survives restarts; production refuses to start without a strong token.
    """
    settings.check_production()
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
