"""The EU vocabularies shipped as data: well formed, the sourced concept ids present, lookups by code, alias or URI."""

from __future__ import annotations

import pytest

from app.achievements import vocabularies
from app.errors import InvalidInput

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"
EU_COUNTRIES = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]
EU_LANGUAGES = [
    "BUL",
    "CES",
    "DAN",
    "DEU",
    "ELL",
    "ENG",
    "EST",
    "FIN",
    "FRA",
    "GLE",
    "HRV",
    "HUN",
    "ITA",
    "LAV",
    "LIT",
    "MLT",
    "NLD",
    "POL",
    "POR",
    "RON",
    "SLK",
    "SLV",
    "SPA",
    "SWE",
]


@pytest.mark.parametrize("name", vocabularies.names())
def test_each_vocabulary_is_well_formed(name: str) -> None:
    vocab = vocabularies.vocabulary(name)
    assert vocab.concepts and vocab.title and vocab.source
    uris = [c.uri for c in vocab.concepts]
    codes = [vocab.codes[uri] for uri in uris]
    assert len(set(uris)) == len(uris) and len(set(codes)) == len(codes)
    base = vocab.scheme.removesuffix("/25831c2")
    for concept in vocab.concepts:
        assert concept.scheme == vocab.scheme
        assert concept.uri == f"{base}/{vocab.codes[concept.uri]}"
        assert concept.label["en"].strip()


def test_the_vocabularies_the_builders_need_are_shipped() -> None:
    assert set(vocabularies.names()) >= {
        "accreditation",
        "assessment",
        "country",
        "currency",
        "education-credit",
        "eqf",
        "isced-f",
        "language",
        "learning-activity",
        "learning-assessment",
        "learning-opportunity",
        "learning-setting",
        "skill-reuse-level",
        "supervision-verification",
    }


@pytest.mark.parametrize(
    ("name", "code", "label"),
    [
        ("learning-assessment", "920fbb3cbe", "Online"),
        ("learning-assessment", "e92d221e4d", "Blended"),
        ("learning-assessment", "9191af2ed9", "Presential"),
        ("learning-assessment", "7813801c77", "Project based"),
        ("learning-setting", "6fd4685715", "formal learning"),
        ("learning-setting", "e207a81fc7", "non-formal learning"),
        ("supervision-verification", "c598449d64", "Unsupervised without ID Verification"),
        ("supervision-verification", "44314532f9", "Supervised without ID Verification"),
        ("supervision-verification", "70be69aaf9", "Supervised with ID Verification"),
        ("learning-activity", "bf2e3a7bae", "e-learning coursework"),
        ("learning-activity", "efff75e10a", "workshop, seminar or conference"),
        ("learning-activity", "bf5588ff84", "internship"),
        ("learning-activity", "59eaf34fab", "volunteering"),
        ("assessment", "6a4db9f11d", "practical assessment"),
        ("accreditation", "003293d2ce", "Institutional License"),
        ("accreditation", "e57dddfcf3", "Program License"),
        ("accreditation", "820101cba6", "Program Quality Assurance"),
        ("accreditation", "bb4618238e", "Institutional Quality Assurance"),
        ("education-credit", "6fcec5c5af", "European Credit Transfer System"),
        ("learning-opportunity", "74a4a268e8", "Short learning programme"),
        ("learning-opportunity", "0f7dac46ca", "Programme module"),
        ("skill-reuse-level", "cross-sector", "cross-sector skills and competences"),
        ("skill-reuse-level", "transversal", "transversal skills and competences"),
        ("eqf", "4", "Level 4"),
        ("isced-f", "07", "Engineering, manufacturing and construction"),
        ("isced-f", "071", "Engineering and engineering trades"),
        ("isced-f", "0713", "Electricity and energy"),
    ],
)
def test_sourced_concepts_are_present(name: str, code: str, label: str) -> None:
    concept = vocabularies.concept(name, code)
    assert concept.label == {"en": label}
    assert vocabularies.vocabulary(name).codes[concept.uri] == code


def test_eqf_has_the_eight_levels_and_isced_f_its_three_levels() -> None:
    assert [c.uri for c in vocabularies.vocabulary("eqf").concepts] == [f"{SNB}/eqf/{n}" for n in range(1, 9)]
    isced = vocabularies.vocabulary("isced-f")
    assert {len(isced.codes[c.uri]) for c in isced.concepts} == {2, 3, 4}


def test_countries_cover_the_eu_and_the_authority_tables_own_codes() -> None:
    countries = vocabularies.vocabulary("country")
    for code in EU_COUNTRIES:
        assert vocabularies.concept("country", code).uri == f"{AUTHORITY}/country/{code}"
    assert len(countries.concepts) > 240
    assert vocabularies.concept("country", "XK").uri == f"{AUTHORITY}/country/1A0"  # Kosovo
    assert vocabularies.concept("country", "ATF").uri == f"{AUTHORITY}/country/FQ0"  # not ISO ATF
    assert countries.find(f"{AUTHORITY}/country/ATF") is None


def test_languages_cover_the_24_official_eu_languages() -> None:
    for code in EU_LANGUAGES:
        assert vocabularies.concept("language", code).uri == f"{AUTHORITY}/language/{code}"
    assert vocabularies.concept("language", "el").uri == f"{AUTHORITY}/language/ELL"  # 639-2/T, not GRE
    assert vocabularies.concept("language", "nl").label == {"en": "Dutch"}


@pytest.mark.parametrize(
    "code", ["EUR", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "RON", "BGN", "ISK", "USD"]
)
def test_currencies(code: str) -> None:
    assert vocabularies.concept("currency", code).uri == f"{AUTHORITY}/currency/{code}"


@pytest.mark.parametrize(
    ("name", "value", "uri"),
    [
        ("eqf", 4, f"{SNB}/eqf/4"),
        ("eqf", f"{SNB}/eqf/4", f"{SNB}/eqf/4"),
        ("country", "nld", f"{AUTHORITY}/country/NLD"),
        ("country", "NL", f"{AUTHORITY}/country/NLD"),
        ("language", "en", f"{AUTHORITY}/language/ENG"),
        ("learning-assessment", "blended", f"{SNB}/learning-assessment/e92d221e4d"),
        ("learning-assessment", "onsite", f"{SNB}/learning-assessment/9191af2ed9"),
        ("learning-setting", "non-formal", f"{SNB}/learning-setting/e207a81fc7"),
        ("education-credit", "ECTS", f"{SNB}/education-credit/6fcec5c5af"),
        ("isced-f", "Electricity and energy", f"{SNB}/isced-f/0713"),
        ("assessment", f" {SNB}/assessment/6a4db9f11d ", f"{SNB}/assessment/6a4db9f11d"),
    ],
)
def test_lookup_by_code_alias_label_or_uri(name: str, value: str | int, uri: str) -> None:
    assert vocabularies.concept(name, value).uri == uri


def test_an_unknown_value_names_the_field_and_the_allowed_values() -> None:
    with pytest.raises(InvalidInput) as caught:
        vocabularies.concept("learning-assessment", "telepathy", field="participationForm")
    assert caught.value.field == "participationForm"
    assert "telepathy" in caught.value.detail
    assert "e92d221e4d (Blended)" in caught.value.detail


def test_an_unknown_value_in_a_large_vocabulary_gives_a_hint() -> None:
    with pytest.raises(InvalidInput) as caught:
        vocabularies.concept("country", "Atlantis")
    assert caught.value.field == "country"
    assert "alpha-3" in caught.value.detail


def test_a_label_shared_by_several_concepts_is_not_a_key() -> None:
    with pytest.raises(InvalidInput):
        vocabularies.concept("isced-f", "Law")  # 042 and 0421


def test_vocabularies_are_read_once_and_found_by_scheme() -> None:
    assert vocabularies.vocabulary("eqf") is vocabularies.vocabulary("eqf")
    assert vocabularies.for_scheme(f"{SNB}/eqf/25831c2") is vocabularies.vocabulary("eqf")
    assert vocabularies.for_scheme(f"{SNB}/qdr/25831c2") is None
