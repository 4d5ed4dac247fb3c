"""``vetcred cohort upload``: send a cohort to a running vetcred, follow its job's events with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from app.errors import FetchError, InvalidInput


def upload_cohort(base_url: str, api_key: str, spec_id: str, file: Path, result: Path | None = None) -> dict[str, Any]:
    """Uploads ``file`` (CSV, or JSON: a list of rows or ``{"rows": [...]}``), shows progress until the job ends,
    writes its result (CSV or JSON by ``result``'s suffix; it holds claim links: keep it safe); returns the job."""
    headers = {"Authorization": f"Bearer {api_key}"}
    body, content_type = _body(file)
    with httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=60) as client:
        try:
            response = client.post(
                f"/api/v1/microcredentials/{spec_id}/cohort", content=body, headers={"Content-Type": content_type}
            )
        except httpx.HTTPError as error:
            raise FetchError(f"cannot reach vetcred at {base_url} ({type(error).__name__}): is it running?") from None
        if response.status_code != 202:
            raise InvalidInput(f"the cohort was refused: HTTP {response.status_code} {response.text[:500]}")
        job: dict[str, Any] = response.json()
        with tqdm(total=job["rowsTotal"], unit="row", desc="issuing") as bar:
            job = _follow(client, job, bar)
        if result is not None:
            fmt = "csv" if result.suffix.lower() == ".csv" else "json"
            result.write_bytes(client.get(f"/api/v1/jobs/{job['id']}/result", params={"format": fmt}).content)
            result.chmod(0o600)
    return job


def _body(file: Path) -> tuple[bytes, str]:
    """The request body and its content type: a CSV file as it is, JSON rows as ``{"rows": [...]}``."""
    try:
        if file.suffix.lower() == ".csv":
            return file.read_bytes(), "text/csv"
        rows = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{file} is not a CSV file (by its name) nor JSON: {error}") from None
    return json.dumps(rows if isinstance(rows, dict) else {"rows": rows}).encode(), "application/json"


def _follow(client: httpx.Client, job: dict[str, Any], bar: tqdm[Any]) -> dict[str, Any]:
    try:
        with client.stream("GET", f"/api/v1/jobs/{job['id']}/events", timeout=None) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    job = json.loads(line.removeprefix("data:"))
                    bar.update(job["rowsDone"] - bar.n)
                    bar.set_postfix(issued=job["issued"], errors=job["errorCount"])
    except httpx.HTTPError as error:
        raise FetchError(
            f"lost the job's events ({type(error).__name__}); it goes on: GET {job['links']['self']}"
        ) from error
    return job
