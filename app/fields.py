"""Constrained input types shared by the domain's request models (validated at the edge, named in 422s)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_IMAGE_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml|webp)(;base64)?,[^\s]+$")
EMBEDDED_IMAGE = re.compile(r"^data:image/(png|jpeg);base64,([A-Za-z0-9+/]*={0,2})$")
_IMAGE_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
EMBEDDED_IMAGE_MAX_BYTES = 100_000


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


def _embedded_image(value: str) -> str:
    """A PNG or JPEG carried inside the document (an EDC embeds its images): checked to be what it says it is."""
    match = EMBEDDED_IMAGE.match(value)
    if not match:
        raise ValueError("must be a PNG or JPEG image as a base64 data URI: data:image/png;base64,...")
    kind, encoded = match.groups()
    try:
        data = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("the base64 data of the image is not valid") from None
    if not data.startswith(_IMAGE_SIGNATURES[kind]):
        raise ValueError(f"the data is not a {kind.upper()} image")
    if len(data) > EMBEDDED_IMAGE_MAX_BYTES:
        raise ValueError(f"the image is {len(data)} bytes; at most {EMBEDDED_IMAGE_MAX_BYTES} (every EDC embeds it)")
    return value


AbsoluteUri = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_absolute_uri)]
HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]
ImageRef = Annotated[str, StringConstraints(max_length=200_000), AfterValidator(_image_ref)]
EmbeddedImage = Annotated[
    str,
    StringConstraints(max_length=140_000),
    AfterValidator(_embedded_image),
    Field(description="a PNG or JPEG of at most 100 kB as a data URI: data:image/png;base64,..."),
]
