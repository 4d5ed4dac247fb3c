"""The plain view model behind the verification page, the QR codes and the PDF certificate."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n.catalogues import N_
from app.issuers.branding import CollegeBranding
from app.verification.report import Verdict


@dataclass(frozen=True)
class CheckView:
    """One line of "What we checked", in the reader's language: ``summary`` says what the outcome means in plain
    words; ``reason`` is the verifier's technical detail (English, with DIDs and suite names), shown folded away.
    ``outcome`` is passed, failed, could_not_check, not_applicable or not_confirmed."""

    name: str
    label: str
    outcome: str
    reason: str
    summary: str = ""
    outcome_label: str = ""

    def __post_init__(self) -> None:
        if not self.outcome_label:  # built without a language: the English words
            object.__setattr__(self, "outcome_label", outcome_label(self.outcome))


@dataclass(frozen=True)
class IssuerView:
    """Who issued the credential, as far as it is known.

    ``name``/``url``/``location``/``confirmed_by`` come from a trusted source and are set only when ``confirmed``;
    ``claimed_name`` is what the credential itself says, shown as a quotation, never as fact. ``signer`` is the
    DID, key-controller URL or certificate that made the proof or seal, with ``signed_with`` saying how.
    """

    confirmed: bool
    claimed_name: str
    stated_id: str
    name: str | None = None
    url: str | None = None
    location: str | None = None
    confirmed_by: list[str] = field(default_factory=list)
    signer: str | None = None
    signed_with: str | None = None
    # The name to print: the confirmed one, or the claimed one marked (in the reader's language) as not confirmed.
    display_name: str = ""

    def __post_init__(self) -> None:
        if not self.display_name:  # built without a language: the English words
            shown = self.name if self.confirmed and self.name else f"“{self.claimed_name}” (not confirmed)"
            object.__setattr__(self, "display_name", shown)


@dataclass(frozen=True)
class CredentialView:
    """Everything a person sees about one credential, already formatted as text in ``language`` (dates included).

    The credential's own words (name, description, outcomes) are in ``content_language`` when that is known and
    differs from ``language``: pages mark them with a ``lang`` attribute. ``other_language_url`` points at the
    achievement in the reader's language when the credential names such a version.
    """

    verdict: Verdict
    headline: str
    explanation: str
    issuer: IssuerView
    learner_name: str
    achievement_name: str
    achievement_description: str
    achievement_type: str | None
    learning_outcomes: list[str]
    credits: str | None
    level: str | None
    issued_on: str
    valid_from: str
    valid_until: str | None
    checks: list[CheckView]
    verify_url: str
    json_url: str
    report_url: str
    qr_svg_url: str
    pdf_url: str
    notices: list[str] = field(default_factory=list)
    language: str = "en"
    content_language: str | None = None
    national_level: str | None = None
    assessment: str | None = None
    supervision: str | None = None
    other_language_url: str | None = None
    # The signing college's look, set only when this service confirms that college signed.
    college: CollegeBranding | None = None
    checked: str = ""  # when the checks ran, and which outcomes were reused from an earlier check


@dataclass(frozen=True)
class HolderView:
    """The presentation itself, in the reader's language: the verdict on its holder's proof, the holder the proof
    establishes (``holder``, or the one the presentation only states when it did not verify) and the checks."""

    verdict: Verdict
    headline: str
    explanation: str
    holder: str | None
    signed_with: str | None
    checks: list[CheckView]
    checked: str = ""


@dataclass(frozen=True)
class PresentedCredentialView:
    """One credential of a presentation: its own view, and whether it was issued to the holder (``binding``)."""

    credential: CredentialView
    binding: CheckView


@dataclass(frozen=True)
class PresentationView:
    """Everything the presentation page shows: one verdict for the holder, then one per credential."""

    holder: HolderView
    credentials: list[PresentedCredentialView]
    language: str = "en"


@dataclass(frozen=True)
class Style:
    """How a verdict or a check outcome looks: a CSS class, a text symbol and colours for the PDF.

    The symbol and the words beside it carry the meaning; colour only reinforces it (WCAG 1.4.1).
    ``colour`` is dark enough for white text on it and for text on white (contrast >= 4.5:1).
    """

    css_class: str
    symbol: str
    colour: str
    tint: str


_VERDICT_STYLES: dict[str, Style] = {
    Verdict.VERIFIED: Style("verdict-verified", "✓", "#0b6b2e", "#e6f4ea"),
    Verdict.ISSUER_NOT_CONFIRMED: Style("verdict-unconfirmed", "?", "#6b4f00", "#fff6d6"),
    Verdict.REVOKED: Style("verdict-revoked", "✕", "#a1141b", "#fdecec"),
    Verdict.SUSPENDED: Style("verdict-suspended", "!", "#8a4500", "#fff3e0"),
    Verdict.EXPIRED: Style("verdict-expired", "!", "#5b4b8a", "#f1eefa"),
    Verdict.NOT_YET_VALID: Style("verdict-not-yet-valid", "!", "#3f4a5a", "#eceff3"),
    Verdict.NOT_VALID: Style("verdict-not-valid", "✕", "#7a1040", "#fbeaf1"),
    Verdict.COULD_NOT_CHECK: Style("verdict-could-not-check", "?", "#1f4e8c", "#e8f0fb"),
}

_OUTCOME_STYLES: dict[str, Style] = {
    "passed": Style("outcome-passed", "✓", "#0b6b2e", "#e6f4ea"),
    "failed": Style("outcome-failed", "✕", "#a1141b", "#fdecec"),
    "could_not_check": Style("outcome-could-not-check", "?", "#1f4e8c", "#e8f0fb"),
    "not_applicable": Style("outcome-not-applicable", "\u2013", "#4a4f57", "#f0f1f3"),
    "not_confirmed": Style("outcome-not-confirmed", "?", "#6b4f00", "#fff6d6"),
}

_OUTCOME_LABELS: dict[str, str] = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "could_not_check": N_("Could not check"),
    "not_applicable": N_("Not applicable"),
    "not_confirmed": N_("Not confirmed"),
}

_UNKNOWN_OUTCOME = Style("outcome-unknown", "?", "#4a4f57", "#f0f1f3")


def verdict_style(verdict: Verdict | str) -> Style:
    """The look of a verdict; an unknown value looks like "could not check", never like "verified"."""
    return _VERDICT_STYLES.get(str(verdict), _VERDICT_STYLES[Verdict.COULD_NOT_CHECK])


def outcome_style(outcome: str) -> Style:
    """The look of one check outcome (accepts plain strings or a ``StrEnum`` such as the report's Outcome)."""
    return _OUTCOME_STYLES.get(str(outcome), _UNKNOWN_OUTCOME)


def outcome_label(outcome: str) -> str:
    """The English msgid shown for a check outcome, e.g. "Could not check" (translate it where it is shown)."""
    value = str(outcome)
    return _OUTCOME_LABELS.get(value, value.replace("_", " ").capitalize())
