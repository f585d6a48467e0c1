import csv
import io

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from objectives.models import Objective
from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.objectives import ObjectiveFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/objectives/"


@pytest.fixture
def objectives(db):
    return [ObjectiveFactory(number=number) for number in (8, 9, 10)]


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_an_objective_has_its_number_titles_in_every_language_and_public_page(
    api_client, objectives
):
    item = api_client.get(f"{LIST}9/").json()

    assert set(item) == {
        "id",
        "number",
        "paragraph",
        "short_title",
        "title",
        "summary",
        "url",
        "created_at",
        "updated_at",
    }
    assert item["number"] == 9
    assert item["title"] == {
        "en": "Official title of objective 9",
        "es": "Título oficial del objetivo 9",
        "pt": "",
        "fr": "",
    }
    assert item["url"] == "http://testserver/objectives/9/"


def test_the_public_page_address_stays_english_whatever_language_is_asked(api_client, objectives):
    item = api_client.get(f"{LIST}9/", HTTP_ACCEPT_LANGUAGE="es").json()

    assert item["url"] == "http://testserver/objectives/9/"


@pytest.mark.parametrize("query", ["number=9,10", "number=9&number=10", "number=10&number=9,9"])
def test_objectives_filter_by_one_or_several_numbers(api_client, objectives, query):
    response = api_client.get(f"{LIST}?{query}")

    assert [item["number"] for item in response.json()["results"]] == [9, 10]


def test_objectives_filter_by_words_in_any_language(api_client, objectives):
    response = api_client.get(f"{LIST}?q=objetivo 8")

    assert [item["number"] for item in response.json()["results"]] == [8]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("number=24", "number"),
        ("number=nine", "number"),
        ("number=9,", "number"),
        ("ordering=title", "ordering"),
        ("updated_after=yesterday", "updated_after"),
        ("colour=blue", "colour"),
        ("q=a&q=b", "q"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("format=xml", "format"),
        ("cursor=garbage", "cursor"),
        ("updated_after=2020-01-01&ordering=number", "ordering"),
    ],
)
def test_a_bad_or_unknown_parameter_is_a_400_naming_it(api_client, objectives, query, parameter):
    response = api_client.get(f"{LIST}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert parameter in body["errors"]


def test_a_page_past_the_end_is_a_404(api_client, objectives):
    response = api_client.get(f"{LIST}?page=9")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_detail_takes_no_list_filters(api_client, objectives):
    response = api_client.get(f"{LIST}9/?number=10")

    assert response.status_code == 400
    assert "number" in response.json()["errors"]


def test_an_unknown_objective_is_a_404(api_client, objectives):
    assert api_client.get(f"{LIST}23/").status_code == 404


def test_pages_follow_one_another_with_next_and_previous(api_client, objectives):
    first = api_client.get(f"{LIST}?page_size=2").json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == 3
    assert [item["number"] for item in first["results"]] == [8, 9]
    assert [item["number"] for item in second["results"]] == [10]
    assert second["next"] is None
    assert second["previous"] is not None


def test_objectives_order_by_number_descending(api_client, objectives):
    response = api_client.get(f"{LIST}?ordering=-number")

    assert [item["number"] for item in response.json()["results"]] == [10, 9, 8]


def test_a_list_answers_304_to_its_own_etag_and_200_once_something_changed(api_client, objectives):
    first = api_client.get(LIST)
    assert first["ETag"] and first["Last-Modified"]

    again = api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"

    Objective.objects.filter(number=9).update(short_title_en="Changed")
    objectives[1].save()
    changed = api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_list_etag_depends_on_the_filters(api_client, objectives):
    assert api_client.get(LIST)["ETag"] != api_client.get(f"{LIST}?number=9")["ETag"]


def test_a_detail_answers_304_to_if_modified_since(api_client, objectives):
    first = api_client.get(f"{LIST}9/")

    again = api_client.get(f"{LIST}9/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


def test_a_detail_answers_304_to_its_etag(api_client, objectives):
    first = api_client.get(f"{LIST}9/")

    assert api_client.get(f"{LIST}9/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api_client.get(f"{LIST}9/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_signed_in_callers_get_private_answers(api_as, objectives):
    response = api_as("curator").get(LIST)

    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert "Authorization" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.parametrize("ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_a_list_comes_as_csv_with_the_same_filters(api_client, objectives, ask):
    params = {"number": "9,10"}
    headers = {}
    if "format" in ask:
        params.update(ask)
    else:
        headers = ask

    response = api_client.get(LIST, params, **headers)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    assert [row["number"] for row in rows] == ["9", "10"]
    assert rows[0]["title.es"] == "Título oficial del objetivo 9"
    assert rows[0]["url"] == "http://testserver/objectives/9/"


def test_csv_lists_are_not_paged(api_client, objectives):
    response = api_client.get(LIST, {"format": "csv", "page_size": 2})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "page_size" in response.json()["errors"]


def test_a_detail_is_json_only(api_client, objectives):
    assert api_client.get(f"{LIST}9/", HTTP_ACCEPT="text/csv").status_code == 406
    assert api_client.get(f"{LIST}9/?format=csv").status_code == 400


def test_a_detail_query_count_does_not_grow(api_client, objectives, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        api_client.get(f"{LIST}9/")


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_runs_the_same_few_queries_whatever_the_page_size(
    api_client, page_size, django_assert_max_num_queries
):
    for number in range(1, 24):
        ObjectiveFactory(number=number)

    with django_assert_max_num_queries(3):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 23)


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **api_settings.user_settings,
            "DEFAULT_THROTTLE_RATES": {
                "anon": "2/minute",
                "partner": "3/minute",
                "user": "3/minute",
                **rates,
            },
        }
    )


def test_anonymous_callers_are_throttled_with_429_and_retry_after(api_client, objectives):
    with _rates():
        statuses = [api_client.get(LIST).status_code for _ in range(3)]
        response = api_client.get(LIST)

    assert statuses == [200, 200, 429]
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_a_token_has_its_own_budget_apart_from_anonymous_callers(
    api_client, objectives, read_token
):
    with _rates():
        for _ in range(2):
            api_client.get(LIST)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token.raw}")
        statuses = [api_client.get(LIST).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_any_site_may_read_the_api_from_a_browser(api_client, objectives):
    response = api_client.get(LIST, HTTP_ORIGIN="https://dashboard.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_browsers_on_other_sites_are_not_offered_writes(api_client, method):
    response = api_client.options(
        "/api/v1/recommendations/",
        HTTP_ORIGIN="https://dashboard.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
    )

    allowed = response["Access-Control-Allow-Methods"]
    assert method not in allowed
    assert "GET" in allowed


def test_objectives_are_read_only(api_as, objectives):
    response = api_as("curator").post(LIST, {"number": 1}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/objectives/nine/", "/api/v1/events/a.b/"]
)
def test_any_unknown_api_address_is_a_json_404(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, objectives, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)


def test_a_head_request_has_the_validators_and_no_body(api_client, objectives):
    response = api_client.head(LIST)

    assert response.status_code == 200
    assert response["ETag"] == api_client.get(LIST)["ETag"]
    assert response.content == b""
