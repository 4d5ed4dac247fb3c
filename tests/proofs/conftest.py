"""Fixtures for the proof-layer tests: no network, and a loader with the W3C examples context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.proofs.loader import DocumentLoader
from tests.offline import network_attempts  # noqa: F401  (autouse: these tests run offline)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
EXAMPLES_V2_URL = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture(scope="session")
def examples_loader() -> DocumentLoader:
    """The shipped contexts plus the W3C examples context that the vc-di-eddsa vectors use (tests only)."""
    examples = json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
    return DocumentLoader({EXAMPLES_V2_URL: examples})
