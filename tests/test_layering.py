"""Only the HTTP edge (api/, web/, console/) imports FastAPI/Starlette; the pure layers import no database or web
framework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
WEB_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")
PURE = ("proofs", "status/bitstring.py", "verification")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "_data" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(APP)))
def test_layers(path: Path) -> None:
    relative = path.relative_to(APP)
    imports = _imports(path)
    edge = relative.parts[0] in ("api", "web", "console") or relative.name in ("main.py", "cli.py")
    if not edge:
        assert not {i for i in imports if i.split(".")[0] in WEB_FRAMEWORKS}, f"{relative} imports a web framework"
    if relative.parts[0] in PURE or str(relative) in PURE:
        assert not {i for i in imports if i.split(".")[0] == "sqlalchemy" or i.startswith("app.db")}, (
            f"{relative} is a pure layer but imports the database"
        )
