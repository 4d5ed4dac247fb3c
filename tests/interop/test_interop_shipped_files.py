"""schemas/ holds the published bytes listed in schemas/SOURCES.md, and the loader serves exactly them."""

from __future__ import annotations

import hashlib
import re

import pytest

from app.config import CONTEXTS_DIR, SCHEMAS_DIR
from app.proofs.loader import SHIPPED_CONTEXTS

# | contexts/file | served for (URL) | copied from | sha256 |
ROW = re.compile(r"^\| (?P<file>[\w./-]+) \| (?P<url>https://\S+) \| \S+ \| (?P<sha256>[0-9a-f]{64}) \|$")
ROWS = [
    match.groupdict()
    for line in (SCHEMAS_DIR / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    if (match := ROW.match(line))
]


def test_sources_table_is_parsed() -> None:
    assert len(ROWS) >= len(SHIPPED_CONTEXTS)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["file"])
def test_sha256(row: dict[str, str]) -> None:
    assert hashlib.sha256((SCHEMAS_DIR / row["file"]).read_bytes()).hexdigest() == row["sha256"]


def test_loader_table_matches_sources() -> None:
    documented = {
        row["url"]: row["file"].removeprefix("contexts/") for row in ROWS if row["file"].startswith("contexts/")
    }
    assert dict(SHIPPED_CONTEXTS) == documented


def test_every_shipped_context_file_is_served() -> None:
    assert {path.name for path in CONTEXTS_DIR.iterdir()} == set(SHIPPED_CONTEXTS.values())
