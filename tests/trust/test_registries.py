"""Trust registries: both formats, order of authority, refresh and last good copy, files and https URLs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI, Response

from app.errors import FetchError
from app.outbound import OutboundClient, OutboundPolicy
from app.trust.identity import IssuerDirectory, SourceKind
from app.trust.registries import (
    RegistryDefinition,
    RegistryError,
    RegistrySource,
    TrustRegistries,
    parse_definitions,
    parse_registry,
    read_location,
)
from tests.servers import serving
from tests.trusted import registry_source

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
COLLEGE = "did:web:college.example"
KEY_ISSUER = "did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W"

# The Digital Credentials Consortium's format, as its community registry publishes it (note the "+0000" offset).
DCC = {
    "meta": {"created": "2022-10-27T17:57:31+00:00", "updated": "2025-03-25T18:29:52+0000"},
    "registry": {
        KEY_ISSUER: {"name": "My University", "location": "Cambridge, MA, USA", "url": "https://university.example"},
        COLLEGE: {
            "name": "College of Example",
            "url": "https://college.example",
            "logo": "https://college.example/l.png",
        },
    },
}
PLAIN = {
    "name": "Ministry list",
    "updated": "2026-10-01T08:00:00Z",
    "issuers": [
        {"id": COLLEGE, "name": "Example College (ministry)", "location": "Utrecht, NL"},
        {"id": "https://issuers.example/keys", "name": "Key-URL Issuer"},
    ],
}


def test_the_dcc_format_is_read_with_its_updated_time() -> None:
    registry = parse_registry(DCC, name="DCC Community", source="dcc.json", loaded_at=NOW)
    assert registry.updated == datetime(2025, 3, 25, 18, 29, 52, tzinfo=UTC)
    entry = registry.entries[COLLEGE]
    assert (entry.name, entry.url, entry.logo) == ("College of Example", "https://college.example", entry.logo)
    assert registry.entries[KEY_ISSUER].location == "Cambridge, MA, USA"


def test_the_older_dcc_entries_key_is_read_too() -> None:
    older = {"meta": {"updated": "2021-12-15T18:41:36+0000"}, "entries": DCC["registry"]}
    assert set(parse_registry(older, name="old", source="x", loaded_at=NOW).entries) == {KEY_ISSUER, COLLEGE}


def test_the_plain_format_lists_dids_and_urls() -> None:
    registry = parse_registry(PLAIN, name="Ministry list", source="plain.json", loaded_at=NOW)
    assert registry.updated == datetime(2026, 10, 1, 8, tzinfo=UTC)
    assert registry.entries["https://issuers.example/keys"].name == "Key-URL Issuer"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "is not a JSON object"),
        ({"meta": {}}, "neither an 'issuers' list"),
        ({"registry": {COLLEGE: {"url": "https://x.example"}}}, f"the entry for '{COLLEGE}' has no name"),
        ({"issuers": [{"name": "No id"}]}, "issuers[0] has no id"),
        ({"issuers": [{"id": COLLEGE, "name": "  "}]}, "has no name"),
    ],
)
def test_a_bad_registry_is_refused_naming_what_is_wrong(document: object, message: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_registry(document, name="Bad", source="bad.json", loaded_at=NOW)
    assert message in caught.value.detail


def test_the_first_registry_is_the_most_authoritative_and_every_listing_is_named() -> None:
    directory = IssuerDirectory(
        local=lambda _did: None,
        local_certificate=lambda _der, _subject: None,
        registries=TrustRegistries(
            [
                registry_source("Ministry list", {COLLEGE: "Example College (ministry)"}),
                registry_source("DCC Community", {COLLEGE: "College of Example", KEY_ISSUER: "My University"}),
            ]
        ),
        service_name="colleges registered on this service (vetcred.test)",
        now=NOW,
    )
    identity = directory.identify(COLLEGE)
    assert identity.confirmed and identity.name == "Example College (ministry)"
    assert [s.name for s in identity.listed_in] == ["Ministry list", "DCC Community"]
    assert directory.identify(KEY_ISSUER).name == "My University"
    unknown = directory.identify("did:key:z6MkUnknown")
    assert not unknown.confirmed and unknown.name is None
    assert [s.name for s in unknown.consulted] == [
        "colleges registered on this service (vetcred.test)",
        "Ministry list",
        "DCC Community",
    ]
    assert "not in any source this service trusts" in unknown.reason()


def test_a_college_of_this_service_comes_before_every_registry() -> None:
    from app.trust.registries import RegistryEntry

    directory = IssuerDirectory(
        local=lambda did: RegistryEntry(id=did, name="Our College") if did == COLLEGE else None,
        local_certificate=lambda _der, _subject: None,
        registries=TrustRegistries([registry_source("DCC Community", {COLLEGE: "College of Example"})]),
        service_name="colleges registered on this service (vetcred.test)",
        now=NOW,
    )
    identity = directory.identify(COLLEGE)
    assert identity.name == "Our College"
    assert [s.kind for s in identity.listed_in] == [SourceKind.THIS_SERVICE, SourceKind.REGISTRY]


def test_a_failed_refresh_keeps_the_last_good_copy_and_says_so() -> None:
    answers = [json.dumps(DCC).encode(), FetchError("https://registry.example/r.json could not be fetched")]

    def read(_location: str) -> bytes:
        answer = answers.pop(0) if answers else json.dumps(PLAIN).encode()
        if isinstance(answer, Exception):
            raise answer
        return answer

    source = RegistrySource(
        RegistryDefinition("DCC Community", "https://registry.example/r.json"), read, refresh=timedelta(hours=1)
    )
    first = source.current(NOW)
    assert first is not None and COLLEGE in first.entries and source.error is None
    assert source.current(NOW + timedelta(minutes=30)) is first  # fresh: not read again
    stale = source.current(NOW + timedelta(hours=2))  # the refresh fails
    assert stale is first and "could not be loaded" in (source.error or "")
    # Retried after a minute, not after a whole refresh interval.
    again = source.current(NOW + timedelta(hours=2, minutes=2))
    assert again is not None and again.name == "DCC Community" and "issuers.example" in str(list(again.entries))
    assert source.error is None


def test_definitions_inline_from_a_file_and_refused_when_malformed(tmp_path: Path) -> None:
    inline = json.dumps([{"name": "DCC Community", "url": "https://registry.example/r.json"}])
    assert parse_definitions(inline, read=lambda _l: b"") == [
        RegistryDefinition("DCC Community", "https://registry.example/r.json")
    ]
    listed = tmp_path / "registries.json"
    listed.write_text(inline)
    assert parse_definitions(str(listed), read=lambda location: Path(location).read_bytes())[0].name == "DCC Community"
    for bad, content, message in (
        ('[{"url": "x"}]', b"", "needs a name and a url"),
        ("registries.json", b"{}", "must be a JSON list"),
        ("[", b"", "not a JSON list"),
    ):
        with pytest.raises(RegistryError, match=message):
            parse_definitions(bad, read=lambda _location, content=content: content)


@pytest.fixture
def registry_server() -> Iterator[tuple[str, OutboundClient]]:
    """The DCC registry and a list of registries served over HTTP on loopback; a client that allows that origin."""

    def make(base: str) -> FastAPI:
        app = FastAPI()
        app.get("/registry.json")(lambda: Response(json.dumps(DCC), media_type="application/json"))
        app.get("/plain.json")(lambda: Response(json.dumps(PLAIN), media_type="application/json"))
        app.get("/known-registries.json")(
            lambda: Response(json.dumps([{"name": "DCC Community", "url": f"{base}/registry.json"}]))
        )
        return app

    with serving(make) as (base, _):
        yield base, OutboundClient(OutboundPolicy(timeout=5, allow_origins=frozenset({base})))


def test_a_registry_and_the_list_of_registries_load_from_urls(registry_server) -> None:
    base, client = registry_server
    definitions = parse_definitions(f"{base}/known-registries.json", read=lambda loc: read_location(loc, client))
    source = RegistrySource(definitions[0], lambda loc: read_location(loc, client), refresh=timedelta(hours=1))
    registry = source.current(NOW)
    assert registry is not None and registry.source == f"{base}/registry.json"
    assert registry.entries[KEY_ISSUER].name == "My University"
    plain = RegistrySource(
        RegistryDefinition("Ministry list", f"{base}/plain.json"),
        lambda loc: read_location(loc, client),
        refresh=timedelta(hours=1),
    ).current(NOW)
    assert plain is not None and plain.entries[COLLEGE].name == "Example College (ministry)"


def test_a_url_that_is_not_allowed_is_never_requested() -> None:
    client = OutboundClient(OutboundPolicy(timeout=2))
    with pytest.raises(FetchError):
        read_location("http://127.0.0.1:9/registry.json", client)
