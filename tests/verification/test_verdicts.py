"""The verdict table (app/verification/report.py): which fact wins when several apply."""

from __future__ import annotations

import pytest

from app.verification.report import Check, Outcome, Report, Verdict

PASSED = Outcome.PASSED
FAILED = Outcome.FAILED
UNCHECKED = Outcome.COULD_NOT_CHECK


def _report(
    proof: Outcome = PASSED,
    status: Outcome = PASSED,
    status_code: str | None = None,
    period: Outcome = PASSED,
    period_code: str | None = None,
    issuer: Outcome = PASSED,
) -> Report:
    return Report(
        checks=[
            Check("structure", PASSED, ""),
            Check("proof", proof, ""),
            Check("status", status, "", code=status_code),
            Check("validity_period", period, "", code=period_code),
            Check("issuer", issuer, ""),
            Check("ob3_schema", FAILED, "advisory", required=False),
        ]
    )


@pytest.mark.parametrize(
    ("report", "verdict"),
    [
        (_report(), Verdict.VERIFIED),
        (_report(issuer=Outcome.NOT_CONFIRMED), Verdict.ISSUER_NOT_CONFIRMED),
        (_report(proof=FAILED), Verdict.NOT_VALID),
        (_report(proof=FAILED, status=FAILED, status_code="revoked"), Verdict.NOT_VALID),
        (_report(proof=UNCHECKED), Verdict.COULD_NOT_CHECK),
        # An unchecked proof outranks dates and status: "expired" would say "genuine but old".
        (_report(proof=UNCHECKED, period=FAILED, period_code="expired"), Verdict.COULD_NOT_CHECK),
        (_report(proof=UNCHECKED, status=FAILED, status_code="revoked"), Verdict.COULD_NOT_CHECK),
        (_report(status=FAILED, status_code="revoked"), Verdict.REVOKED),
        (_report(status=FAILED, status_code="revoked", period=FAILED, period_code="expired"), Verdict.REVOKED),
        (_report(status=FAILED, status_code="suspended", period=FAILED, period_code="expired"), Verdict.SUSPENDED),
        (_report(status=FAILED, status_code="revoked", issuer=Outcome.NOT_CONFIRMED), Verdict.REVOKED),
        (_report(period=FAILED, period_code="expired"), Verdict.EXPIRED),
        (_report(period=FAILED, period_code="not_yet_valid"), Verdict.NOT_YET_VALID),
        # A proof that passed and an expiry date are facts even when the status list cannot be reached.
        (_report(status=UNCHECKED, period=FAILED, period_code="expired"), Verdict.EXPIRED),
        (_report(status=UNCHECKED), Verdict.COULD_NOT_CHECK),
        (_report(status=UNCHECKED, issuer=Outcome.NOT_CONFIRMED), Verdict.COULD_NOT_CHECK),
        (_report(status=Outcome.NOT_APPLICABLE), Verdict.VERIFIED),
        (_report(period=FAILED), Verdict.NOT_VALID),  # an unreadable date breaks the data model
    ],
)
def test_the_first_verdict_that_applies_wins(report: Report, verdict: Verdict) -> None:
    assert report.verdict is verdict
    assert report.verified is (verdict is Verdict.VERIFIED)
    assert report.to_dict()["verdict"] == verdict.value


def test_an_advisory_check_never_decides() -> None:
    report = Report(checks=[Check("proof", PASSED, ""), Check("ob3_schema", UNCHECKED, "", required=False)])
    assert report.verdict is Verdict.VERIFIED


def test_a_report_with_only_a_failed_structure_is_not_valid() -> None:
    assert Report(checks=[Check("structure", FAILED, "not a credential")]).verdict is Verdict.NOT_VALID
