"""Pure builder of an unsigned OB 3.0 ``OpenBadgeCredential`` carrying every Annex I element of a micro-credential.

Where OB 3.0 has a field for an element it is used (docs/annex-i-ob3-mapping.md). The others are ``alignment``
entries: a coded element points at its EU concept (``targetUrl``, ``targetCode``, ``targetFramework`` naming the
EU vocabulary); a text-only element points at its section of the specification's page (``<spec uri>#<anchor>``)
and carries the text in ``targetDescription``. ``targetType`` says which element (``ext:<Element>``, the form
OB 3.0 allows for extending its enumeration). Only terms of the VC 2.0 and OB 3.0.3 contexts are used, so the
document canonicalizes in safe mode; SURF Edubadges' OB 3.0 extension needs its own context and is not used.
"""

from __future__ import annotations

import re
from typing import Any

from app.achievements import vocabularies
from app.credentials.microcredential import Concept, IssuedMicroCredential, LangMap, Organisation, QualityAssurance
from app.credentials.ob3 import ACHIEVEMENT_CREDENTIAL_SCHEMA, CONTEXTS, identity_object
from app.proofs.data_integrity import xsd_datetime

ESCO = "European Skills, Competences, Qualifications and Occupations (ESCO)"
# Schemes vetcred does not ship as vocabularies but accepts as concepts (with their labels).
OTHER_FRAMEWORKS = {
    "http://data.europa.eu/snb/qdr/25831c2": "National qualifications frameworks (Europass QDR)",
    "http://publications.europa.eu/resource/authority/atu": "EU authority table: administrative territorial units",
}
ANNEX_I = "Council Recommendation 2022/C 243/02, Annex I"


def build_ob3_microcredential(
    record: IssuedMicroCredential,
    *,
    salt: str,
    credential_status: dict[str, Any] | list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The unsigned credential. E-mail addresses are lower-cased before hashing, as ``ob3.build_ob3_credential``."""
    spec = record.spec
    lang = spec.primary_language
    achievement = _achievement(record)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": _learner_identifiers(record, salt),
        "name": record.learner.full_name,
        "achievement": achievement,
        "result": _results(record),
    }
    if spec.ects_credits and len(record.achieved_outcomes) == len(spec.learning_outcomes):
        subject["creditsEarned"] = spec.ects_credits

    # Annex I "country(ies)/region(s) of the issuer": the issuer profile's address (kept where it says more).
    issuer: dict[str, Any] = dict(record.issuer_profile)
    stored_address: dict[str, Any] = dict(issuer.get("address") or {})
    issuer["address"] = stored_address | _address(spec.issuer_country, spec.issuer_region, lang)
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": record.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
    }
    if spec.description:
        credential["description"] = _text(spec.description, lang)
    credential |= {
        "issuer": issuer,
        "validFrom": xsd_datetime(record.issued_at),
        "awardedDate": xsd_datetime(record.issued_at),
        "credentialSubject": subject,
        "evidence": _evidence(record),
    }
    if record.valid_until:
        credential["validUntil"] = xsd_datetime(record.valid_until)
    if credential_status:
        credential["credentialStatus"] = credential_status
    credential["credentialSchema"] = [dict(ACHIEVEMENT_CREDENTIAL_SCHEMA)]
    return credential


def outcome_result_id(spec_uri: str, outcome_id: str) -> str:
    """The id of a learning outcome's ``ResultDescription`` (a fragment of the specification's URI)."""
    return f"{spec_uri}#outcome-{outcome_id}"


def grade_result_id(spec_uri: str) -> str:
    return f"{spec_uri}#grade"


def _achievement(record: IssuedMicroCredential) -> dict[str, Any]:
    spec = record.spec
    lang = spec.primary_language
    achievement: dict[str, Any] = {
        "id": spec.uri,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _text(spec.title, lang),
        "description": _text(spec.description or spec.title, lang),
        "criteria": {"narrative": _criteria_narrative(record)},
        "inLanguage": lang,
    }
    if spec.image_url:
        achievement["image"] = {"id": spec.image_url, "type": "Image"}
    if spec.thematic_areas:
        achievement["fieldOfStudy"] = "; ".join(_text(area.label, lang) for area in spec.thematic_areas)
    if spec.ects_credits:
        achievement["creditsAvailable"] = spec.ects_credits
    achievement["alignment"] = _alignments(record)
    achievement["resultDescription"] = _result_descriptions(record)
    achievement["creator"] = _profile(spec.awarding_bodies[0], 1, record)
    # OB 3.0 text is one language (the official schema types name/description as plain strings); the other language
    # versions are OB 3.0 Related achievements: the specification's page in that language.
    translations = [language for language in spec.title if language != lang]
    if translations:
        achievement["related"] = [
            {"id": f"{spec.uri}?lang={language}", "type": ["Related"], "inLanguage": language}
            for language in translations
        ]
    return achievement


def _criteria_narrative(record: IssuedMicroCredential) -> str:
    """Markdown: the achieved learning outcomes only (a credential never states more than was assessed)."""
    lang = record.spec.primary_language
    how = _text(record.spec.assessment_type.label, lang)
    supervision = record.assessment.supervision or record.spec.supervision
    if supervision:
        how += f" ({_text(supervision.label, lang)})"
    lines = [f"Awarded for these learning outcomes, shown by {how}:", ""]
    lines += [f"- {_text(outcome.title, lang)}" for outcome in record.achieved_outcomes]
    return "\n".join(lines)


def _alignments(record: IssuedMicroCredential) -> list[dict[str, Any]]:
    spec = record.spec
    lang = spec.primary_language
    entries: list[dict[str, Any]] = []
    if spec.eqf_level:
        entries.append(_concept("ext:EQFLevel", spec.eqf_level, lang, "level (EQF)"))
    if spec.nqf_level:
        entries.append(_concept("ext:NQFLevel", spec.nqf_level, lang, "level (national qualifications framework)"))
    for outcome in record.achieved_outcomes:
        entries += _skills(outcome.id, _text(outcome.title, lang), outcome.esco_skills, outcome.related_skills)
    entries += [_concept("ext:ISCEDF", area, lang, "thematic area (ISCED-F)") for area in spec.thematic_areas]
    entries.append(_concept("ext:AssessmentType", spec.assessment_type, lang, "type of assessment"))
    supervision = record.assessment.supervision or spec.supervision
    if supervision:
        entries.append(
            _concept("ext:SupervisionAndIdVerification", supervision, lang, "supervision and identity verification")
        )
    entries.append(
        _concept(
            "ext:ParticipationForm", spec.participation_form, lang, "form of participation in the learning activity"
        )
    )
    if spec.learning_setting:
        entries.append(_concept("ext:LearningSetting", spec.learning_setting, lang, "learning setting"))
    if spec.learning_activity_type:
        entries.append(_concept("ext:LearningActivityType", spec.learning_activity_type, lang, "learning activity"))
    for qa in spec.quality_assurance:
        entries.append(_concept("ext:QualityAssurance", qa.type, lang, _quality_assurance(qa, lang)))
    entries.append(_concept("ext:IssuerCountry", spec.issuer_country, lang, "country of the issuer"))
    if spec.issuer_region:
        entries.append(_concept("ext:IssuerRegion", spec.issuer_region, lang, "region of the issuer"))
    for index, body in enumerate(spec.awarding_bodies[1:], start=2):
        entries.append(
            _section(spec.uri, "ext:AwardingBody", _text(body.name, lang), f"awarding-body-{index}", body.url)
        )
    if spec.ects_credits:
        ects = vocabularies.concept("education-credit", "ECTS")
        entries.append(
            _concept("ext:CreditSystem", ects, lang, f"notional workload, {spec.ects_credits:g} ECTS credits")
        )
    if spec.workload_hours:
        hours = f"{spec.workload_hours:g}"
        entries.append(
            _section(
                spec.uri,
                "ext:NotionalWorkload",
                f"{hours} hours",
                "workload",
                text=f"{ANNEX_I}: notional workload",
                code=f"PT{hours}H",
            )
        )
    entries += [_concept("ext:LanguageOfInstruction", language, lang, "language") for language in spec.languages]
    for cost in spec.costs:
        name = f"{cost.amount} {_code(cost.currency)}"
        entries.append(_concept("ext:Cost", cost.currency, lang, "cost of the learning activity", name=name))
    texts = [
        ("ext:Prerequisites", "Prerequisites", "prerequisites", spec.prerequisites),
        ("ext:GradingScheme", "Grading scheme", "grading-scheme", spec.grading_scheme),
        ("ext:Stackability", "Integration and stackability", "stackability", spec.stackability),
        ("ext:Pace", "Pace", "pace", spec.pace),
        ("ext:ModeOfDelivery", "Mode of delivery", "mode-of-delivery", spec.mode_of_delivery),
        ("ext:TargetGroup", "Target group", "target-group", spec.target_group),
    ]
    entries += [_section(spec.uri, kind, name, anchor, text=_text(t, lang)) for kind, name, anchor, t in texts if t]
    for larger in spec.part_of:
        name = _text(spec.stackability, lang) if spec.stackability else "Larger credential this one stacks into"
        entries.append(_section(spec.uri, "ceterms:Credential", name, "stackability", larger))
    if spec.duration:
        entries.append(_section(spec.uri, "ext:Duration", spec.duration, "duration", code=spec.duration))
    for standard in spec.occupational_standards:
        entry = {"type": ["Alignment"], "targetType": "ext:OccupationalStandard", "targetName": "Occupational standard"}
        entry |= {"targetUrl": standard, "targetCode": standard.rstrip("/").rsplit("/", 1)[-1]}
        if standard.startswith("http://data.europa.eu/esco/occupation/"):
            entry["targetFramework"] = ESCO
        entries.append(entry)
    if spec.further_information or spec.further_information_url:
        text = _text(spec.further_information, lang) if spec.further_information else None
        url = spec.further_information_url
        entries.append(
            _section(spec.uri, "ext:FurtherInformation", "Further information", "further-information", url, text)
        )
    return entries


def _skills(outcome_id: str, title: str, esco: tuple[str, ...], related: tuple[str, ...]) -> list[dict[str, Any]]:
    """ESCO (and other frameworks') skills of one outcome; the record has no skill labels, so the outcome names them."""
    entries = []
    for skill in (*esco, *related):
        entry = {"type": ["Alignment"], "targetType": "ceasn:Competency", "targetName": title, "targetUrl": skill}
        entry["targetDescription"] = f"skill of learning outcome {outcome_id}"
        if skill in esco:
            entry |= {"targetFramework": ESCO, "targetCode": skill.rsplit("/", 1)[-1]}
        entries.append(entry)
    return entries


def _result_descriptions(record: IssuedMicroCredential) -> list[dict[str, Any]]:
    """One ``Status`` result description per learning outcome of the specification, and one for the grade."""
    spec = record.spec
    lang = spec.primary_language
    descriptions = []
    for outcome in spec.learning_outcomes:
        description: dict[str, Any] = {
            "id": outcome_result_id(spec.uri, outcome.id),
            "type": ["ResultDescription"],
            "name": _text(outcome.title, lang),
            "resultType": "Status",
        }
        skills = _skills(outcome.id, _text(outcome.title, lang), outcome.esco_skills, outcome.related_skills)
        if skills:
            description["alignment"] = skills
        descriptions.append(description)
    if record.assessment.grade is not None or spec.grading_scheme:
        name = f"Grade ({_text(spec.grading_scheme, lang)})" if spec.grading_scheme else "Grade"
        descriptions.append({"id": grade_result_id(spec.uri), "type": ["ResultDescription"], "name": name})
        descriptions[-1]["resultType"] = "Result"
    return descriptions


def _results(record: IssuedMicroCredential) -> list[dict[str, Any]]:
    """Results only for the achieved outcomes (``Completed``), and the grade."""
    spec_uri = record.spec.uri
    results: list[dict[str, Any]] = [
        {"type": ["Result"], "resultDescription": outcome_result_id(spec_uri, outcome.id), "status": "Completed"}
        for outcome in record.achieved_outcomes
    ]
    if record.assessment.grade is not None:
        grade = {"type": ["Result"], "resultDescription": grade_result_id(spec_uri), "value": record.assessment.grade}
        results.append(grade)
    return results


def _evidence(record: IssuedMicroCredential) -> list[dict[str, Any]]:
    assessment = record.assessment
    lang = record.spec.primary_language
    kind = _text(record.spec.assessment_type.label, lang)
    narrative = f"Assessed on {assessment.assessed_on.isoformat()}"
    if assessment.assessor:
        narrative += f" by {assessment.assessor}"
    if assessment.grade is not None:
        narrative += f"; grade: {assessment.grade}"
    evidence: dict[str, Any] = {"type": ["Evidence"]}
    if assessment.evidence_url:
        evidence["id"] = assessment.evidence_url
    evidence |= {"name": f"Assessment {assessment.reference}", "narrative": narrative + ".", "genre": kind}
    if assessment.evidence_description:
        evidence["description"] = assessment.evidence_description
    parts = [{"id": part, "type": ["Evidence"], "name": "Part of this micro-credential"} for part in record.parts]
    return [evidence, *parts]


def _learner_identifiers(record: IssuedMicroCredential, salt: str) -> list[dict[str, Any]]:
    """Hashed, salted identifiers; the name (hashed) when there is nothing else, as OB 3.0 needs one."""
    learner = record.learner
    identifiers = []
    if learner.email:
        identifiers.append(identity_object("emailAddress", learner.email.lower(), salt))
    if learner.national_id:
        identifiers.append(identity_object("nationalIdentityNumber", learner.national_id, salt))
    for scheme, value in learner.identifiers:
        identifiers.append(identity_object(_ext_identity_type(scheme), value, salt))
    return identifiers or [identity_object("name", learner.full_name, salt)]


def _ext_identity_type(scheme: str) -> str:
    """``"student number"`` -> ``"ext:StudentNumber"`` (OB 3.0 allows ``ext:`` identity types)."""
    words = re.findall(r"[A-Za-z0-9]+", scheme)
    return "ext:" + ("".join(word[:1].upper() + word[1:] for word in words) or "Identifier")


def _profile(body: Organisation, index: int, record: IssuedMicroCredential) -> dict[str, Any]:
    """An awarding body as an OB 3.0 Profile: the issuer's DID when it is the issuer, else its URL."""
    lang = record.spec.primary_language
    fallback_id = f"{record.spec.uri}#awarding-body-{index}"
    profile_id = record.issuer_did if body == record.issuer else body.url or fallback_id
    profile: dict[str, Any] = {"id": profile_id, "type": ["Profile"], "name": _text(body.name, lang)}
    if body.url:
        profile["url"] = body.url
    profile["address"] = _address(body.country, body.region, lang)
    if body.legal_identifier:
        identifier = {"type": "IdentifierEntry", "identifier": body.legal_identifier}
        profile["otherIdentifier"] = [identifier | {"identifierType": "ext:LegalIdentifier"}]
    return profile


def _address(country: Concept, region: Concept | None, lang: str) -> dict[str, Any]:
    address: dict[str, Any] = {"type": ["Address"], "addressCountry": _text(country.label, lang)}
    countries = vocabularies.vocabulary("country")
    alpha2 = [code for code in countries.alt_codes.get(country.uri, ()) if len(code) == 2]
    if alpha2:
        address["addressCountryCode"] = alpha2[0]
    if region:
        address["addressRegion"] = _text(region.label, lang)
    return address


def _quality_assurance(qa: QualityAssurance, lang: str) -> str:
    agent = qa.agent
    parts = [f"type of quality assurance, by {_text(agent.name, lang)}" + (f" ({agent.url})" if agent.url else "")]
    if qa.decision:
        parts.append(f"decision: {_text(qa.decision, lang)}")
    if qa.report_url:
        parts.append(f"report: {qa.report_url}")
    return "; ".join(parts)


def _concept(kind: str, concept: Concept, lang: str, element: str, *, name: str | None = None) -> dict[str, Any]:
    """An alignment to an EU concept; ``targetDescription`` says which Annex I element it expresses."""
    vocabulary = vocabularies.for_scheme(concept.scheme)
    framework = vocabulary.title if vocabulary else OTHER_FRAMEWORKS.get(concept.scheme, concept.scheme)
    return {
        "type": ["Alignment"],
        "targetType": kind,
        "targetName": name or _text(concept.label, lang),
        "targetUrl": concept.uri,
        "targetCode": _code(concept),
        "targetFramework": framework,
        "targetDescription": f"{ANNEX_I}: {element}",
    }


def _section(
    spec_uri: str, kind: str, name: str, anchor: str, url: str | None = None, text: str | None = None, code: str = ""
) -> dict[str, Any]:
    """An alignment for a text-only element: it points at the element's section of the specification's page."""
    entry: dict[str, Any] = {"type": ["Alignment"], "targetType": kind, "targetName": name}
    entry["targetUrl"] = url or f"{spec_uri}#{anchor}"
    if code:
        entry["targetCode"] = code
    if text:
        entry["targetDescription"] = text
    return entry


def _code(concept: Concept) -> str:
    vocabulary = vocabularies.for_scheme(concept.scheme)
    code = vocabulary.codes.get(concept.uri) if vocabulary else None
    return code or concept.uri.rstrip("/").rsplit("/", 1)[-1]


def _text(text: LangMap, lang: str) -> str:
    return text.get(lang) or next(iter(text.values()))
