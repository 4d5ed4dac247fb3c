"""Check credentials against the official 1EdTech OB 3.0 AchievementCredential JSON Schema (draft 2019-09).

The schema is compiled once by jsonschema-rs: checking a credential costs a fraction of signing it (bench/sign.py),
where the pure-Python ``jsonschema`` cost more than the signature. The verdicts are the same on the official
examples and on credentials broken on purpose (tests/credentials/test_validate_schema.py).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema_rs

from app.config import JSON_SCHEMAS_DIR
from app.errors import CredentialSchemaError


def achievement_credential_schema() -> dict[str, Any]:
    """The official schema as shipped in schemas/."""
    schema: dict[str, Any] = json.loads((JSON_SCHEMAS_DIR / "achievementcredential.json").read_text(encoding="utf-8"))
    return schema


@cache
def achievement_credential_validator() -> jsonschema_rs.Draft201909Validator:
    # Formats (date-time, uri ...) are assertions here, as FormatChecker made them with the Python validator.
    return jsonschema_rs.Draft201909Validator(achievement_credential_schema(), validate_formats=True)


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Each violation as ``path: message``, empty when the credential is valid."""
    validator = achievement_credential_validator()
    if validator.is_valid(credential):
        return []
    errors = sorted(validator.iter_errors(credential), key=lambda e: [str(p) for p in e.instance_path])
    return [f"{'/'.join(str(p) for p in error.instance_path) or '(root)'}: {error.message}" for error in errors]


def check_achievement_credential(credential: dict[str, Any], *, status_array_allowed: bool = False) -> None:
    """Raises on any violation. ``status_array_allowed``: an issuer that opted in to suspension knowingly emits
    two status entries (valid VC 2.0) where the strict OB 3.0 schema allows one; everything else is still checked."""
    if status_array_allowed and isinstance(credential.get("credentialStatus"), list):
        credential = credential | {"credentialStatus": credential["credentialStatus"][0]}
    errors = schema_errors(credential)
    if errors:
        raise CredentialSchemaError("credential fails the OB 3.0 AchievementCredential schema: " + "; ".join(errors))
