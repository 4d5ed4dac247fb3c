"""Console forms: read a posted form into the same pydantic model the API uses, and turn what is wrong with it into
one message per field, for the page to show next to each field and in a summary at the top."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.api.errors import field_path
from app.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
# Errors that belong to no one field are shown under this key (in the summary only).
FORM = "form"


def parse_form(model: type[M], data: Mapping[str, Any]) -> M:
    """``model`` from form fields; empty fields count as absent (an empty optional input is "not given").
    Raises pydantic's ValidationError: give it to ``form_errors``."""
    return model.model_validate({key: value for key, value in data.items() if value != ""})


def form_errors(error: ValidationError | InvalidInput) -> dict[str, str]:
    """``{field: message}``, fields as dotted paths like the API's 422 ``errors[].field`` (the first message per
    field)."""
    if isinstance(error, InvalidInput):
        return {error.field or FORM: error.detail}
    found: dict[str, str] = {}
    for item in error.errors():
        found.setdefault(field_path(tuple(item.get("loc", ()))), str(item.get("msg", "invalid")))
    return found
