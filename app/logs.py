"""Logging for ``vetcred serve`` and ``vetcred worker``, and access log lines without secrets.

Claim tokens, credential offer references and portfolio tokens are replaced before logging: whoever reads a log
must not be able to open a learner's claim page, take their credential into a wallet or see what they shared only
with the people they gave the link to (docs/security.md).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The secret is the path segment after each of these: claim links /claim/<token>[/all], wallet offers
# /oid4vci/offers/<reference>, VC-API exchanges /exchanges/<reference>, portfolio links /p/<token>, staff
# invitations /console/invitations/<token>, employers' request pages /request/<viewer> and their wallets' response
# URIs /openid4vp/responses/<reference>.
_SECRET_PATHS = re.compile(
    r"(/claim/|/oid4vci/offers/|/exchanges/|/p/|/console/invitations/|/request/|/openid4vp/responses/)[^/?#\s\"]+"
)
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """``text`` with every claim token, offer or exchange reference, portfolio token and invitation token replaced by
    ``<redacted>``."""
    return _SECRET_PATHS.sub(lambda match: match.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites uvicorn's access log records (and any record whose arguments carry such a path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_redaction(logger_names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")) -> None:
    """Adds ``RedactSecrets`` to the server's loggers once (a second app in the same process adds nothing)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())


def configure_logging(level: str = "info", log_format: LogFormat = "text") -> None:
    """One handler on the root logger, on standard error, for vetcred's own loggers (``vetcred.*``), uvicorn's
    (run with ``log_config=None``, so they propagate here) and procrastinate's.

    ``json`` writes one object per line (``time``, ``level``, ``logger``, ``message``, and ``exc_info`` with the
    traceback) for log collectors; ``text`` is for people.
    """
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
