"""``/``: the landing page says what this service is and links to checking, the catalogue and the API docs."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient


def test_the_landing_page_links_to_verify_the_catalogue_and_the_api_docs(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    root = lxml.html.document_fromstring(response.text)
    assert root.get("lang") == "en"
    assert root.xpath("string(//h1)") == "Verifiable micro-credentials"
    assert "This is vetcred at vetcred.test." in root.text_content()
    links = {a.text_content(): a.get("href") for a in root.xpath("//main//a")}
    assert links == {
        "Verify a credential": "/verify?lang=en",
        "Ask for credentials": "/request?lang=en",
        "Browse the catalogue": "/catalogue?lang=en",
        "API documentation (Swagger UI)": "/docs",
        "API reference (ReDoc)": "/redoc",
        "OpenAPI document": "/openapi.json",
    }
    for href in links.values():  # every link leads somewhere real
        assert client.get(href).status_code == 200, href


def test_the_landing_page_speaks_the_readers_language(client: TestClient) -> None:
    response = client.get("/", headers={"Accept-Language": "et, en;q=0.5"})
    assert response.headers["content-language"] == "et"
    root = lxml.html.document_fromstring(response.text)
    assert root.xpath("string(//h1)") == "Kontrollitavad mikrokvalifikatsioonitunnistused"
    assert root.xpath("//main//a/@href")[:3] == ["/verify?lang=et", "/request?lang=et", "/catalogue?lang=et"]
