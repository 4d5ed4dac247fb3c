"""A specification's learning outcomes as staff pages show them: each id with its title in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from app.assessments.records import domain_spec
from app.console.deps import StaffContext
from app.db.models import MicroCredentialSpec
from app.web.language import language_choice


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str


def page_language(request: Request, staff: StaffContext) -> str:
    """The language ``console_page`` renders this request's page in (for what the page does not render itself:
    a file to download, the outcomes' titles)."""
    return language_choice(request).code(staff.issuer.default_language)


def outcomes_of(spec: MicroCredentialSpec, language: str, public_url: str) -> list[Outcome]:
    """In ``language`` when the specification has it, else in its primary language."""
    typed = domain_spec(spec, public_url)
    return [
        Outcome(
            outcome.id,
            outcome.title.get(language)
            or outcome.title.get(typed.primary_language)
            or next(iter(outcome.title.values()), outcome.id),
        )
        for outcome in typed.learning_outcomes
    ]
