"""Portfolio links: a learner shares the credentials they pick (their college's, and others' they upload) at one
unguessable link ``/p/{token}``, and can withdraw it. Only the token's hash is stored, as for claim links.

The learner is reached through their claim link (the learner page): a portfolio belongs to the claim link's college
and e-mail address, so any later claim link of the same learner manages it too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.credentials.issuance import get_by_public_token
from app.db.models import ClaimLink, Credential, Portfolio, PortfolioItem
from app.errors import InvalidInput, NotFound
from app.verification.inputs import read_presented
from app.verification.presentations import is_presentation
from app.verification.report import Outcome, Report, Verdict
from app.wallet.claims import hash_secret, learner_credentials, new_secret

MAX_UPLOADS = 20
MAX_UPLOAD_CHARS = 1_000_000  # a sealed EDC with its images is a few hundred kB


@dataclass(frozen=True)
class NewPortfolio:
    """A portfolio with its token in clear: shown once, only its hash is kept."""

    portfolio: Portfolio
    token: str


@dataclass(frozen=True)
class Shared:
    """One credential of a portfolio as the page verifies it: the document, the text it was read from (names it to
    the verification cache) and, for a credential of this service, its verification link's token."""

    document: Any
    text: str | None
    public_token: str | None = None


def portfolio_url(public_url: str, token: str) -> str:
    return f"{public_url}/p/{token}"


def owner_hash(link: ClaimLink) -> str:
    """The learner behind a claim link, without personal data in clear: their e-mail address (any of their links
    then finds their portfolios) or, for a link without one, the link's credential."""
    return hash_secret(f"email:{link.email.lower()}" if link.email else f"credential:{link.credential_id}")


def read_upload(text: str, verify: Callable[[Any], Report], *, field: str = "credential") -> str:
    """The uploaded credential's text, once it verifies at least structurally: not a presentation, a credential,
    and not ``not_valid`` (a broken or altered proof or seal, a malformed credential). Anything else (revoked,
    expired, an issuer no trusted source confirms) is accepted: the page tells it on every view."""
    if len(text) > MAX_UPLOAD_CHARS:
        raise InvalidInput(f"larger than {MAX_UPLOAD_CHARS} characters", field=field)
    document = read_presented(text, field=field)
    if not isinstance(document, dict | str):
        raise InvalidInput("a credential is a JSON object or a VC-JWT", field=field)
    if is_presentation(document):
        raise InvalidInput("this is a presentation: add the credentials it carries one by one", field=field)
    report = verify(document)
    if not report.issuer:
        raise InvalidInput(f"not a credential: {report.checks[0].reason}", field=field)
    if report.verdict is Verdict.NOT_VALID:
        failed = next((c for c in report.checks if c.required and c.outcome is Outcome.FAILED), report.checks[0])
        raise InvalidInput(f"it does not verify ({failed.name}): {failed.reason}", field=field)
    return text.strip()


def create_portfolio(
    session: Session,
    link: ClaimLink,
    *,
    picked: list[str],
    uploads: list[str],
    verify: Callable[[Any], Report],
    now: datetime,
) -> NewPortfolio:
    """A new portfolio of the learner's ``picked`` credentials of the link's college (by id: only their own) and
    the ``uploads`` (credentials' texts, each refused unless it verifies structurally), in that order."""
    own = learner_credentials(session, link)
    mine = {credential.id for credential in own}
    for credential_id in picked:
        if credential_id not in mine:
            raise InvalidInput(f"{credential_id!r} is not one of your credentials", field="credential")
    if len(uploads) > MAX_UPLOADS:
        raise InvalidInput(f"at most {MAX_UPLOADS} credentials can be uploaded at once", field="upload")
    texts = [read_upload(text, verify, field=f"upload[{n}]") for n, text in enumerate(uploads, start=1)]
    chosen = list(dict.fromkeys(picked))  # once each, in the order given
    if not chosen and not texts:
        raise InvalidInput("pick at least one credential, or add one from another college", field="credential")
    token = new_secret()
    portfolio = Portfolio(
        id=str(uuid.uuid4()),
        token_hash=hash_secret(token),
        issuer_id=own[0].issuer_id,
        owner_hash=owner_hash(link),
        created_at=now,
    )
    session.add(portfolio)
    entries: list[tuple[str | None, str | None]] = [(c, None) for c in chosen] + [(None, t) for t in texts]
    session.add_all(
        PortfolioItem(id=str(uuid.uuid4()), portfolio_id=portfolio.id, position=n, credential_id=c, uploaded=t)
        for n, (c, t) in enumerate(entries)
    )
    session.flush()
    return NewPortfolio(portfolio, token)


def portfolios_of(session: Session, link: ClaimLink) -> list[Portfolio]:
    """The learner's portfolios made in the link's college that are not withdrawn, newest first."""
    own = session.get(Credential, link.credential_id)
    if own is None:
        return []
    return list(
        session.scalars(
            select(Portfolio)
            .where(Portfolio.issuer_id == own.issuer_id, Portfolio.owner_hash == owner_hash(link))
            .where(Portfolio.withdrawn_at.is_(None))
            .order_by(Portfolio.created_at.desc(), Portfolio.id)
        )
    )


def item_counts(session: Session, portfolio_ids: list[str]) -> dict[str, int]:
    """How many credentials each of the portfolios shares."""
    if not portfolio_ids:
        return {}
    rows = session.execute(
        select(PortfolioItem.portfolio_id, func.count())
        .where(PortfolioItem.portfolio_id.in_(portfolio_ids))
        .group_by(PortfolioItem.portfolio_id)
    )
    return {portfolio_id: count for portfolio_id, count in rows}


def withdraw(session: Session, link: ClaimLink, portfolio_id: str, *, now: datetime) -> None:
    """Withdraws one of the learner's portfolios (another learner's is not found); withdrawing twice is harmless."""
    if portfolio_id not in {p.id for p in portfolios_of(session, link)}:
        raise NotFound("no such portfolio link of yours (or it is withdrawn already)")
    session.execute(
        update(Portfolio).where(Portfolio.id == portfolio_id, Portfolio.withdrawn_at.is_(None)).values(withdrawn_at=now)
    )


def find_portfolio(session: Session, token: str) -> Portfolio:
    """The portfolio at ``/p/{token}``, withdrawn or not; ``NotFound`` when there is none."""
    portfolio = session.scalar(select(Portfolio).where(Portfolio.token_hash == hash_secret(token)))
    if portfolio is None:
        raise NotFound("no portfolio at this link")
    return portfolio


def shared_credentials(session: Session, portfolio: Portfolio) -> list[Shared]:
    """The portfolio's credentials in the learner's order: this service's as stored now, uploads as given."""
    items = session.scalars(
        select(PortfolioItem).where(PortfolioItem.portfolio_id == portfolio.id).order_by(PortfolioItem.position)
    )
    shared = []
    for item in items:
        if item.credential_id is not None:
            credential = session.get(Credential, item.credential_id)
            assert credential is not None  # the item is deleted with its credential (cascade)
            public = get_by_public_token(session, credential.public_token)
            shared.append(Shared(json.loads(public.text), public.text, public.public_token))
        elif item.uploaded is not None:
            document = read_presented(item.uploaded)
            shared.append(Shared(document, item.uploaded if isinstance(document, dict) else None))
    return shared
