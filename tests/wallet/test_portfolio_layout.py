"""A portfolio page's arrangement: EQF levels highest first, skills of both formats, stacked parts under their whole."""

from __future__ import annotations

import json
from typing import Any

from app.wallet.portfolio_layout import Skill, arrange, skills_of

ESCO = "http://data.europa.eu/esco/skill/"


def _ob3(credential_id: str, level: int | None, parts: tuple[str, ...] = ()) -> dict[str, Any]:
    alignment = [{"targetType": "ceasn:Competency", "targetName": "Weld metal", "targetUrl": f"{ESCO}weld"}]
    if level:
        alignment.append({"targetType": "ext:EQFLevel", "targetUrl": f"http://data.europa.eu/snb/eqf/{level}"})
    return {
        "id": credential_id,
        "credentialSubject": {"achievement": {"name": credential_id, "alignment": alignment}},
        "evidence": [{"id": part} for part in parts] + [{"name": "no id: not a part"}],
    }


def _sealed_edc(achievement_id: str, parts: tuple[str, ...]) -> dict[str, Any]:
    outcome = {"title": {"en": "Install heat pumps"}, "relatedESCOSkill": [{"id": f"{ESCO}heat"}]}
    claim = {
        "id": achievement_id,
        "hasPart": [{"id": part} for part in parts],
        "specifiedBy": {"learningOutcome": [outcome], "eqfLevel": {"id": "http://data.europa.eu/snb/eqf/5"}},
    }
    payload = {"credentialSubject": {"hasClaim": [claim]}}
    return {"payload": json.dumps(payload), "signatures": []}


def test_levels_highest_first_and_none_last() -> None:
    groups = arrange([_ob3("urn:a", None), _ob3("urn:b", 3), _ob3("urn:c", 4)])
    assert [(g.eqf_level, [m.index for m in g.members]) for g in groups] == [(4, [2]), (3, [1]), (None, [0])]


def test_a_stacked_credential_holds_its_parts_once() -> None:
    documents = [_ob3("urn:uuid:part-1", 4), _ob3("urn:uuid:whole", 4, ("urn:uuid:part-1", "urn:uuid:part-2"))]
    documents.append(_ob3("urn:uuid:part-2", 3))
    [group] = arrange(documents)
    [whole] = group.members
    assert whole.index == 1 and [part.index for part in whole.parts] == [0, 2]


def test_skills_of_both_formats() -> None:
    assert skills_of(_ob3("urn:a", 4)) == [Skill("Weld metal", f"{ESCO}weld")]
    edc = _sealed_edc("urn:epass:learningAchievement:1", ())
    assert skills_of(edc) == [Skill("Install heat pumps", f"{ESCO}heat")]
    [group] = arrange([edc, _sealed_edc("urn:epass:learningAchievement:2", ("urn:epass:learningAchievement:1",))])
    assert group.eqf_level == 5 and [m.index for m in group.members] == [1] and group.members[0].parts[0].index == 0
