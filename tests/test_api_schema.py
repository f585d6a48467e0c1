"""The OpenAPI schema documents every operation, and the API keeps to it under generated input."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.settings import api_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from tests.factories.site import dressed_recommendation

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"


@pytest.fixture
def schema_document(api_client):
    response = api_client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_resource_is_in_the_schema(schema_document):
    paths = set(schema_document["paths"])

    for resource in [
        "objectives",
        "principles",
        "events",
        "sessions",
        "people",
        "organizations",
        "recommendations",
        "follow-ups",
    ]:
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/recommendations/{reference}/follow-ups/" in paths
    assert "/api/v1/recommendations/{reference}/publish/" in paths


def test_every_operation_documents_its_errors_with_examples(schema_document):
    for path, method, operation in _operations(schema_document):
        codes = set(operation["responses"])
        assert {"400", "401", "429"} <= codes, (path, method)
        if method == "get":
            assert "304" in codes, path
        if method in ("put", "patch", "delete") or path.endswith("/publish/"):
            assert {"412", "428"} <= codes, (path, method)
        for code, response in operation["responses"].items():
            if code >= "400":
                assert response["content"]["application/json"]["examples"], (path, code)


def test_every_parameter_and_field_is_described(schema_document):
    for path, method, operation in _operations(schema_document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("query", "header") and parameter["name"] != "format":
                assert parameter.get("description"), (path, method, parameter["name"])
    filters = {
        p["name"] for p in schema_document["paths"]["/api/v1/recommendations/"]["get"]["parameters"]
    }
    assert {
        "objective",
        "principle",
        "event",
        "session",
        "organization",
        "organization_kind",
        "country",
        "addressee",
        "status",
        "language",
        "year",
        "tagging_source",
        "q",
        "updated_after",
        "ordering",
        "page",
        "page_size",
        "cursor",
    } <= filters


def test_lists_offer_csv_and_reads_send_validators(schema_document):
    listing = schema_document["paths"]["/api/v1/recommendations/"]["get"]["responses"]["200"]

    assert set(listing["content"]) == {"application/json", "text/csv"}
    assert {"ETag", "Last-Modified", "Cache-Control"} <= set(listing["headers"])


def test_the_token_scheme_is_documented(schema_document):
    scheme = schema_document["components"]["securitySchemes"]["partnerToken"]

    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_interactive_docs_use_vendored_assets_and_no_inline_script(api_client):
    page = api_client.get("/api/v1/docs/").content.decode()
    start_up = api_client.get("/api/v1/docs/", {"script": ""})

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    # The site's Content-Security-Policy allows scripts from files only.
    assert "<script>" not in page
    assert '<script src="/api/v1/docs/?script=">' in page
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in start_up.content.decode()


@pytest.fixture
def wsgi_keeps_the_test_database():
    """Django's WSGI handler closes the connection after each request, and with it the test's
    transaction; the test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, wsgi_keeps_the_test_database):
    """The app's own schema, loaded through WSGI, with some published data behind it."""
    settings.REST_FRAMEWORK = {
        **api_settings.user_settings,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "100000/minute",
            "partner": "100000/minute",
            "user": "100000/minute",
        },
    }
    dressed_recommendation(reference="LAC2021-T2-01", objectives=(9, 10))
    return schemathesis.openapi.from_wsgi(f"{SCHEMA}?format=json", WSGIHandler())


# Every operation gets this many generated requests: a few hundred in all.
CASES_PER_OPERATION = 15
# No 5xx and nothing off-schema. Schemathesis's "schema-valid input is accepted" check is left
# out on purpose: an unknown event code or slug is well-formed and must still get a 400.
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.ignored_auth,
]


def test_the_api_keeps_to_its_schema_under_generated_requests(api_schema, write_token):
    # A write token reaches every operation's checks: reads, drafts, follow-up and refusals.
    headers = {"Authorization": f"Bearer {write_token.raw}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    calls = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=CASES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_schema(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            calls.append(response.status_code)

        keeps_to_the_schema()

    assert len(operations) == 25
    assert len(calls) >= 200
    assert all(code < 500 for code in calls)


def test_every_field_of_every_answer_and_body_is_described(schema_document):
    undescribed = [
        f"{component}.{name}"
        for component, schema in schema_document["components"]["schemas"].items()
        for name, field in (schema.get("properties") or {}).items()
        if not field.get("description")
    ]

    assert undescribed == []
