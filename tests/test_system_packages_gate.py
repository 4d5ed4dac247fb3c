"""A test that needs a missing Debian package skips here, and fails in CI (VETCRED_REQUIRE_SYSTEM_PACKAGES=1),
naming the package to install."""

from __future__ import annotations

import pytest

from tests import system_packages


def test_a_missing_package_skips_or_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_packages, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv(system_packages.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"install the Debian package chromium"):
        system_packages.chromium()
    monkeypatch.setenv(system_packages.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        system_packages.chromium()
    assert str(failed.value) == (
        "VETCRED_REQUIRE_SYSTEM_PACKAGES=1 but Chromium (/nonexistent/chromium) is missing: install the Debian "
        "package chromium (apt-get install chromium)"
    )
    monkeypatch.setattr(system_packages.shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match="install the Debian package poppler-utils"):
        system_packages.poppler("pdftotext")
