"""The OB 3.0 JSON Schema check runs on jsonschema-rs: the same verdicts as the Python jsonschema validator (draft
2019-09 with format assertions) on the official examples, the DCC fixtures, the OB 3.0 vector, and credentials
broken on purpose."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator, FormatChecker

from app.credentials.validate import achievement_credential_schema, check_achievement_credential, schema_errors
from app.errors import CredentialSchemaError

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
PYTHON = Draft201909Validator(achievement_credential_schema(), format_checker=FormatChecker())


def _documents() -> list[Any]:
    paths = [*sorted((VECTORS / "ob3" / "examples").glob("*.json")), *sorted((VECTORS / "dcc").glob("*.json"))]
    documents = [pytest.param(json.loads(p.read_text(encoding="utf-8")), id=p.name) for p in paths]
    vector = json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))["credential"]
    return [*documents, pytest.param(vector, id="ob3-proof-vector")]


def _broken(document: dict[str, Any]) -> list[dict[str, Any]]:
    variants = []
    for key in ("@context", "type", "issuer", "credentialSubject", "validFrom"):
        variants.append({k: v for k, v in document.items() if k != key})
    for key, value in (("validFrom", "yesterday"), ("validFrom", "2024-13-01T00:00:00Z"), ("id", 42), ("type", "X")):
        variants.append({**document, key: value})
    if isinstance(document.get("credentialSubject"), dict):
        no_achievement = copy.deepcopy(document)
        no_achievement["credentialSubject"].pop("achievement", None)
        variants.append(no_achievement)
    return variants


@pytest.mark.parametrize("document", _documents())
def test_same_verdicts_as_the_python_validator(document: dict[str, Any]) -> None:
    for candidate in [document, *_broken(document)]:
        assert (schema_errors(candidate) == []) == PYTHON.is_valid(candidate), candidate


def test_the_official_example_passes_and_a_broken_one_names_the_field() -> None:
    example = json.loads((VECTORS / "ob3" / "examples" / "completeOpenBadgeCredential.json").read_text("utf-8"))
    check_achievement_credential(example)
    with pytest.raises(CredentialSchemaError, match="validFrom"):
        check_achievement_credential({**example, "validFrom": "yesterday"})
