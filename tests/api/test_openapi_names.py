"""The OpenAPI document names each model once: two different models under one name are refused.

The defect: the survey import's and the indicator sheet import's answers were both `ImportOut`;
the document kept the first, so one endpoint documented the other's fields.
"""

from __future__ import annotations

import pytest
from apispec import APISpec
from pydantic import BaseModel

from workbench.api import openapi


def test_every_operation_documents_its_own_answer(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    survey = doc["paths"]["/surveys/{survey_id}/imports"]["post"]["responses"]
    answer = next(r for code, r in survey.items() if code.startswith("2"))
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "skipped_duplicates" in schemas[ref]["properties"]
    sheet = doc["paths"]["/engagements/{id}/indicators"]["put"]["responses"]["200"]
    ref = sheet["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "grades_set" in schemas[ref]["properties"]


def test_two_models_of_one_name_are_refused():
    def model(field: str) -> type[BaseModel]:
        return type("Twin", (BaseModel,), {"__annotations__": {field: int}})

    spec = APISpec(title="t", version="1", openapi_version="3.1.0")
    openapi._schema(spec, model("a"))
    openapi._schema(spec, model("a"))  # the same schema again is fine
    with pytest.raises(ValueError, match="two different API models are named Twin"):
        openapi._schema(spec, model("b"))


def test_uploads_are_described_under_the_field_each_route_reads(client):
    """The evidence and rectification uploads read `files` (several); the sheet imports `file`
    (the document said `file` for all, so a client following it sent nothing the route read)."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    def form(path: str, method: str) -> dict:
        return paths[path][method]["requestBody"]["content"]["multipart/form-data"]["schema"]

    evidence = form("/workpapers/{wid}/evidence", "post")
    assert evidence["required"] == ["files"] and evidence["properties"]["files"]["type"] == "array"
    assert form("/surveys/{survey_id}/imports", "post")["required"] == ["file"]
    assert form("/engagements/{id}/indicators", "put")["required"] == ["file"]
