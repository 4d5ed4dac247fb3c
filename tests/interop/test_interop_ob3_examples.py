"""canonize equals plain pyld URDNA2015 on the 7 Open Badges 3.0 spec examples: safe mode changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld

from app.proofs.canonical import canonize
from app.proofs.loader import default_loader

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "vectors" / "ob3" / "examples").glob("*.json"))


def test_all_seven_examples_are_here() -> None:
    assert len(EXAMPLES) == 7


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_canonize_equals_pyld_normalize(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    loader = default_loader()
    expected = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    )
    assert canonize(document, loader) == expected
    assert expected.count("\n") > 10
