"""Rendering of the verification page, QR codes and PDF certificate, checked with real decoders and parsers."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from app.web import qr
from app.web.pdf import certificate_pdf
from app.web.render import render_not_found, render_verification_page, templates
from app.web.view import (
    CheckView,
    CredentialView,
    IssuerView,
    Verdict,
    outcome_label,
    outcome_style,
    verdict_style,
)
from tests import system_packages

TOKEN = "q7Vx2mZcR4tLpN8wYbK3sD6fH1jG9aE5uT0oIyXvB_-"  # 43 characters, like a base64url 256-bit token
VERIFY_URL = f"https://credentials.college.example/v/{TOKEN}"
LEARNER = "Zoë Ğüneş-Łukasz"
CSS = Path(__file__).resolve().parents[2] / "app" / "web" / "static" / "vetcred.css"
ISSUER = IssuerView(
    confirmed=True,
    claimed_name="Northfield Vocational College",
    stated_id="did:web:credentials.college.example",
    name="Northfield Vocational College",
    url="https://college.example",
    location="Leeds, GB",
    confirmed_by=["colleges registered on this service (credentials.college.example)"],
    signer="did:web:credentials.college.example",
    signed_with="eddsa-rdfc-2022",
)


def make_view(**changes: object) -> CredentialView:
    view = CredentialView(
        verdict=Verdict.VERIFIED,
        headline="Verified",
        explanation="This credential was issued by Northfield College and has not been changed or revoked.",
        issuer=ISSUER,
        learner_name=LEARNER,
        achievement_name="Domestic Electrical Installation",
        achievement_description="Plans, installs and tests domestic wiring circuits to the national standard.",
        achievement_type="Course",
        learning_outcomes=["Plans a ring final circuit", "Tests insulation resistance"],
        credits="5 ECTS",
        level="EQF 4",
        issued_on="12 March 2025",
        valid_from="12 March 2025",
        valid_until="12 March 2030",
        checks=[
            CheckView("proof", "Digital signature", "passed", "The signature matches the issuer's key."),
            CheckView("status", "Revocation status", "passed", "The issuer has not revoked it."),
            CheckView("schema", "Open Badges 3.0 schema", "not_applicable", "Advisory check skipped."),
        ],
        verify_url=VERIFY_URL,
        json_url=f"{VERIFY_URL}/credential.json",
        report_url=f"{VERIFY_URL}/report.json",
        qr_svg_url=f"{VERIFY_URL}/qr.svg",
        pdf_url=f"{VERIFY_URL}/certificate.pdf",
    )
    return replace(view, **changes)  # type: ignore[arg-type]


REVOKED = {
    "verdict": Verdict.REVOKED,
    "headline": "Revoked",
    "explanation": "The issuer has withdrawn this credential; it is no longer valid.",
    "checks": [
        CheckView("proof", "Digital signature", "passed", "The signature matches the issuer's key."),
        CheckView("status", "Revocation status", "failed", "The issuer revoked it on 1 June 2025."),
        CheckView("expiry", "Validity period", "could_not_check", "The clock source was unavailable."),
    ],
}


# --- QR codes ---------------------------------------------------------------------------------------------


def _decode(png: bytes) -> list[str]:
    """Every QR payload a real decoder (zbar, through pyzbar or zbarimg) finds in ``png``."""
    try:
        from pyzbar.pyzbar import ZBarSymbol
        from pyzbar.pyzbar import decode as zbar_decode
    except (ImportError, OSError):  # pyzbar missing, or libzbar0 not installed
        zbarimg = shutil.which("zbarimg")
        if zbarimg is None:
            system_packages.missing("libzbar0", "a QR decoder (pyzbar with libzbar0, or zbarimg)")
        result = subprocess.run(
            [zbarimg, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-"],
            input=png,
            capture_output=True,
            check=False,
            timeout=60,
        )
        return [line for line in result.stdout.decode("utf-8").splitlines() if line]
    image = Image.open(io.BytesIO(png)).convert("L")
    return [symbol.data.decode("utf-8") for symbol in zbar_decode(image, symbols=[ZBarSymbol.QRCODE])]


def _modules(png: bytes, box_size: int) -> tuple[list[list[bool]], int]:
    """The dark/light grid of a QR PNG (quiet zone included), sampled at each module's centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    assert width == height and width % box_size == 0
    count = width // box_size
    grid = [
        [image.getpixel((x * box_size + box_size // 2, y * box_size + box_size // 2)) < 128 for x in range(count)]
        for y in range(count)
    ]
    return grid, count


@pytest.mark.parametrize(
    "url",
    ["https://vetcred.test/v/abc", VERIFY_URL, VERIFY_URL + "?lang=en&ref=certificate-print"],
    ids=["short", "43-char-token", "with-query"],
)
@pytest.mark.parametrize("box_size", [4, 8])
def test_qr_png_scans_to_exactly_the_url(url: str, box_size: int) -> None:
    png = qr.qr_png(url, box_size=box_size)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert _decode(png) == [url]


def test_qr_png_error_correction_is_at_least_m() -> None:
    """Reads the format information (ISO/IEC 18004 §7.9) from the PNG's own pixels, not from the library."""
    box = 8
    grid, count = _modules(qr.qr_png(VERIFY_URL, box_size=box), box)
    border, size = qr.BORDER, count - 2 * qr.BORDER

    def dark(row: int, col: int) -> bool:
        return grid[border + row][border + col]

    # The copy of the 15 format bits that runs down column 8 (bit i at row i, skipping the timing row 6,
    # then the last 7 rows), and the copy along row 8 (bit i at column size-1-i, then left of the finder).
    vertical = [(i if i < 6 else i + 1) if i < 8 else size - 15 + i for i in range(15)]
    horizontal = [size - 1 - i if i < 8 else (7 if i == 8 else 14 - i) for i in range(15)]
    bits_v = sum(dark(row, 8) << i for i, row in enumerate(vertical))
    bits_h = sum(dark(8, col) << i for i, col in enumerate(horizontal))
    assert bits_v == bits_h, "the two copies of the format information disagree"
    level_bits = (bits_v ^ 0b101010000010010) >> 13  # unmask; top two data bits are the level
    levels = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
    assert levels[level_bits] in ("M", "Q", "H")
    assert levels[level_bits] == "Q"
    assert qr.build_qr(VERIFY_URL).error_correction == qr.ERROR_CORRECTION


@pytest.mark.parametrize("box_size", [3, 8])
def test_qr_png_keeps_a_four_module_quiet_zone(box_size: int) -> None:
    image = Image.open(io.BytesIO(qr.qr_png(VERIFY_URL, box_size=box_size))).convert("L")
    width, height = image.size
    edge = 4 * box_size
    pixels = image.load()
    assert pixels is not None
    for y in range(height):
        for x in range(width):
            if x < edge or y < edge or x >= width - edge or y >= height - edge:
                assert pixels[x, y] == 255, f"dark pixel at ({x}, {y}) inside the quiet zone"
    # ...and the code starts right after it: the finder pattern's corner module is dark.
    assert pixels[edge, edge] == 0
    assert pixels[width - edge - 1, edge] == 0


def test_qr_output_is_deterministic() -> None:
    assert qr.qr_png(VERIFY_URL) == qr.qr_png(VERIFY_URL)
    assert qr.qr_svg(VERIFY_URL) == qr.qr_svg(VERIFY_URL)
    assert qr.qr_png(VERIFY_URL) != qr.qr_png(VERIFY_URL + "x")


def test_qr_svg_is_a_standalone_svg_document() -> None:
    svg = qr.qr_svg(VERIFY_URL)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox")
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1 and paths[0].get("d")
    try:
        import cairosvg  # type: ignore[import-not-found]
    except (ImportError, OSError):
        return  # rasterizing is a bonus; the PNG tests cover decoding
    png = cairosvg.svg2png(bytestring=svg, output_width=400, background_color="white")
    assert _decode(png) == [VERIFY_URL]


# --- PDF certificate --------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace collapsed, via pypdf, or poppler's pdftotext."""
    try:
        from pypdf import PdfReader
    except ImportError:
        pdftotext = shutil.which("pdftotext")
        if pdftotext is None:
            pytest.skip("no PDF text extractor: install pypdf or poppler-utils")
        text = subprocess.run(
            [pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
        ).stdout.decode("utf-8")
    else:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def _pages(pdf: bytes) -> int:
    pypdf = pytest.importorskip("pypdf")
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_certificate_pdf_contains_the_credential() -> None:
    view = make_view()
    pdf = certificate_pdf(view, qr.qr_png(view.verify_url))
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for expected in (
        "Certificate",
        LEARNER,
        view.achievement_name,
        ISSUER.name,
        view.verify_url,
        "Scan to verify",
        "awarded to",
        "12 March 2025",
        "12 March 2030",
        "5 ECTS",
        "EQF 4",
        "Tests insulation resistance",
        "authoritative",
        "Verified",
    ):
        assert expected in text, expected
    assert _pages(pdf) == 1


def test_certificate_pdf_metadata() -> None:
    pypdf = pytest.importorskip("pypdf")
    view = make_view()
    metadata = pypdf.PdfReader(io.BytesIO(certificate_pdf(view, qr.qr_png(view.verify_url)))).metadata
    assert metadata is not None
    assert metadata.title is not None and view.achievement_name in metadata.title and LEARNER in metadata.title
    assert metadata.author == ISSUER.name


def test_certificate_pdf_survives_long_names_and_twenty_outcomes() -> None:
    long_name = ("Advanced Diploma in Sustainable Building Services Engineering " * 4)[:200]
    view = make_view(
        achievement_name=long_name,
        learner_name="Maximiliane Dobrosława Ğüneş-Łukasz de la Cruz-Vandenberghe Ó Súilleabháin",
        learning_outcomes=[f"Outcome {i}: " + "applies the relevant safety regulations " * 3 for i in range(1, 21)],
        verdict=Verdict.REVOKED,
        headline="Revoked",
    )
    pdf = certificate_pdf(view, qr.qr_png(view.verify_url))
    text = _pdf_text(pdf)
    assert "Outcome 1:" in text and "Outcome 20:" in text
    assert view.verify_url in text
    assert "Revoked" in text
    assert 1 <= _pages(pdf) <= 3


def test_certificate_pdf_wraps_words_longer_than_the_page() -> None:
    view = make_view(achievement_name="X" * 200, learner_name="Y" * 120, issuer=replace(ISSUER, name="Z" * 150))
    pdf = certificate_pdf(view, qr.qr_png(view.verify_url))
    assert pdf.startswith(b"%PDF-")
    assert "Scan to verify" in _pdf_text(pdf)


def test_certificate_pdf_treats_names_as_text_not_markup() -> None:
    view = make_view(learner_name="<script>alert(1)</script> & <b>Co</b>", achievement_name="A < B & C > D")
    # Compared without spaces: pdftotext drops the spaces between large, tightly set glyphs.
    text = _pdf_text(certificate_pdf(view, qr.qr_png(view.verify_url))).replace(" ", "")
    assert "<script>alert(1)</script>&<b>Co</b>" in text
    assert "A<B&C>D" in text


def test_certificate_pdf_qr_code_scans_from_the_printed_page(tmp_path: Path) -> None:
    """Rasterizes page 1 as a printer would and scans the QR code off it."""
    pdftoppm = system_packages.poppler("pdftoppm")
    view = make_view()
    (tmp_path / "certificate.pdf").write_bytes(certificate_pdf(view, qr.qr_png(view.verify_url)))
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    assert _decode((tmp_path / "page.png").read_bytes()) == [view.verify_url]


# --- the verification page --------------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [{}, REVOKED], ids=["verified", "revoked"])
def test_verification_page_shows_the_credential(changes: dict[str, object]) -> None:
    view = make_view(**changes)
    html = render_verification_page(view)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(rf"<title>{view.headline}: {view.achievement_name}[^<]*</title>", html)
    assert 'href="/static/vetcred.css"' in html
    style = verdict_style(view.verdict)
    assert f'class="verdict {style.css_class}"' in html
    for text in (
        view.headline,
        view.explanation,
        ISSUER.name,
        ISSUER.stated_id,
        ISSUER.location,
        *ISSUER.confirmed_by,
        view.achievement_name,
        view.achievement_description,
        LEARNER,
        "5 ECTS",
        "EQF 4",
        "12 March 2030",
        "What we checked",
        *view.learning_outcomes,
    ):
        assert text in html, text
    for check in view.checks:
        assert check.label in html
        assert outcome_label(check.outcome) in html
        assert outcome_style(check.outcome).css_class in html
    assert "<code>did:web:credentials.college.example</code>" in html
    assert '<a href="https://college.example" rel="noopener noreferrer">' in html
    for url, text in (
        (view.json_url, "Download credential (JSON)"),
        (view.report_url, "Verification report (JSON)"),
        (view.pdf_url, "Printable certificate (PDF)"),
    ):
        assert f'<a href="{url}">{text}</a>' in html
    assert f'<img src="{view.qr_svg_url}" alt="QR code linking to this page"' in html
    assert "<script" not in html.lower()
    assert "verdict-notice" not in html


def test_verification_page_differs_by_verdict() -> None:
    verified = render_verification_page(make_view())
    revoked = render_verification_page(make_view(**REVOKED))
    assert "verdict-verified" in verified and "verdict-revoked" not in verified
    assert "verdict-revoked" in revoked and "verdict-verified" not in revoked
    assert 'class="check outcome-failed"' in revoked and 'class="check outcome-failed"' not in verified
    assert "Failed" in revoked and "Could not check" in revoked


def test_verification_page_escapes_user_supplied_text() -> None:
    view = make_view(
        learner_name="<script>alert(1)</script>",
        achievement_name='"><img src=x onerror=alert(2)>',
        learning_outcomes=["<b>bold</b> & more"],
        checks=[CheckView("x", "<i>label</i>", "passed", "reason <u>here</u>")],
        issuer=replace(ISSUER, stated_id="did:web:<evil>", signer="did:web:<evil>"),
    )
    html = render_verification_page(view)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "&lt;i&gt;label&lt;/i&gt;" in html and "reason &lt;u&gt;here&lt;/u&gt;" in html
    assert "did:web:&lt;evil&gt;" in html


@pytest.mark.parametrize(
    "issuer_url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example", "ftp://x"]
)
def test_verification_page_links_only_to_web_issuer_urls(issuer_url: str) -> None:
    html = render_verification_page(make_view(issuer=replace(ISSUER, url=issuer_url)))
    assert f'href="{issuer_url}' not in html
    assert "javascript:" not in html
    assert "<script" not in html.lower()


def test_verification_page_without_optional_fields() -> None:
    view = make_view(
        issuer=replace(ISSUER, url=None, location=None),
        credits=None,
        level=None,
        valid_until=None,
        achievement_type=None,
        learning_outcomes=[],
    )
    html = render_verification_page(view)
    assert "No expiry date" in html
    assert "Credits" not in html and "Level" not in html and "Learning outcomes" not in html


def test_notices_are_part_of_the_verdict_banner() -> None:
    """One message per page: a notice (a test seal) sits inside the banner, not in a box of its own below it."""
    notice = "This EDC is sealed with a self-issued test certificate."
    html = render_verification_page(make_view(notices=[notice]))
    banner = html.split('<section class="verdict', 1)[1].split("</section>", 1)[0]
    assert 'class="verdict-notice"' in banner and notice in banner


def test_an_unconfirmed_issuer_is_quoted_never_stated() -> None:
    unconfirmed = IssuerView(
        confirmed=False,
        claimed_name="Noorderpoort College",
        stated_id="did:key:z6MkForger",
        signer="did:key:z6MkForger",
        signed_with="eddsa-rdfc-2022",
    )
    html = render_verification_page(
        make_view(
            verdict=Verdict.ISSUER_NOT_CONFIRMED, headline="Signature valid — issuer not confirmed", issuer=unconfirmed
        )
    )
    assert 'class="issuer-name"' not in html and "Confirmed by" not in html
    assert "<strong>Not confirmed</strong> The credential names its issuer “Noorderpoort College”" in html
    assert "<code>did:key:z6MkForger</code>" in html
    assert unconfirmed.display_name == "“Noorderpoort College” (not confirmed)"


def test_not_found_page() -> None:
    html = render_not_found()
    assert "Credential not found" in html
    assert '<a href="/">' in html
    assert "<script" not in html.lower()
    assert '<a href="/elsewhere">' in render_not_found(home_url="/elsewhere")


def test_templates_autoescape_html() -> None:
    environment = templates()
    assert environment.get_template("verify.html").render is not None
    assert environment.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


# --- the view model ---------------------------------------------------------------------------------------


def test_every_verdict_has_a_distinct_style_defined_in_the_stylesheet() -> None:
    css = CSS.read_text(encoding="utf-8")
    styles = [verdict_style(v) for v in Verdict]
    assert len({s.css_class for s in styles}) == len(Verdict)
    assert len({s.colour for s in styles}) == len(Verdict)
    for style in styles:
        assert style.symbol
        assert f".{style.css_class} {{ background: {style.colour}; }}" in css
    for outcome in ("passed", "failed", "could_not_check", "not_applicable", "not_confirmed"):
        assert f".{outcome_style(outcome).css_class}" in css


def test_unknown_verdict_never_looks_verified() -> None:
    assert verdict_style("something-new") == verdict_style(Verdict.COULD_NOT_CHECK)
    assert outcome_label("weird_outcome") == "Weird outcome"
