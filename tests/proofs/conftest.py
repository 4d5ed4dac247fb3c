"""Fixtures for the proof-layer tests: no network, and a loader with the W3C examples context."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from app.proofs.loader import DocumentLoader

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
EXAMPLES_V2_URL = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every test here runs offline: opening a socket or resolving a name fails and is recorded."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
    return attempts


@pytest.fixture(scope="session")
def examples_loader() -> DocumentLoader:
    """The shipped contexts plus the W3C examples context that the vc-di-eddsa vectors use (tests only)."""
    examples = json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
    return DocumentLoader({EXAMPLES_V2_URL: examples})
