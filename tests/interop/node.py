"""Running the Node.js side of the interop tests: whether it is installed, and one process per batch of work.

The npm packages pinned in tests/interop/js are installed by `npm ci --prefix tests/interop/js` (.ci/run does it).
Without Node.js or those packages the tests that need them skip - unless VETCRED_REQUIRE_INTEROP=1, as in CI,
where a missing independent implementation is a failure, not a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.config import CONTEXTS_DIR
from app.proofs.loader import SHIPPED_CONTEXTS

JS_DIR = Path(__file__).resolve().parent / "js"
TIMEOUT_SECONDS = 120


def missing() -> str | None:
    """Why the Node.js side cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    for package in ("@digitalbazaar/vc", "@openid4vc/openid4vci", "@openid4vc/openid4vp", "dcql"):
        if not (JS_DIR / "node_modules" / package).is_dir():
            return f"the npm packages are not installed (npm ci --prefix {JS_DIR})"
    return None


def require() -> None:
    """Skip the calling test when Node.js is missing; fail instead when VETCRED_REQUIRE_INTEROP=1."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("VETCRED_REQUIRE_INTEROP") == "1":
        pytest.fail(f"VETCRED_REQUIRE_INTEROP=1 but {reason}")
    pytest.skip(reason)


def contexts() -> dict[str, str]:
    """The contexts vetcred ships, as the JS offline loader serves them: URL -> file."""
    return {url: str(CONTEXTS_DIR / filename) for url, filename in SHIPPED_CONTEXTS.items()}


def run(script: str, request: dict[str, Any]) -> Any:
    """Runs ``node <script>`` in tests/interop/js with ``request`` as JSON on stdin; its JSON stdout."""
    completed = subprocess.run(
        ["node", script],
        cwd=JS_DIR,
        input=json.dumps({"contexts": contexts(), **request}),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"node {script} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)
