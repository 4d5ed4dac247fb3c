"""Check credentials against the official 1EdTech OB 3.0 AchievementCredential JSON Schema (draft 2019-09)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

from app.config import JSON_SCHEMAS_DIR
from app.errors import CredentialSchemaError


@cache
def achievement_credential_validator() -> Draft201909Validator:
    schema = json.loads((JSON_SCHEMAS_DIR / "achievementcredential.json").read_text(encoding="utf-8"))
    # FormatChecker enforces date-time only with rfc3339-validator installed (a dependency of vetcred).
    return Draft201909Validator(schema, format_checker=FormatChecker())


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Each violation as ``path: message``, empty when the credential is valid."""
    errors = sorted(achievement_credential_validator().iter_errors(credential), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in error.path) or '(root)'}: {error.message}" for error in errors]


def check_achievement_credential(credential: dict[str, Any], *, status_array_allowed: bool = False) -> None:
    """Raises on any violation. ``status_array_allowed``: an issuer that opted in to suspension knowingly emits
    two status entries (valid VC 2.0) where the strict OB 3.0 schema allows one; everything else is still checked."""
    if status_array_allowed and isinstance(credential.get("credentialStatus"), list):
        credential = credential | {"credentialStatus": credential["credentialStatus"][0]}
    errors = schema_errors(credential)
    if errors:
        raise CredentialSchemaError("credential fails the OB 3.0 AchievementCredential schema: " + "; ".join(errors))
