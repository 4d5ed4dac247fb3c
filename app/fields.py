"""Constrained input types shared by the domain's request models (validated at the edge, named in 422s)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, get_args

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

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


def _documented(pattern: str) -> Any:
    """The pattern in the OpenAPI schema, so what the schema allows is what is accepted (the check itself stays in
    the validator, whose message says what is wanted)."""
    return Field(json_schema_extra={"pattern": pattern})


AbsoluteUri = Annotated[
    str, StringConstraints(max_length=2000), AfterValidator(_absolute_uri), _documented(_ABSOLUTE_URI.pattern)
]
HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url), _documented(_HTTP_URL.pattern)]
ImageRef = Annotated[
    str,
    StringConstraints(max_length=200_000),
    AfterValidator(_image_ref),
    _documented(f"({_HTTP_URL.pattern})|({_IMAGE_DATA_URI.pattern})"),
]


def _email(value: str) -> str:
    """RFC 5322 syntax, normalised; a ``.test`` domain is accepted too (staging), other special-use names are not."""
    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as error:
        raise ValueError(f"not an e-mail address: {error}") from None


Email = Annotated[
    str, StringConstraints(max_length=320), AfterValidator(_email), Field(json_schema_extra={"format": "email"})
]


def _text_only(what: str) -> Any:
    """Dates only as ISO 8601 text: pydantic would otherwise read the number 0 as 1 January 1970."""

    def check(value: Any) -> Any:
        if not isinstance(value, str | datetime | date):
            raise ValueError(f"must be an ISO 8601 {what} written as text, e.g. {_EXAMPLES[what]}")
        return value

    return BeforeValidator(check)


_EXAMPLES = {"date": "2026-11-28", "date-time": "2026-11-28T09:30:00Z"}
IsoDate = Annotated[date, _text_only("date")]
IsoDateTime = Annotated[AwareDatetime, _text_only("date-time")]
EmbeddedImage = Annotated[
    str,
    StringConstraints(max_length=140_000),
    AfterValidator(_embedded_image),
    Field(description="a PNG or JPEG of at most 100 kB as a data URI: data:image/png;base64,..."),
]


def _holds_nul(value: Any) -> bool:
    """A NUL in a string, or in the strings of a list or map (one level: nested models check their own fields)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(isinstance(item, str) and "\x00" in item for item in value)
    if isinstance(value, dict):
        return any(isinstance(item, str) and "\x00" in item for pair in value.items() for item in pair)
    return False


class StrictInput(BaseModel):
    """Base of every request model: unknown fields are refused, and so is a NUL character in any text.

    PostgreSQL cannot store U+0000 in text, and no name, URL or description needs it: it is refused here, naming the
    field, rather than failing in the database.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name not in _fields_of_models(cls) and _holds_nul(value):
            raise ValueError("must not contain a NUL character (U+0000)")
        return value


@cache
def _fields_of_models(model: type[BaseModel]) -> frozenset[str]:
    """The fields whose values are (lists of) nested models: those check their own fields, naming them exactly."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(t, type) and issubclass(t, BaseModel) for t in _types_in(info.annotation))
    )


def _types_in(annotation: Any) -> list[Any]:
    found = [annotation]
    for argument in get_args(annotation):
        found.extend(_types_in(argument))
    return found
