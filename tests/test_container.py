"""The container image and compose file: read, not built (CI has no Docker), for what the first hour needs."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_has_the_certificate_fonts_a_healthcheck_and_a_known_uid() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-dejavu-core" in dockerfile and "libcairo2" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "http://127.0.0.1:8000/health" in dockerfile
    assert "--uid 10001" in dockerfile and "USER vetcred" in dockerfile
    assert "VETCRED_LISTEN_PORT=8000" in dockerfile and 'CMD ["vetcred", "serve"]' in dockerfile


def test_compose_runs_postgresql_the_service_and_a_worker_sharing_the_master_key() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "vetcred", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["worker"]["command"][:2] == ["vetcred", "worker"]
    for name in ("vetcred", "worker"):
        environment = services[name]["environment"]
        assert environment["VETCRED_DATABASE_URL"].startswith("postgresql://vetcred:")
        assert environment["VETCRED_DATABASE_URL"].endswith("@db:5432/vetcred")
        assert "keys:/data/keys" in services[name]["volumes"]
    assert services["vetcred"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"]["vetcred"]["condition"] == "service_healthy"
    assert services["worker"]["healthcheck"] == {"disable": True}
