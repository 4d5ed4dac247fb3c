"""Access log lines without secrets: claim tokens and credential offer references are replaced before logging.

Whoever reads a log must not be able to open a learner's claim page or take their credential into a wallet.
"""

from __future__ import annotations

import logging
import re

# /claim/<token>[/all] and /oid4vci/offers/<reference>: the secret is the next path segment.
_SECRET_PATHS = re.compile(r"(/claim/|/oid4vci/offers/)[^/?#\s\"]+")
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """``text`` with every claim token and offer reference replaced by ``<redacted>``."""
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
