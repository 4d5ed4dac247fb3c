"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from assets the app serves itself (``static/apidocs/SOURCES.md``),
so they work offline and under a Content-Security-Policy without inline scripts or other origins."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()
ASSETS = "/static/apidocs"

_SWAGGER_UI = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>vetcred: API documentation</title>
  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSETS}/swagger-ui-bundle.js"></script>
  <script src="{ASSETS}/swagger-init.js"></script>
</body>
</html>
"""

_REDOC = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>vetcred: API reference</title>
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="{ASSETS}/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_UI)


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    return HTMLResponse(_REDOC)
