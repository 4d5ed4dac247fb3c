"""Which EDCs are SHACL-validated before sealing: the first of each shape in this process, then a random sample.

SHACL costs about 0.1 s an EDC. EDCs of one specification differ in their values, and in their shape only where a
row gives optional facts (a grade, a date of birth, evidence...): the verdict is a property of the shape. So each
(specification, shape) is validated the first time this process meets it, and later EDCs of that shape with the
configured probability: no per-EDC database count, and every worker process checks what it issues.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

from app.credentials.edc_shacl import validate_edc
from app.errors import CredentialSchemaError

_conforming: LRUCache[tuple[str, int], bool] = LRUCache(maxsize=4096)
_lock = threading.Lock()
_LIST = "[]"
_TYPE_NAMES = {str: "str", int: "int", bool: "bool", float: "float", type(None): "NoneType"}


def check_edc(spec_id: str, edc: Mapping[str, Any], sample_rate: float) -> None:
    """Validates ``edc`` when its shape is new here or it is drawn for the sample; raises when it fails."""
    key = (spec_id, shape(edc))
    with _lock:
        known = key in _conforming
    if known and random.random() >= sample_rate:
        return
    errors = validate_edc(edc)
    if errors:
        raise CredentialSchemaError("the EDC fails the SHACL shapes it declares: " + "; ".join(errors[:5]))
    with _lock:
        _conforming[key] = True


def shape(document: Any) -> int:
    """A digest of the document's structure: its keys and the kinds of its values, not the values (a list's items
    count once per distinct shape, so more learning outcomes or claims is not a new shape). Python's 64-bit hash of
    the skeleton: computed in C, valid within this process, as the cache it keys; two shapes sharing one (odds
    about 2^-64 a pair) would only leave the second to the random sample."""
    return hash(_skeleton(document))


def _skeleton(value: Any) -> Any:
    # Exact types first: an EDC is some 350 dicts and 1,500 leaves, and an ABC check on each leaf doubled the time.
    kind = type(value)
    if kind is dict:
        return frozenset([(key, _skeleton(item)) for key, item in value.items()])
    if kind is list:  # tagged: an empty list is not an empty object
        return _LIST, frozenset([_skeleton(item) for item in value])
    name = _TYPE_NAMES.get(kind)
    if name is not None:
        return name
    if isinstance(value, Mapping):
        return frozenset([(key, _skeleton(item)) for key, item in value.items()])
    if isinstance(value, list):
        return _LIST, frozenset([_skeleton(item) for item in value])
    return kind.__name__
