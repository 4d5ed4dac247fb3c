"""Readable, translatable words for the EU vocabulary concepts a reader meets on a page.

The shipped vocabularies (``schemas/vocabularies``) carry the EU's English labels only; these are the same concepts
in plain sentence case, marked for translation, keyed by concept URI so a relabelled vocabulary changes nothing.
"""

from __future__ import annotations

from typing import Any

from app.achievements.vocabularies import vocabulary
from app.i18n.catalogues import N_
from app.i18n.localizer import Localizer

_SNB = "http://data.europa.eu/snb"

LABELS: dict[str, str] = {
    # Type of assessment (Annex I)
    f"{_SNB}/assessment/19a2e5e671": N_("Peer assessment"),
    f"{_SNB}/assessment/2939dae15f": N_("Marked assignment"),
    f"{_SNB}/assessment/3484bd7e51": N_("Continuous evaluation"),
    f"{_SNB}/assessment/4f03b91c0e": N_("Portfolio"),
    f"{_SNB}/assessment/56539a6507": N_("Group performance"),
    f"{_SNB}/assessment/6a4db9f11d": N_("Practical assessment"),
    f"{_SNB}/assessment/6e6cb2cc78": N_("Written examination"),
    f"{_SNB}/assessment/7331eb4762": N_("Level of attendance"),
    f"{_SNB}/assessment/795dac4096": N_("Project work"),
    f"{_SNB}/assessment/812e3b0ae1": N_("Peer review"),
    f"{_SNB}/assessment/b1b68f6735": N_("Quiz"),
    f"{_SNB}/assessment/c4256a2726": N_("Problem-based learning"),
    f"{_SNB}/assessment/c_04b30a72": N_("Presentation"),
    f"{_SNB}/assessment/c_2b3bd410": N_("Self-assessment"),
    f"{_SNB}/assessment/c_4f874951": N_("Guided self-assessment"),
    f"{_SNB}/assessment/d30284d7df": N_("Oral examination"),
    f"{_SNB}/assessment/de4d165a6c": N_("Assessment of a made object (artefact)"),
    # Supervision and identity verification (Annex I)
    f"{_SNB}/supervision-verification/c598449d64": N_("Unsupervised, identity not verified"),
    f"{_SNB}/supervision-verification/df2880c5cb": N_("Unsupervised, identity verified"),
    f"{_SNB}/supervision-verification/44314532f9": N_("Supervised, identity not verified"),
    f"{_SNB}/supervision-verification/70be69aaf9": N_("Supervised, identity verified"),
    # Form of participation (Annex I)
    f"{_SNB}/learning-assessment/729f3bed4b": N_("Work-based"),
    f"{_SNB}/learning-assessment/7813801c77": N_("Project-based"),
    f"{_SNB}/learning-assessment/9191af2ed9": N_("In person"),
    f"{_SNB}/learning-assessment/920fbb3cbe": N_("Online"),
    f"{_SNB}/learning-assessment/e92d221e4d": N_("Blended (online and in person)"),
    f"{_SNB}/learning-assessment/ed4c557045": N_("Research or laboratory based"),
    # Quality assurance (Annex I)
    f"{_SNB}/accreditation/003293d2ce": N_("Institutional licence"),
    f"{_SNB}/accreditation/e57dddfcf3": N_("Programme licence"),
    f"{_SNB}/accreditation/820101cba6": N_("Programme quality assurance"),
    f"{_SNB}/accreditation/bb4618238e": N_("Institutional quality assurance"),
}


def label_of(uri: str | None) -> str | None:
    """The English msgid for a concept URI (translate it where it is shown), or None for a concept not listed."""
    return LABELS.get(uri or "")


def concept_words(vocabulary_name: str, value: Any, t: Localizer) -> str:
    """A stored code in the reader's words: translated labels where vetcred has them, the EU's English otherwise."""
    if value in (None, ""):
        return ""
    found = vocabulary(vocabulary_name).find(str(value))
    if found is None:
        return str(value)
    msgid = label_of(found.uri)
    if msgid:
        return t.gettext(msgid)
    alpha2 = next((c for c in vocabulary(vocabulary_name).alt_codes.get(found.uri, ()) if len(c) == 2), None)
    if vocabulary_name == "country" and alpha2:
        return t.country(alpha2) or found.label.get("en", str(value))
    if vocabulary_name == "language" and alpha2:
        return t.language_name(alpha2) or found.label.get("en", str(value))
    return found.label.get("en", str(value))
