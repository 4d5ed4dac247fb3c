"""Pathways: a learner who holds the parts gets the larger credential automatically, exactly once."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import assessment_row, make_issuer, make_microcredential


def _assess(client: TestClient, headers: dict[str, str], spec_id: str, **over: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/microcredentials/{spec_id}/assessments", json=assessment_row(**over), headers=headers
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_completing_the_last_part_issues_the_larger_credential_once(client: TestClient) -> None:
    _, headers = make_issuer(client)
    part_a = make_microcredential(client, headers, title="Heat Pumps I")
    part_b = make_microcredential(client, headers, title="Heat Pumps II")
    larger = make_microcredential(client, headers, title="Renewable Heating Technician", ectsCredits=6)
    response = client.put(
        f"/api/v1/microcredentials/{larger['id']}/pathway",
        json={"parts": [part_a["id"], part_b["id"]]},
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["pathway"] == {
        "parts": [part_a["id"], part_b["id"]],
        "required": 2,
    }

    first = _assess(client, headers, part_a["id"], reference="A-1")
    assert first["largerCredentials"] == []
    second = _assess(client, headers, part_b["id"], reference="B-1")
    [stacked] = second["largerCredentials"]
    assert stacked["partIds"] == [first["credentials"][0]["id"], second["credentials"][0]["id"]]

    # Sending the same result again, or another result for a part, issues the larger credential no second time.
    assert _assess(client, headers, part_b["id"], reference="B-1")["largerCredentials"] == []
    assert _assess(client, headers, part_a["id"], reference="A-2")["largerCredentials"] == []
    larger_ob3 = client.get(f"/api/v1/credentials/{stacked['id']}", headers=headers).json()
    assert larger_ob3["credential"]["credentialSubject"]["achievement"]["name"] == "Renewable Heating Technician"
    related = str(larger_ob3["credential"])
    assert first["credentials"][0]["id"] in related or "urn:uuid:" + first["credentials"][0]["id"] in related
    edcs = [
        c
        for c in client.get("/api/v1/credentials?limit=200", headers=headers).json()["items"]
        if c["format"] == "edc" and c["partIds"]
    ]
    assert len(edcs) == 1 and "hasPart" in str(edcs[0]["credential"])

    # Revoking a part does not silently leave the larger one valid: the college is told.
    revoked = client.post(
        f"/api/v1/credentials/{first['credentials'][0]['id']}/revoke",
        json={"reason": "assessment annulled"},
        headers=headers,
    ).json()
    # Both formats of the larger credential (OB 3.0 and its EDC twin) are named.
    assert set(revoked["affectedLargerCredentials"]) == {stacked["id"], edcs[0]["id"]}
    assert "larger credential" in revoked["notice"]


def test_n_of_pathway(client: TestClient) -> None:
    _, headers = make_issuer(client)
    parts = [make_microcredential(client, headers, title=f"Module {n}") for n in range(3)]
    larger = make_microcredential(client, headers, title="Two of three")
    client.put(
        f"/api/v1/microcredentials/{larger['id']}/pathway",
        json={"parts": [p["id"] for p in parts], "required": 2},
        headers=headers,
    ).raise_for_status()
    assert _assess(client, headers, parts[0]["id"], reference="M0")["largerCredentials"] == []
    assert len(_assess(client, headers, parts[2]["id"], reference="M2")["largerCredentials"]) == 1
    assert _assess(client, headers, parts[1]["id"], reference="M1")["largerCredentials"] == []


def test_a_pathway_is_checked(client: TestClient) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    own = client.put(f"/api/v1/microcredentials/{spec['id']}/pathway", json={"parts": [spec["id"]]}, headers=headers)
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "parts"
    unknown = client.put(f"/api/v1/microcredentials/{spec['id']}/pathway", json={"parts": ["nope"]}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "parts.0"
