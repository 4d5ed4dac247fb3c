"""What a college submits: its public profile (OB 3.0 Profile fields), its branding, a label for a new API key."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from app.fields import Email, HttpUrl, ImageRef, LongText, ShortText, StrictInput
from app.i18n.languages import LANGUAGES, supported
from app.issuers.branding import MIN_CONTRAST, BrandingChoice

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
# Names go into page headers, wallet screens and the From of e-mails: one line, no control characters.
OneLine = Annotated[ShortText, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]+$")]


def _language(value: str) -> str:
    found = supported(value)
    if found is None:
        raise ValueError(f"vetcred speaks {', '.join(LANGUAGES)}; {value!r} is not one of them")
    return found


Language = Annotated[str, AfterValidator(_language)]


class AddressInput(StrictInput):
    addressCountry: ShortText | None = None
    addressCountryCode: CountryCode | None = None
    addressRegion: ShortText | None = None
    addressLocality: ShortText | None = None
    streetAddress: ShortText | None = None
    postalCode: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None


class IssuerInput(StrictInput):
    """A college's public profile. ``address.addressCountryCode`` is ISO 3166-1 alpha-2 (for example ``NL``)."""

    name: ShortText
    url: HttpUrl
    email: Email
    description: LongText | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)] | None = None
    address: AddressInput
    image: ImageRef | None = Field(
        default=None, description="its logo; a PNG or JPEG data: URI is also embedded in its EDCs as their logo"
    )
    legalIdentifier: ShortText | None = Field(
        default=None,
        description="the college's registered legal identifier (e.g. NTRNL-12345678, its chamber of commerce "
        "number): its EDCs' registration, and their eIDAS identifier unless the e-seal certificate has an "
        "organizationIdentifier",
    )
    vatIdentifier: ShortText | None = None
    defaultLanguage: Language | None = Field(
        default=None,
        description="The language its credentials' pages, PDFs and e-mails are shown in when the reader's browser "
        f"asks for none vetcred speaks ({', '.join(LANGUAGES)}); null: English",
    )
    allowSuspension: bool = Field(
        default=False,
        description="Also give credentials a suspension status entry. They then carry two credentialStatus "
        "entries as an array: valid VC 2.0, accepted by VC 2.0 verifiers, but rejected by the strict 1EdTech "
        "OB 3.0 JSON Schema (which allows one). Off by default: revocation only, schema-valid everywhere.",
    )

    def to_profile(self, did: str) -> dict[str, Any]:
        """The OB 3.0 ``Profile`` this college appears as in every credential it issues."""
        profile: dict[str, Any] = {"id": did, "type": ["Profile"], "name": self.name, "url": self.url}
        profile["email"] = str(self.email)
        if self.phone:
            profile["phone"] = self.phone
        if self.description:
            profile["description"] = self.description
        address = self.address.model_dump(exclude_none=True)
        if address:
            profile["address"] = {"type": ["Address"], **address}
        if self.image:
            profile["image"] = {"id": self.image, "type": "Image"}
        return profile


class BrandingIn(StrictInput):
    """The college's choices; a field left out (or null) falls back to the default shown in the response."""

    displayName: OneLine | None = Field(
        default=None, description="The name pages, certificates, e-mails and wallets show (default: its name)"
    )
    primaryColour: Colour | None = Field(
        default=None,
        description=f"#rrggbb, a background under white text: contrast with #ffffff at least {MIN_CONTRAST}:1",
    )
    accentColour: Colour | None = Field(
        default=None,
        description=f"#rrggbb, text on the white page: contrast with #ffffff at least {MIN_CONTRAST}:1",
    )
    senderName: OneLine | None = Field(
        default=None, description="The name in the From of e-mails to learners (the address stays this service's)"
    )
    replyTo: Email | None = Field(default=None, description="Where learners' replies go (default: its profile e-mail)")

    def to_choice(self) -> BrandingChoice:
        return BrandingChoice(
            self.displayName,
            self.primaryColour,
            self.accentColour,
            self.senderName,
            self.replyTo,
        )


class NewApiKeyIn(StrictInput):
    label: ShortText | None = Field(default=None, description='What the key is for, e.g. "student records system"')
