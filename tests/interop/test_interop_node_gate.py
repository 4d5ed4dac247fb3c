"""The Node.js tests skip where Node.js or the npm packages are missing, and fail there when CI requires them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop import node


def test_missing_packages_skip_or_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(node, "JS_DIR", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VETCRED_REQUIRE_INTEROP", raising=False)
    with pytest.raises(pytest.skip.Exception):
        node.require()
    monkeypatch.setenv("VETCRED_REQUIRE_INTEROP", "1")
    with pytest.raises(pytest.fail.Exception, match="VETCRED_REQUIRE_INTEROP=1 but"):
        node.require()
