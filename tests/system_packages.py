"""The Debian packages some tests need beside the Python ones: a test that needs a missing one skips, naming it -
unless VETCRED_REQUIRE_SYSTEM_PACKAGES=1 (as in .ci/run), where it fails, naming it, so that a machine without it
can never pass CI by skipping.

`apt-get install chromium poppler-utils libzbar0 fonts-dejavu-core libcairo2 openssl` installs them all (README).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.servers import CHROMIUM

REQUIRE = "VETCRED_REQUIRE_SYSTEM_PACKAGES"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def missing(package: str, what: str) -> None:
    """Skip the calling test, or fail it when VETCRED_REQUIRE_SYSTEM_PACKAGES=1, saying which package to install."""
    reason = f"{what} is missing: install the Debian package {package} (apt-get install {package})"
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium() -> str:
    """The headless browser (VETCRED_CHROMIUM, default /usr/bin/chromium)."""
    found = shutil.which(CHROMIUM)
    if found is None:
        missing("chromium", f"Chromium ({CHROMIUM})")
    assert found is not None
    return found


def poppler(tool: str) -> str:
    """``pdftotext`` or ``pdftoppm``."""
    found = shutil.which(tool)
    if found is None:
        missing("poppler-utils", tool)
    assert found is not None
    return found


def zbar() -> ModuleType:
    """pyzbar's decoder (a Python test dependency) with the zbar library it loads (libzbar0)."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):
        missing("libzbar0", "the zbar library (QR code decoding, through pyzbar)")
    return pyzbar


def dejavu_fonts() -> Path:
    """DejaVu Sans, which the PDF certificate embeds for letters Helvetica lacks (Ł, Ć, Ț, Ğ, Ő ...)."""
    if not DEJAVU.is_file():
        missing("fonts-dejavu-core", f"DejaVu Sans ({DEJAVU})")
    return DEJAVU
