"""Constrained input types shared by the domain's request models (validated at the edge, named in 422s)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_IMAGE_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml|webp)(;base64)?,[^\s]+$")


def _absolute_uri(value: str) -> str:
    if not _ABSOLUTE_URI.match(value):
        raise ValueError("must be an absolute URI (for example https://... or urn:...)")
    return value


def _http_url(value: str) -> str:
    if not _HTTP_URL.match(value):
        raise ValueError("must be an http(s) URL")
    return value


def _image_ref(value: str) -> str:
    if not (_HTTP_URL.match(value) or _IMAGE_DATA_URI.match(value)):
        raise ValueError("must be an http(s) URL or a data:image/... URI")
    return value


AbsoluteUri = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_absolute_uri)]
HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]
ImageRef = Annotated[str, StringConstraints(max_length=200_000), AfterValidator(_image_ref)]
