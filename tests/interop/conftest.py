"""Fixtures for the interoperability tests: no network."""

from __future__ import annotations

from tests.offline import network_attempts  # noqa: F401  (autouse: these tests run offline)
