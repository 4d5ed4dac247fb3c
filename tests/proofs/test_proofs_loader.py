"""The offline document loader serves the shipped contexts by URL and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.errors import UnknownContext
from app.proofs import loader as loader_module
from app.proofs.loader import SHIPPED_CONTEXTS, DocumentLoader, default_loader

OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.mark.parametrize("url", sorted(SHIPPED_CONTEXTS))
def test_serves_every_shipped_context_in_pyld_shape(url: str) -> None:
    remote = default_loader()(url, {"headers": {}})
    assert remote["contextUrl"] is None
    assert remote["documentUrl"] == url
    assert "@context" in remote["document"]


def test_ob_303_is_served_from_the_amended_file() -> None:
    context = default_loader()(OB_303)["document"]["@context"]
    assert "endorsementJwt" in context and "jti" in context


def test_unknown_url_raises_unknown_context_without_network(network_attempts: list[Any]) -> None:
    url = "https://example.org/contexts/unknown.jsonld"
    with pytest.raises(UnknownContext) as raised:
        default_loader()(url)
    assert url in raised.value.detail
    assert network_attempts == []


def test_extra_entries_are_served_only_by_their_loader(examples_loader: DocumentLoader) -> None:
    url = "https://www.w3.org/ns/credentials/examples/v2"
    assert "@context" in examples_loader(url)["document"]
    assert url in examples_loader.urls() and url not in default_loader().urls()
    with pytest.raises(UnknownContext):
        default_loader()(url)


def test_files_are_parsed_once_and_callers_get_independent_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[Any] = []
    real_load = json.load

    def counting_load(*args: Any, **kwargs: Any) -> Any:
        parses.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loader_module.json, "load", counting_load)
    loader = DocumentLoader()
    first = loader(OB_303)["document"]
    first["@context"]["tampered"] = "https://evil.example/"
    second = loader(OB_303)["document"]
    assert len(parses) == 1
    assert "tampered" not in second["@context"]


def test_default_loader_is_shared() -> None:
    assert default_loader() is default_loader()
