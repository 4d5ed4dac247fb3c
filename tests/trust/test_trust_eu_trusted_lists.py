"""EU trusted lists decide what a seal is worth: signed test LOTL and national lists, made and signed here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.errors import ConfigurationError
from app.proofs.eseal import self_issued_seal_material
from app.proofs.jades import SealReport, seal, verify_seal
from app.trust.eu_trusted_lists import TrustedLists, TrustedListStore, fetch_list, trusted_list_store
from tests.pki import Issued, LocalPki
from tests.trusted_lists import CA_PKC, FOR_ESIGNATURES, GRANTED, WITHDRAWN, Service, lotl, national_list

PAYLOAD = '{"id":"urn:credential:1","name":"Lassen"}'
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def pki() -> LocalPki:
    return LocalPki(crl_url="http://127.0.0.1:9/unused.crl")


@pytest.fixture(scope="module")
def signers(pki: LocalPki) -> dict[str, Issued]:
    return {"lotl": pki.issue("LOTL signer", organisation="European Commission"), "nl": pki.issue("NL TSL signer")}


@pytest.fixture(scope="module")
def sealed(pki: LocalPki) -> dict[str, Any]:
    """A seal by a college whose certificate the test CA issued with qualified e-seal statements."""
    leaf = pki.issue("Noorderpoort e-seal", organisation="Noorderpoort College", qc=True)
    return seal(
        PAYLOAD, private_key=leaf.key, chain=[leaf.certificate, pki.ca.certificate], now=NOW - timedelta(hours=12)
    )


def _write(tmp_path: Path, signers: dict[str, Issued], services: list[Service]) -> Path:
    """A national list for NL with ``services`` and a LOTL pointing to it; returns the LOTL's path."""
    national = tmp_path / "nl.xml"
    national.write_bytes(national_list("NL", services, signers["nl"]))
    path = tmp_path / "lotl.xml"
    path.write_bytes(lotl([("NL", str(national), signers["nl"])], signers["lotl"]))
    return path


def _lists(path: Path, signers: dict[str, Issued]) -> TrustedLists:
    store = TrustedListStore(
        [str(path)],
        lotl_signers=[signers["lotl"].certificate],
        fetch=lambda location: fetch_list(location, timeout=5),
        refresh=timedelta(hours=6),
        clock=lambda: NOW,
    )
    return store.current()


def _verify(document: dict[str, Any], lists: TrustedLists | None) -> SealReport:
    report = verify_seal(document, trusted_lists=lists, now=NOW)
    assert report.valid, report.reason
    return report


def test_a_granted_qualified_ca_for_eseals_makes_the_seal_qualified(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    lotl_path = _write(tmp_path, signers, [Service("Test QC CA", pki.ca)])
    (tmp_path / "lotl-signers.pem").write_bytes(signers["lotl"].pem())
    settings = Settings(eu_trusted_lists=str(lotl_path), eu_trusted_list_signers=tmp_path / "lotl-signers.pem")
    store = trusted_list_store(settings, clock=lambda: NOW)
    assert store is not None
    lists = store.current()
    assert [tl.territory for tl in lists.lists] == ["EU", "NL"] and not lists.problems
    trust = _verify(sealed, lists).trust
    assert trust.status == "qualified", trust.reason
    assert trust.qscd is True  # the certificate's QcSSCD statement
    assert (trust.territory, trust.provider, trust.service) == ("NL", "Test QC CA provider", "Test QC CA")
    assert trust.list_operator == "Test supervisory body NL" and trust.list_issued is not None
    assert "qualified e-seal" in _verify(sealed, lists).summary


def test_an_empty_list_does_not_make_it_trusted(
    tmp_path: Path, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    trust = _verify(sealed, _lists(_write(tmp_path, signers, []), signers)).trust
    assert trust.status == "not_trusted" and "list no certificate authority" in trust.reason


def test_without_lists_trust_is_not_checked(sealed: dict[str, Any]) -> None:
    trust = _verify(sealed, None).trust
    assert trust.status == "not_checked" and "VETCRED_EU_TRUSTED_LISTS" in trust.reason


def test_a_non_qualified_ca_makes_it_trusted_only(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    lists = _lists(_write(tmp_path, signers, [Service("Test CA", pki.ca, service_type=CA_PKC)]), signers)
    trust = _verify(sealed, lists).trust
    assert trust.status == "trusted" and "not CA/QC" in trust.reason


@pytest.mark.parametrize(
    ("service", "why"),
    [
        ({"additional": (FOR_ESIGNATURES,)}, "other uses than e-seals"),
        ({"qualifiers": ("NotQualified",)}, "NotQualified"),
    ],
)
def test_service_information_and_qualifiers_can_deny_qualification(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any], service: dict[str, Any], why: str
) -> None:
    lists = _lists(_write(tmp_path, signers, [Service("Test QC CA", pki.ca, **service)]), signers)
    trust = _verify(sealed, lists).trust
    assert trust.status == "trusted" and why in trust.reason


def test_qualifiers_can_say_no_qscd(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    lists = _lists(
        _write(tmp_path, signers, [Service("QC CA", pki.ca, qualifiers=("QCForESeal", "QCNoQSCD"))]), signers
    )
    trust = _verify(sealed, lists).trust
    assert trust.status == "qualified" and trust.qscd is False
    assert set(trust.qualifiers) == {"QCForESeal", "QCNoQSCD"}


def test_the_status_at_signing_time_counts(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    """Sealed 12 hours ago: withdrawn 1 hour ago (granted before) is still qualified; withdrawn a day ago is not."""
    granted_earlier = ((GRANTED, NOW - timedelta(days=30)),)
    recent = Service("QC CA", pki.ca, status=WITHDRAWN, since=NOW - timedelta(hours=1), history=granted_earlier)
    assert _verify(sealed, _lists(_write(tmp_path, signers, [recent]), signers)).trust.status == "qualified"
    older = Service("QC CA", pki.ca, status=WITHDRAWN, since=NOW - timedelta(days=1), history=granted_earlier)
    trust = _verify(sealed, _lists(_write(tmp_path, signers, [older]), signers)).trust
    assert trust.status == "not_trusted" and "withdrawn" in trust.reason


def test_a_self_issued_seal_is_not_trusted(tmp_path: Path, pki: LocalPki, signers: dict[str, Issued]) -> None:
    material = self_issued_seal_material("Test College", "NL", None, NOW)
    sealed = seal(PAYLOAD, private_key=material.private_key, chain=list(material.chain), now=NOW)
    report = _verify(sealed, _lists(_write(tmp_path, signers, [Service("QC CA", pki.ca)]), signers))
    assert report.trust.status == "not_trusted"
    assert "self-issued test seal" in report.summary


def test_a_changed_national_list_is_refused(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    path = _write(tmp_path, signers, [Service("Test QC CA", pki.ca)])
    national = tmp_path / "nl.xml"
    national.write_bytes(national.read_bytes().replace(b"Test QC CA", b"Test QC CB"))
    lists = _lists(path, signers)
    assert [tl.territory for tl in lists.lists] == ["EU"]
    assert any("does not verify" in problem for problem in lists.problems)
    assert _verify(sealed, lists).trust.status == "not_trusted"


def test_a_lotl_signed_by_someone_else_loads_nothing(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued], sealed: dict[str, Any]
) -> None:
    path = _write(tmp_path, signers, [Service("Test QC CA", pki.ca)])
    path.write_bytes(lotl([("NL", str(tmp_path / "nl.xml"), signers["nl"])], pki.issue("Impostor")))
    trust = _verify(sealed, _lists(path, signers)).trust
    assert trust.status == "not_checked" and "could be loaded" in trust.reason


def test_a_national_list_must_be_signed_by_whom_the_lotl_names(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued]
) -> None:
    path = _write(tmp_path, signers, [Service("Test QC CA", pki.ca)])
    (tmp_path / "nl.xml").write_bytes(
        national_list("NL", [Service("Test QC CA", pki.ca)], pki.issue("Not the NL signer"))
    )
    lists = _lists(path, signers)
    assert [tl.territory for tl in lists.lists] == ["EU"] and lists.problems


def test_the_store_keeps_the_last_good_lists_when_a_reload_fails(
    tmp_path: Path, pki: LocalPki, signers: dict[str, Issued]
) -> None:
    path = _write(tmp_path, signers, [Service("Test QC CA", pki.ca)])
    clock = [NOW]
    store = TrustedListStore(
        [str(path)],
        lotl_signers=[signers["lotl"].certificate],
        fetch=lambda location: fetch_list(location, timeout=5),
        refresh=timedelta(hours=1),
        clock=lambda: clock[0],
    )
    first = store.current()
    path.unlink()
    clock[0] = NOW + timedelta(hours=2)
    assert store.current() is first


def test_lists_without_pinned_signers_are_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="VETCRED_EU_TRUSTED_LIST_SIGNERS"):
        trusted_list_store(Settings(eu_trusted_lists="lotl.xml"), clock=lambda: NOW)
    assert trusted_list_store(Settings(), clock=lambda: NOW) is None
    assert json.dumps(Settings(eu_trusted_lists="a.xml, https://b.example/tl.xml").eu_trusted_lists) == (
        '["a.xml", "https://b.example/tl.xml"]'
    )
