"""A college's own identity on its pages, certificates, e-mails and wallet metadata, and the rules it must keep.

Colours are checked against WCAG 2.1 AA (contrast ratio at least 4.5:1) for the way they are used: the primary
colour is a background under white text (page header band, PDF rule and title, wallet card), the accent colour is
text on the white page (the college's name, its links). Neither is ever used for a verification verdict: a
college's colours cannot make a revoked credential look green.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Issuer, IssuerBranding
from app.errors import InvalidInput
from app.trust.identity import IssuerIdentity

WHITE = "#ffffff"
# vetcred's own colours, used while a college has not chosen its own (both pass the rule below).
DEFAULT_PRIMARY = "#0b4fa8"
DEFAULT_ACCENT = "#0b4fa8"
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    """One sRGB channel, linearised as WCAG 2.1 defines relative luminance."""
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _shown(ratio: float) -> str:
    """The ratio to two decimals, as contrast checkers print it; a refused ratio that would round up to the
    threshold gets a third decimal, so it never reads as 4.50:1."""
    text = f"{ratio:.2f}"
    if ratio < MIN_CONTRAST <= float(text):
        text = f"{math.floor(ratio * 1000) / 1000:.3f}"
    return f"{text}:1"


def check_contrast(field: str, colour: str, *, against: str, role: str) -> None:
    """Refuses ``colour`` (422 naming ``field`` and the measured ratio) below WCAG 2.1 AA against ``against``."""
    ratio = contrast_ratio(colour, against)
    if ratio < MIN_CONTRAST:
        raise InvalidInput(
            f"{colour} has a contrast ratio of {_shown(ratio)} with {against} ({role}); WCAG 2.1 AA needs at "
            f"least {MIN_CONTRAST}:1: choose a darker colour",
            field=field,
        )


@dataclass(frozen=True)
class CollegeBranding:
    """How a college appears: every value is set (vetcred's defaults fill what the college has not chosen).

    ``logo_url`` is None while the college has no logo. ``sender_name`` and ``reply_to`` are for e-mails: the
    From address stays this service's own (the college's domain is never used as a sender).
    """

    college_id: str
    display_name: str
    logo_url: str | None
    primary_colour: str
    accent_colour: str
    sender_name: str
    reply_to: str | None
    theme_url: str


@dataclass(frozen=True)
class BrandingChoice:
    """What a college chose (None: the default)."""

    display_name: str | None = None
    primary_colour: str | None = None
    accent_colour: str | None = None
    sender_name: str | None = None
    reply_to: str | None = None

    def checked(self) -> BrandingChoice:
        """The choice with colours lower-cased, once both pass the contrast rule for their use."""
        primary = self.primary_colour.lower() if self.primary_colour else None
        accent = self.accent_colour.lower() if self.accent_colour else None
        if primary:
            check_contrast("primaryColour", primary, against=WHITE, role="the white text shown on it")
        if accent:
            check_contrast("accentColour", accent, against=WHITE, role="the white page it is text on")
        return BrandingChoice(self.display_name, primary, accent, self.sender_name, self.reply_to)


def logo_url(public_url: str, college_id: str) -> str:
    """The logo's stable public address."""
    return f"{public_url}/issuers/{college_id}/logo"


def theme_url(public_url: str, college_id: str) -> str:
    """The college's stylesheet (its colours as CSS custom properties)."""
    return f"{public_url}/issuers/{college_id}/theme.css"


def branding_of(issuer: Issuer, row: IssuerBranding | None, public_url: str) -> CollegeBranding:
    """The college's branding with defaults: its registered name, vetcred's colours, its profile e-mail."""
    display_name = (row.display_name if row else None) or issuer.name
    profile_email = issuer.profile.get("email")
    has_logo = row is not None and row.logo_png is not None
    return CollegeBranding(
        college_id=issuer.id,
        display_name=display_name,
        logo_url=logo_url(public_url, issuer.id) if has_logo else None,
        primary_colour=(row.primary_colour if row else None) or DEFAULT_PRIMARY,
        accent_colour=(row.accent_colour if row else None) or DEFAULT_ACCENT,
        sender_name=(row.sender_name if row else None) or display_name,
        reply_to=(row.reply_to if row else None) or (profile_email if isinstance(profile_email, str) else None),
        theme_url=theme_url(public_url, issuer.id),
    )


def college_branding(session: Session, issuer: Issuer, public_url: str) -> CollegeBranding:
    return branding_of(issuer, session.get(IssuerBranding, issuer.id), public_url)


def branding_by_id(session: Session, college_id: str, public_url: str) -> CollegeBranding | None:
    issuer = session.get(Issuer, college_id)
    return None if issuer is None else college_branding(session, issuer, public_url)


def confirmed_branding(session: Session, identity: IssuerIdentity | None, public_url: str) -> CollegeBranding | None:
    """The branding of the college that signed, only when this service confirms it is the signer: a credential
    that merely claims a college's name (or even its DID) gets nothing of that college's look."""
    did = identity.college_did if identity else None
    if did is None:
        return None
    # One query for the college and its choices: this runs on every view of a verification page.
    found = session.execute(
        select(Issuer, IssuerBranding)
        .outerjoin(IssuerBranding, IssuerBranding.issuer_id == Issuer.id)
        .where(Issuer.did == did)
    ).first()
    return None if found is None else branding_of(found[0], found[1], public_url)


def _row(session: Session, issuer: Issuer) -> IssuerBranding:
    row = session.get(IssuerBranding, issuer.id)
    if row is None:
        row = IssuerBranding(issuer_id=issuer.id)
        session.add(row)
    return row


def set_branding(session: Session, issuer: Issuer, choice: BrandingChoice) -> None:
    """Replaces the college's choices (the logo is kept: it has its own endpoint)."""
    checked = choice.checked()
    row = _row(session, issuer)
    row.display_name = checked.display_name
    row.primary_colour = checked.primary_colour
    row.accent_colour = checked.accent_colour
    row.sender_name = checked.sender_name
    row.reply_to = checked.reply_to
    session.flush()


def set_logo(session: Session, issuer: Issuer, png: bytes) -> None:
    """Stores the college's logo, already made safe (``app.issuers.logos``); its ETag is the PNG's SHA-256."""
    row = _row(session, issuer)
    row.logo_png = png
    row.logo_etag = hashlib.sha256(png).hexdigest()
    session.flush()


def remove_logo(session: Session, issuer: Issuer) -> None:
    row = session.get(IssuerBranding, issuer.id)
    if row is not None:
        row.logo_png = None
        row.logo_etag = None
        session.flush()


def logo_png(session: Session, college_id: str) -> tuple[bytes, str] | None:
    """The college's logo and its ETag, or None."""
    row = session.get(IssuerBranding, college_id)
    if row is None or row.logo_png is None or row.logo_etag is None:
        return None
    return row.logo_png, row.logo_etag


def theme_css(branding: CollegeBranding) -> str:
    """The college's colours as custom properties, scoped to elements marked with its id. The colours were
    validated as ``#rrggbb`` and the id is the college's UUID, so nothing here comes from free text."""
    return (
        f'[data-college="{branding.college_id}"] {{\n'
        f"  --college-primary: {branding.primary_colour};\n"
        f"  --college-accent: {branding.accent_colour};\n"
        "}\n"
    )
