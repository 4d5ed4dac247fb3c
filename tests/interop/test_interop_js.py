"""Digital Bazaar's JavaScript libraries sign every input of tests/vectors/independent again, to the same bytes.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI
(VETCRED_REQUIRE_INTEROP=1). One Node process signs all the vectors.
"""

from __future__ import annotations

import pytest

from tests.interop import independent_vectors, node

pytestmark = pytest.mark.interop_js


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


def test_the_npm_libraries_sign_every_vector_to_the_same_bytes() -> None:
    for name, text in independent_vectors.generate().items():
        assert text == (independent_vectors.DIRECTORY / name).read_text(encoding="utf-8"), name
