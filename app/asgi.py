"""ASGI entry point for process managers (``uvicorn app.asgi:app --workers N --loop asyncio``; why that loop:
docs/verification.md): the app from VETCRED_* settings.

The instance must be prepared first (``vetcred migrate``; set VETCRED_ADMIN_TOKEN), as ``vetcred serve`` does.
"""

from __future__ import annotations

from app.config import Settings
from app.main import create_app
from app.runtime import settle_heap

app = create_app(Settings())
settle_heap()
