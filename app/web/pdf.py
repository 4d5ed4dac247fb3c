"""The printable A4 certificate: a PDF made with ReportLab from a CredentialView and its QR code."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.i18n.catalogues import N_
from app.i18n.localizer import Localizer, localizer
from app.verification.report import Verdict
from app.web.view import CredentialView, verdict_style

# Helvetica (a standard PDF font, WinAnsi encoding) has no glyphs for many Latin letters that appear in
# learners' names (Ğ, ş, Ł, ő, ț ...). DejaVu Sans covers them, so it is embedded when the system has it
# (Debian: fonts-dejavu-core); otherwise the certificate falls back to Helvetica.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
_MARGIN = 2 * cm
_FOOTER_BOTTOM = 1.2 * cm  # most printers cannot print the outer ~5 mm of a sheet
_FOOTER_TOP = 3.4 * cm  # the body of the page stops here; the footer grows upwards from _FOOTER_BOTTOM
_QR_SIZE = 4 * cm
_LOGO_BOX = (6 * cm, 2.2 * cm)
_INK = colors.HexColor("#1a1c1f")
_MUTED = colors.HexColor("#4a4f57")
_RULE = colors.HexColor("#c9ccd1")
# The word printed across every page of a certificate that is not (or no longer) valid: it must survive being
# cropped, photocopied in black and white, or read by someone who never looks at the footer.
_MARKS = {
    Verdict.REVOKED: N_("REVOKED"),
    Verdict.SUSPENDED: N_("SUSPENDED"),
    Verdict.EXPIRED: N_("EXPIRED"),
    Verdict.NOT_YET_VALID: N_("NOT YET VALID"),
    Verdict.NOT_VALID: N_("NOT VALID"),
    Verdict.COULD_NOT_CHECK: N_("NOT VERIFIED"),
    Verdict.ISSUER_NOT_CONFIRMED: N_("ISSUER NOT CONFIRMED"),
}


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    """(regular, bold) font names: embedded DejaVu Sans if installed, else the built-in Helvetica."""
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                pdfmetrics.registerFont(TTFont("VetcredSans", str(regular)))
                pdfmetrics.registerFont(TTFont("VetcredSans-Bold", str(bold)))
            except Exception:  # a broken font file must not stop certificates being printed
                continue
            pdfmetrics.registerFontFamily(
                "VetcredSans",
                normal="VetcredSans",
                bold="VetcredSans-Bold",
                italic="VetcredSans",
                boldItalic="VetcredSans-Bold",
            )
            return "VetcredSans", "VetcredSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=14, textColor=_INK)
    return {
        "base": base,
        "description": ParagraphStyle("description", parent=base, alignment=TA_CENTER, spaceAfter=0.4 * cm),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=bold,
            fontSize=13,
            leading=16,
            alignment=TA_CENTER,
            textColor=_MUTED,
            spaceAfter=0.6 * cm,
        ),
        "achievement": ParagraphStyle(
            "achievement",
            parent=base,
            fontName=bold,
            fontSize=26,
            leading=31,
            alignment=TA_CENTER,
            spaceAfter=0.5 * cm,
        ),
        "centre": ParagraphStyle("centre", parent=base, fontSize=12, leading=16, alignment=TA_CENTER),
        "learner": ParagraphStyle(
            "learner",
            parent=base,
            fontName=bold,
            fontSize=20,
            leading=25,
            alignment=TA_CENTER,
            spaceBefore=0.1 * cm,
            spaceAfter=0.4 * cm,
        ),
        "issuer": ParagraphStyle(
            "issuer",
            parent=base,
            fontName=bold,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            spaceAfter=0.6 * cm,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=bold,
            fontSize=12,
            leading=16,
            spaceBefore=0.5 * cm,
            spaceAfter=0.15 * cm,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=13.5),
        "cell_label": ParagraphStyle("cell_label", parent=base, fontSize=10.5, leading=13.5, textColor=_MUTED),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=_MUTED),
        "caption": ParagraphStyle("caption", parent=base, fontName=bold, fontSize=10, leading=13, alignment=TA_CENTER),
        "url": ParagraphStyle("url", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER, textColor=_MUTED),
    }


def _text(value: str) -> str:
    """User text made safe for ReportLab's paragraph mini-markup (which treats ``<`` and ``&`` as tags)."""
    return escape(value).replace("\n", "<br/>")


def _facts(view: CredentialView, styles: dict[str, ParagraphStyle], t: Localizer) -> Table:
    rows: list[tuple[str, str]] = [
        (t.gettext("Issued on"), view.issued_on),
        (t.gettext("Valid from"), view.valid_from),
        (t.gettext("Valid until"), view.valid_until or t.gettext("No expiry date")),
    ]
    optional = [
        (t.gettext("Credits"), view.credits),
        (t.gettext("Level"), view.level),
        (t.gettext("National level"), view.national_level),
        (t.gettext("Type"), view.achievement_type),
        (t.gettext("Type of assessment"), view.assessment),
        (t.gettext("Supervision and identity verification"), view.supervision),
    ]
    rows += [(label, value) for label, value in optional if value]
    data = [
        [Paragraph(_text(label), styles["cell_label"]), Paragraph(_text(value), styles["cell"])]
        for label, value in rows
    ]
    # Labels run longer in Greek or Finnish than in English: a wider first column, the values wrap instead.
    table = Table(data, colWidths=[5 * cm, 8.5 * cm], hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _outcomes(outcomes: Iterable[str], styles: dict[str, ParagraphStyle], t: Localizer) -> list[Flowable]:
    items = [ListItem(Paragraph(_text(o), styles["base"]), leftIndent=14) for o in outcomes]
    if not items:
        return []
    return [
        Paragraph(_text(t.gettext("Learning outcomes")), styles["heading"]),
        ListFlowable(items, bulletType="bullet", start="•", leftIndent=14, bulletFontName=fonts()[0]),
    ]


def _qr_block(view: CredentialView, qr_png: bytes, styles: dict[str, ParagraphStyle], t: Localizer) -> Flowable:
    image = Image(io.BytesIO(qr_png), width=_QR_SIZE, height=_QR_SIZE)
    return KeepTogether(
        [
            Spacer(1, 0.6 * cm),
            image,
            Paragraph(_text(t.gettext("Scan to verify")), styles["caption"]),
            Paragraph(_text(view.verify_url), styles["url"]),
        ]
    )


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def _footer(view: CredentialView, t: Localizer) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Draws, on every page, the verdict when printed and the note that the digital credential decides.

    Pages after the first also get a running head, so a loose second sheet still says whose it is.
    """
    regular, bold = fonts()
    style = verdict_style(view.verdict)
    width, _ = A4
    small = ParagraphStyle("footer", fontName=regular, fontSize=7.5, leading=9.5, textColor=_MUTED)
    verdict = f'<font name="{bold}" color="{style.colour}">{_text(style.symbol)} {_text(view.headline)}</font>'
    # Translated sentences are escaped first, then the (already escaped) markup goes into their placeholders.
    status = _text(t.gettext("%(verdict)s when this PDF was made: %(explanation)s")) % {
        "verdict": verdict,
        "explanation": _text(view.explanation),
    }
    note = _text(
        t.gettext(
            "This printout is a copy. The digital credential is authoritative: scan the QR code or open %(url)s to "
            "check its current status."
        )
    ) % {"url": _text(view.verify_url)}
    running_head = _text(t.gettext("Certificate: %(achievement)s, awarded to %(learner)s (continued)")) % {
        "achievement": _text(_shorten(view.achievement_name, 90)),
        "learner": _text(_shorten(view.learner_name, 60)),
    }

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        _draw_mark(canvas, view, t)
        canvas.saveState()
        if canvas.getPageNumber() > 1:
            head = Paragraph(running_head, small)
            _, height = head.wrap(width - 2 * _MARGIN, _MARGIN)
            head.drawOn(canvas, _MARGIN, A4[1] - _MARGIN + 0.4 * cm)
        y = _FOOTER_BOTTOM
        page = _text(t.gettext("Page %(number)s.")) % {"number": canvas.getPageNumber()}
        for markup in (status, f"{note} {page}"):
            paragraph = Paragraph(markup, small)
            _, height = paragraph.wrap(width - 2 * _MARGIN, _FOOTER_TOP)
            paragraph.drawOn(canvas, _MARGIN, y)
            y += height + 3
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, y + 2, width - _MARGIN, y + 2)
        canvas.restoreState()

    return draw


def _draw_mark(canvas: Canvas, view: CredentialView, t: Localizer) -> None:
    """The verdict word diagonally across the page, in the verdict's colour, behind the text."""
    if view.verdict not in _MARKS:
        return
    mark = t.gettext(_MARKS[view.verdict])
    _, bold = fonts()
    width, height = A4
    diagonal = (width**2 + height**2) ** 0.5
    size = min(140.0, 0.8 * diagonal / max(1.0, pdfmetrics.stringWidth(mark, bold, 1)))
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(verdict_style(view.verdict).colour), alpha=0.22)
    canvas.setFont(bold, size)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(57)  # roughly the A4 diagonal
    canvas.drawCentredString(0, -size / 3, mark)
    canvas.restoreState()


def _status_banner(view: CredentialView, styles: dict[str, ParagraphStyle]) -> Table:
    """A solid band at the top of the first page: the verdict and what it means, white on the verdict's colour."""
    style = verdict_style(view.verdict)
    text = ParagraphStyle("banner", parent=styles["base"], textColor=colors.white, fontSize=11, leading=14)
    head = ParagraphStyle("banner_head", parent=text, fontName=fonts()[1], fontSize=16, leading=20)
    band = Table(
        [
            [Paragraph(f"{_text(style.symbol)} {_text(view.headline)}", head)],
            [Paragraph(_text(view.explanation), text)],
        ],
        colWidths=[A4[0] - 2 * _MARGIN],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(style.colour)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (0, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    return band


def _college_head(view: CredentialView, logo: bytes | None, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The signing college's logo (already a PNG: SVGs were rasterised at upload) and its primary colour for the
    title and a rule; only for a college this service confirms signed (``view.college``)."""
    college = view.college
    if college is None:
        return []
    head: list[Flowable] = []
    if logo:
        image = Image(io.BytesIO(logo), width=_LOGO_BOX[0], height=_LOGO_BOX[1], kind="proportional")
        image.hAlign = "CENTER"
        head += [image, Spacer(1, 0.3 * cm)]
    colour = colors.HexColor(college.primary_colour)
    head.append(HRFlowable(width="100%", thickness=3, color=colour, spaceAfter=0.4 * cm))
    styles["title"] = ParagraphStyle("college_title", parent=styles["title"], textColor=colour)
    return head


def certificate_pdf(view: CredentialView, qr_png: bytes, *, logo: bytes | None = None) -> bytes:
    """An A4 portrait certificate in the view's language; long names wrap and many outcomes flow onto further
    pages. ``logo``: the confirmed signing college's logo PNG."""
    t = localizer(view.language)
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_FOOTER_TOP,
        title=t.gettext("Certificate: %(achievement)s, awarded to %(learner)s")
        % {"achievement": view.achievement_name, "learner": view.learner_name},
        author=view.issuer.display_name,
        subject=t.gettext("%(achievement)s, awarded to %(learner)s by %(issuer)s")
        % {"achievement": view.achievement_name, "learner": view.learner_name, "issuer": view.issuer.display_name},
        keywords=["credential", view.verify_url],
        creator="vetcred",
        lang=view.language,
    )
    story: list[Flowable] = []
    if view.verdict is not Verdict.VERIFIED:
        story += [_status_banner(view, styles), Spacer(1, 0.5 * cm)]
    story += _college_head(view, logo, styles)
    story += [
        Paragraph(_text(t.gettext("Certificate")), styles["title"]),
        Paragraph(_text(view.achievement_name), styles["achievement"]),
        Paragraph(_text(t.gettext("awarded to")), styles["centre"]),
        Paragraph(_text(view.learner_name), styles["learner"]),
        Paragraph(_text(t.gettext("by")), styles["centre"]),
        Paragraph(_text(view.issuer.display_name), styles["issuer"]),
    ]
    if view.achievement_description:
        story.append(Paragraph(_text(view.achievement_description), styles["description"]))
    story.append(_facts(view, styles, t))
    story.extend(_outcomes(view.learning_outcomes, styles, t))
    story.append(_qr_block(view, qr_png, styles, t))
    footer = _footer(view, t)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
