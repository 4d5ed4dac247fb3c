"""Which EDCs are SHACL-validated: the first of each (specification, shape) in a process, then a random sample. A
shape is the keys and kinds of values, never the values, so a row's own data never counts as a new shape."""

from __future__ import annotations

import copy
import uuid
from functools import cache
from typing import Any

import pytest

from app.credentials.edc import build_edc
from app.credentials.edc_display import render_display_images
from app.credentials.shacl_policy import check_edc, shape
from app.errors import CredentialSchemaError
from tests.microcredential_samples import sample_record


@cache
def _edc() -> dict[str, Any]:
    record = sample_record()
    return build_edc(record, display_images=render_display_images(record))


def _copy() -> dict[str, Any]:
    return copy.deepcopy(_edc())


def test_values_and_repeated_items_keep_the_shape_while_a_new_key_or_kind_makes_another() -> None:
    other_values = _copy()
    other_values["issuanceDate"] = "2027-01-01T00:00:00Z"
    other_values["credentialSubject"]["givenName"] = {"en": "Someone Else"}
    more_items = _copy()
    more_items["credentialSubject"]["hasClaim"].append(copy.deepcopy(more_items["credentialSubject"]["hasClaim"][0]))
    assert shape(other_values) == shape(more_items) == shape(_edc())

    new_key = _copy()
    new_key["credentialStatus"] = {"id": "https://vetcred.test/status/1#7", "type": "BitstringStatusListEntry"}
    new_kind = _copy()
    new_kind["issuanceDate"] = 20270101
    assert len({shape(_edc()), shape(new_key), shape(new_kind)}) == 3
    assert shape({"evidence": []}) != shape({"evidence": {}})  # an empty list is not an empty object


def test_the_first_edc_of_a_shape_is_validated_and_later_ones_only_in_the_sample() -> None:
    spec = f"urn:test:spec:{uuid.uuid4()}"  # a specification this process has not met
    broken = _copy()
    broken["issuanceDate"] = "not a date"  # a value SHACL refuses, in the same shape
    with pytest.raises(CredentialSchemaError, match="issuanceDate"):
        check_edc(spec, broken, sample_rate=0.0)  # new here: validated, whatever the sample rate
    check_edc(spec, _edc(), sample_rate=0.0)  # conforms: the shape is now known
    check_edc(spec, broken, sample_rate=0.0)  # known shape, not drawn: not validated again
    with pytest.raises(CredentialSchemaError, match="issuanceDate"):
        check_edc(spec, broken, sample_rate=1.0)  # drawn for the sample: validated
    with pytest.raises(CredentialSchemaError):
        check_edc(f"urn:test:spec:{uuid.uuid4()}", broken, sample_rate=0.0)  # another specification: new again
