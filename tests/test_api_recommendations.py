import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from consultations.models import Event
from recommendations import exports
from recommendations.models import (
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
    Status,
)
from recommendations.services import record_follow_up
from tests.conftest import API_PERSONAS
from tests.factories.consultations import EventFactory, SessionFactory
from tests.factories.objectives import GuidingPrincipleFactory, ObjectiveFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory
from tests.factories.site import chat_commenter, dressed_recommendation

pytestmark = pytest.mark.django_db

LIST = "/api/v1/recommendations/"


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


@pytest.fixture
def dressed(db):
    recommendation = dressed_recommendation(
        reference="LAC2021-T2-01",
        objectives=(9, 10),
        countries=["MX", "GT"],
        language="es",
        event=EventFactory(code="LAC2021"),
    )
    return recommendation


@pytest.fixture
def draft(db):
    return RecommendationFactory(reference="LAC2021-T2-99", short_title="Not yet public")


def test_a_recommendation_carries_everything_a_partner_needs(api_client, dressed):
    item = api_client.get(f"{LIST}LAC2021-T2-01/").json()

    assert set(item) == {
        "id",
        "reference",
        "short_title",
        "text",
        "language",
        "translations",
        "objectives",
        "principles",
        "source",
        "addressees",
        "countries",
        "current_status",
        "status_date",
        "state",
        "published_at",
        "links",
        "follow_ups_url",
        "url",
        "created_at",
        "updated_at",
    }
    assert [(o["number"], o["primary"], o["tagging_source"]) for o in item["objectives"]] == [
        (9, True, "curator"),
        (10, False, "curator"),
    ]
    assert item["objectives"][0]["title"] == "Official title of objective 9"
    assert [p["slug"] for p in item["principles"]] == ["human-rights"]
    assert item["source"]["event"]["code"] == "LAC2021"
    assert item["source"]["session"]["code"] == dressed.session.code
    assert item["source"]["speaker"]["slug"] == dressed.speaker.slug
    assert item["source"]["organization"]["slug"] == dressed.organization.slug
    assert item["addressees"] == [{"slug": "states", "name": "States"}]
    assert item["countries"] == ["GT", "MX"]
    assert (item["current_status"], item["status_date"]) == ("in_progress", "2023-05-02")
    assert item["state"] == "published"
    assert item["translations"][0]["language"] == "es"
    assert item["url"] == "http://testserver/recommendations/LAC2021-T2-01/"
    assert (
        item["follow_ups_url"]
        == "http://testserver/api/v1/recommendations/LAC2021-T2-01/follow-ups/"
    )
    assert "email" not in json.dumps(item)


def test_a_chat_commenter_is_never_named_as_the_source(api_client, dressed):
    dressed.speaker = chat_commenter(dressed.session)
    dressed.save()

    item = api_client.get(f"{LIST}{dressed.reference}/").json()
    csv_row = _csv_rows(api_client.get(LIST, {"format": "csv"}))[0]

    assert item["source"]["speaker"] is None
    assert csv_row["speaker"] == ""


def test_one_after_another_each_item_is_represented_afresh_on_its_own_address(api_as, dressed, rf):
    other = RecommendationFactory(published=True, reference="OAS2017-P2-03", countries=["PE"])
    RecommendationLink.objects.create(
        from_recommendation=dressed, to_recommendation=other, kind="repeats"
    )
    first = api_as("anonymous").get(f"{LIST}{dressed.reference}/").json()
    second = api_as("anonymous").get(f"{LIST}{other.reference}/").json()
    again = api_as("anonymous").get(f"{LIST}{dressed.reference}/", HTTP_HOST="127.0.0.1")

    assert (first["reference"], second["reference"]) == (dressed.reference, other.reference)
    assert second["source"]["speaker"] is None
    assert second["countries"] == ["PE"]
    assert [r["reference"] for r in first["links"]["repeats"]] == [other.reference]
    assert [r["reference"] for r in second["links"]["repeated_by"]] == [dressed.reference]
    # The address comes from each call's own request, never from an earlier one.
    assert again.json()["url"] == f"http://127.0.0.1/recommendations/{dressed.reference}/"
    assert again.json()["source"]["speaker"]["url"].startswith("http://127.0.0.1/")


def test_the_detail_is_what_a_freshly_built_serializer_makes_of_it(api_client, dressed):
    from rest_framework.request import Request

    from recommendations.apis import RecommendationViewSet, recommendations_for
    from recommendations.serializers import RecommendationSerializer

    response = api_client.get(f"{LIST}{dressed.reference}/")
    request = Request(response.wsgi_request)
    fresh = (
        recommendations_for(request)
        .annotate(api_version=RecommendationViewSet().version_expression())
        .get(pk=dressed.pk)
    )
    expected = RecommendationSerializer(fresh, context={"request": request}).data

    assert response.json() == json.loads(json.dumps(expected, default=str).replace("+00:00", "Z"))


def test_links_go_both_ways_and_never_to_a_draft_the_caller_cannot_see(api_as, dressed, draft):
    earlier = RecommendationFactory(published=True, reference="OAS2017-P2-03")
    RecommendationLink.objects.create(
        from_recommendation=dressed, to_recommendation=earlier, kind="repeats"
    )
    RecommendationLink.objects.create(
        from_recommendation=draft, to_recommendation=dressed, kind="follows_up_on"
    )

    public = api_as("anonymous").get(f"{LIST}{dressed.reference}/").json()["links"]
    assert [r["reference"] for r in public["repeats"]] == ["OAS2017-P2-03"]
    assert public["followed_up_by"] == []
    earlier_links = api_as("anonymous").get(f"{LIST}OAS2017-P2-03/").json()["links"]
    assert [r["reference"] for r in earlier_links["repeated_by"]] == [dressed.reference]

    curator_view = api_as("curator").get(f"{LIST}{dressed.reference}/").json()["links"]
    assert [r["reference"] for r in curator_view["followed_up_by"]] == [draft.reference]


def test_a_new_link_changes_the_etag_of_both_ends(api_client, dressed):
    earlier = RecommendationFactory(published=True, reference="OAS2017-P2-03")
    before = api_client.get(f"{LIST}{dressed.reference}/")["ETag"]

    RecommendationLink.objects.create(
        from_recommendation=dressed, to_recommendation=earlier, kind="repeats"
    )

    assert (
        api_client.get(f"{LIST}{dressed.reference}/", HTTP_IF_NONE_MATCH=before).status_code == 200
    )


@pytest.mark.parametrize(
    ("persona", "sees_draft"),
    [
        ("anonymous", False),
        ("read_token", False),
        ("write_token", False),
        ("rapporteur", True),
        ("curator", True),
    ],
)
def test_drafts_are_seen_only_by_editors(api_as, dressed, draft, persona, sees_draft):
    client = api_as(persona)

    listed = refs(client.get(LIST))
    detail = client.get(f"{LIST}{draft.reference}/")

    assert (draft.reference in listed) is sees_draft
    assert detail.status_code == (200 if sees_draft else 404)


def test_a_write_token_sees_the_drafts_it_created_and_no_others(api_as, dressed, draft):
    client = api_as("write_token")
    created = client.post(LIST, _new_draft(), format="json")
    assert created.status_code == 201

    assert refs(client.get(LIST)) == ["LAC2021-T2-01", "LAC2021-T9-01"]
    assert client.get(f"{LIST}{draft.reference}/").status_code == 404


@pytest.fixture
def catalogue(db):
    """Three published recommendations that differ in every filtered respect, and a draft."""
    lac = EventFactory(code="LAC2021", start_date=datetime.date(2021, 4, 13))
    oas = EventFactory(code="OAS2017", start_date=datetime.date(2017, 12, 4))
    a = dressed_recommendation(
        reference="LAC2021-T2-01",
        event=lac,
        objectives=(9, 10),
        countries=["MX"],
        status=Status.IN_PROGRESS,
        text="Dismantle smuggling networks that prey on migrants.",
    )
    b = RecommendationFactory(
        published=True,
        reference="OAS2017-P2-03",
        event=oas,
        session=SessionFactory(event=oas, code="P2"),
        objectives=[15],
        language="es",
        countries=["GT"],
        text="Guarantee access to health services.",
    )
    RecommendationObjective.objects.filter(recommendation=b).update(source="in_source")
    b.principles.add(GuidingPrincipleFactory(number=1, slug="people-centred"))
    b.addressees.add(AddresseeFactory(slug="mexico", name="Mexico"))
    c = RecommendationFactory(
        published=True, reference="OAS2017-P2-04", event=oas, objectives=[10, 23]
    )
    c.organization = a.organization.__class__.objects.create(
        slug="cancilleria", name="Cancillería", kind="government"
    )
    c.save()
    RecommendationFactory(reference="LAC2021-T2-77", event=lac, objectives=[9])
    return a, b, c


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"objective": 9}, ["LAC2021-T2-01"]),
        ({"objective": "9,10"}, ["LAC2021-T2-01", "OAS2017-P2-04"]),
        ("objective=9&objective=15", ["LAC2021-T2-01", "OAS2017-P2-03"]),
        ({"tagging_source": "in_source"}, ["OAS2017-P2-03"]),
        ({"objective": "10,15", "tagging_source": "in_source"}, ["OAS2017-P2-03"]),
        ({"objective": "9", "tagging_source": "in_source"}, []),
        ({"principle": "people-centred"}, ["OAS2017-P2-03"]),
        ({"principle": "4,1"}, ["LAC2021-T2-01", "OAS2017-P2-03"]),
        ({"event": "OAS2017"}, ["OAS2017-P2-03", "OAS2017-P2-04"]),
        ({"organization": "cancilleria"}, ["OAS2017-P2-04"]),
        ({"organization_kind": "government"}, ["OAS2017-P2-04"]),
        ({"country": "gt"}, ["OAS2017-P2-03"]),
        ({"country": "MX,GT"}, ["LAC2021-T2-01", "OAS2017-P2-03"]),
        ({"addressee": "mexico"}, ["OAS2017-P2-03"]),
        ({"status": "in_progress"}, ["LAC2021-T2-01"]),
        ({"status": "no_information,implemented"}, ["OAS2017-P2-03", "OAS2017-P2-04"]),
        ({"language": "es"}, ["OAS2017-P2-03"]),
        ({"year": 2021}, ["LAC2021-T2-01"]),
        ({"state": "draft"}, []),
        ({"q": "smuggling migrants"}, ["LAC2021-T2-01"]),
        ({"ordering": "-reference"}, ["OAS2017-P2-04", "OAS2017-P2-03", "LAC2021-T2-01"]),
        ({"ordering": "date,reference"}, ["OAS2017-P2-03", "OAS2017-P2-04", "LAC2021-T2-01"]),
    ],
)
def test_recommendations_filter(api_client, catalogue, query, expected):
    if isinstance(query, str):
        response = api_client.get(f"{LIST}?{query}")
    else:
        response = api_client.get(LIST, query)

    assert refs(response) == expected


def test_the_session_filter_takes_session_ids(api_client, catalogue):
    session = catalogue[1].session

    assert refs(api_client.get(LIST, {"session": session.pk})) == ["OAS2017-P2-03"]


def test_editors_filter_by_editorial_state(api_as, catalogue):
    assert refs(api_as("curator").get(LIST, {"state": "draft"})) == ["LAC2021-T2-77"]


def test_text_search_puts_the_best_match_first(api_client, catalogue):
    RecommendationFactory(
        published=True,
        reference="LAC2021-T2-02",
        text="Health workers need training; access to justice also matters.",
    )

    assert refs(api_client.get(LIST, {"q": "access to health"}))[0] == "OAS2017-P2-03"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"objective": 0}, "objective"),
        ({"objective": 24}, "objective"),
        ({"objective": "nine"}, "objective"),
        ({"principle": "no-such-principle"}, "principle"),
        ({"event": "NOPE2000"}, "event"),
        ({"session": 999999}, "session"),
        ({"organization": "nobody"}, "organization"),
        ({"organization_kind": "club"}, "organization_kind"),
        ({"country": "ZZ"}, "country"),
        ({"addressee": "nobody"}, "addressee"),
        ({"status": "done"}, "status"),
        ({"language": "de"}, "language"),
        ({"year": "twenty"}, "year"),
        ({"tagging_source": "magic"}, "tagging_source"),
        ({"updated_after": "2024-13-01"}, "updated_after"),
        ({"ordering": "text"}, "ordering"),
        ({"objectives": 9}, "objectives"),
        ({"principle": "human\x00rights"}, "principle"),
        ({"event": "LAC\x002021"}, "event"),
    ],
)
def test_a_malformed_or_unknown_filter_is_a_400_naming_it(api_client, catalogue, query, parameter):
    response = api_client.get(LIST, query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_several_bad_parameters_are_all_named(api_client, catalogue):
    response = api_client.get(LIST, {"objective": 99, "event": "NOPE", "colour": "red"})

    assert set(response.json()["errors"]) == {"objective", "event", "colour"}


def _csv_rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_is_the_shared_export_format_with_the_same_filters(api_client, catalogue):
    response = api_client.get(LIST, {"format": "csv", "objective": "9,10"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == exports.COLUMNS
    expected = Recommendation.objects.filter(reference__in=["LAC2021-T2-01", "OAS2017-P2-04"])
    assert rows == [
        exports.row(r, "http://testserver")
        for r in exports.for_export(expected.order_by("reference"))
    ]
    assert "attachment" in response["Content-Disposition"]


def test_the_csv_never_holds_drafts_for_the_public(api_client, catalogue):
    rows = _csv_rows(api_client.get(LIST, {"format": "csv"}))

    assert "LAC2021-T2-77" not in {row["reference"] for row in rows}
    assert {row["state"] for row in rows} == {"published"}


def test_pages_are_counted_and_linked(api_client, catalogue):
    first = api_client.get(LIST, {"page_size": 2}).json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert refs(api_client.get(first["next"])) == ["OAS2017-P2-04"]


def test_a_page_counts_its_list_once_for_both_its_etag_and_its_count(api_client, catalogue):
    with CaptureQueriesContext(connection) as queries:
        second = api_client.get(LIST, {"page_size": 2, "page": 2})

    counting = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert len(counting) == 1
    assert second.json()["count"] == 3
    assert refs(second) == ["OAS2017-P2-04"]


def test_sync_pages_miss_nothing_while_items_change_between_pages(api_client):
    items = [
        RecommendationFactory(published=True, reference=f"SYNC2024-A-{n:02d}") for n in range(5)
    ]
    start = "2000-01-01T00:00:00Z"
    seen = []

    page = api_client.get(LIST, {"updated_after": start, "page_size": 2}).json()
    seen += [item["reference"] for item in page["results"]]
    # While the partner pages, someone edits an item it has not reached yet...
    items[2].short_title = "Edited while syncing"
    items[2].save()
    # ...and one it has already seen.
    items[0].save()
    while page["next"]:
        page = api_client.get(page["next"]).json()
        assert page["count"] is None
        seen += [item["reference"] for item in page["results"]]

    assert set(seen) == {item.reference for item in items}
    assert seen[-2:] == ["SYNC2024-A-02", "SYNC2024-A-00"]


def test_sync_from_the_newest_updated_at_seen_returns_only_later_changes(api_client, catalogue):
    everything = api_client.get(LIST, {"updated_after": "2000-01-01T00:00:00Z"}).json()
    newest = max(item["updated_at"] for item in everything["results"])

    catalogue[1].short_title = "Changed"
    catalogue[1].save()

    assert refs(api_client.get(LIST, {"updated_after": newest})) == ["OAS2017-P2-03"]


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    api_client, page_size, django_assert_max_num_queries
):
    for n in range(8):
        dressed_recommendation(reference=f"LAC2021-Q-{n:02d}", objectives=(9, 10))

    with django_assert_max_num_queries(12):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 8)


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_token_callers_list_also_runs_a_fixed_number_of_queries(
    api_as, page_size, django_assert_max_num_queries
):
    for n in range(8):
        dressed_recommendation(reference=f"LAC2021-Q-{n:02d}")
    client = api_as("write_token")

    with django_assert_max_num_queries(14):
        client.get(LIST, {"page_size": page_size})


def _new_draft(**fields):
    ObjectiveFactory(number=9)
    ObjectiveFactory(number=10)
    if not Event.objects.filter(code="LAC2021").exists():
        EventFactory(code="LAC2021")
    return {
        "reference": "LAC2021-T9-01",
        "short_title": "Protect people on the move from smugglers",
        "text": "States should prosecute smugglers, not migrants.",
        "language": "en",
        "event": "LAC2021",
        "objectives": [
            {"number": 9, "primary": True, "tagging_source": "in_source"},
            {"number": 10},
        ],
        "countries": ["MX"],
        **fields,
    }


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("anonymous", 401),
        ("read_token", 403),
        ("write_token", 201),
        ("rapporteur", 201),
        ("curator", 201),
    ],
)
def test_who_may_create_a_draft(api_as, persona, status_code):
    response = api_as(persona).post(LIST, _new_draft(), format="json")

    assert response.status_code == status_code
    assert Recommendation.objects.filter(reference="LAC2021-T9-01").exists() is (status_code == 201)


def test_a_created_recommendation_is_a_draft_with_its_tags_and_links_to_itself(api_as, rapporteur):
    response = api_as("rapporteur").post(LIST, _new_draft(state="in_review"), format="json")

    body = response.json()
    assert body["state"] == "in_review"
    assert [(o["number"], o["primary"], o["tagging_source"]) for o in body["objectives"]] == [
        (9, True, "in_source"),
        (10, False, "curator"),
    ]
    assert response["Location"] == "http://testserver/api/v1/recommendations/LAC2021-T9-01/"
    assert response["ETag"]
    tag = RecommendationObjective.objects.get(objective__number=9)
    assert tag.tagged_by == rapporteur


def test_a_partner_cannot_create_a_published_recommendation(api_as):
    response = api_as("write_token").post(LIST, _new_draft(state="published"), format="json")

    assert response.status_code == 400
    assert "state" in response.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"objectives": [{"number": 24}]}, "objectives"),
        (
            {"objectives": [{"number": 9, "primary": True}, {"number": 10, "primary": True}]},
            "objectives",
        ),
        ({"objectives": [{"number": 9}, {"number": 9}]}, "objectives"),
        ({"event": "NOPE2000"}, "event"),
        ({"session": "Z9"}, "session"),
        ({"speaker": "nobody"}, "speaker"),
        ({"addressees": ["nobody"]}, "addressees"),
        ({"principles": ["no-such-principle"]}, "principles"),
        ({"countries": ["ZZ"]}, "countries"),
        ({"reference": "lower-case"}, "reference"),
        ({"language": "de"}, "language"),
        ({"short_title": ""}, "short_title"),
    ],
)
def test_a_bad_draft_is_refused_field_by_field_and_nothing_is_written(api_as, change, field):
    response = api_as("write_token").post(LIST, _new_draft(**change), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Recommendation.objects.exists()
    assert not RecommendationObjective.objects.exists()


def test_a_bad_objective_number_is_reported_where_it_is(api_as):
    response = api_as("write_token").post(
        LIST, _new_draft(objectives=[{"number": 9}, {"number": 30}]), format="json"
    )

    assert response.json()["errors"]["objectives"]["1"]["number"] == [
        "Ensure this value is less than or equal to 23."
    ]


def test_a_taken_reference_is_refused(api_as, dressed):
    response = api_as("curator").post(LIST, _new_draft(reference=dressed.reference), format="json")

    assert response.status_code == 400
    assert "reference" in response.json()["errors"]


def test_a_chat_commenter_cannot_be_named_as_speaker(api_as, dressed):
    commenter = chat_commenter(dressed.session)

    response = api_as("write_token").post(LIST, _new_draft(speaker=commenter.slug), format="json")

    assert response.status_code == 400
    assert "speaker" in response.json()["errors"]


def test_malformed_json_is_a_400_parse_error(api_as):
    response = api_as("write_token").post(
        LIST, data='{"reference": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_body_that_is_not_json_is_a_415(api_as):
    response = api_as("write_token").post(LIST, data="reference=X", content_type="text/plain")

    assert response.status_code == 415


def test_an_oversized_body_is_a_413_and_nothing_is_written(api_as, settings):
    settings.API_MAX_BODY_BYTES = 2048
    body = _new_draft(text="x" * 4096)

    response = api_as("write_token").post(LIST, body, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Recommendation.objects.exists()


def test_session_writes_need_the_csrf_token(client, rapporteur):
    from rest_framework.test import APIClient

    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(rapporteur)

    response = strict.post(LIST, _new_draft(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def _etag(client, reference):
    response = client.get(f"{LIST}{reference}/")
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize(
    ("persona", "on_draft", "on_published"),
    [
        ("anonymous", 401, 401),
        ("read_token", 403, 403),
        ("write_token", 404, 403),
        ("rapporteur", 200, 403),
        ("curator", 200, 200),
    ],
)
def test_who_may_change_which_recommendation(
    api_as, dressed, draft, persona, on_draft, on_published
):
    etags = [_etag(api_as("curator"), r.reference) for r in (draft, dressed)]
    api_client = api_as("anonymous")
    api_client.logout()
    client = api_as(persona)
    statuses = []
    for recommendation, etag in zip((draft, dressed), etags, strict=True):
        statuses.append(
            client.patch(
                f"{LIST}{recommendation.reference}/",
                {"short_title": "Changed"},
                format="json",
                HTTP_IF_MATCH=etag,
            ).status_code
        )

    assert statuses == [on_draft, on_published]


def test_a_write_token_changes_its_own_draft_with_if_match(api_as):
    client = api_as("write_token")
    created = client.post(LIST, _new_draft(), format="json")

    response = client.patch(
        f"{LIST}LAC2021-T9-01/",
        {"short_title": "Better title", "objectives": [{"number": 10, "primary": True}]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )

    assert response.status_code == 200
    assert response.json()["short_title"] == "Better title"
    assert [o["number"] for o in response.json()["objectives"]] == [10]
    assert response["ETag"] != created["ETag"]


def test_a_change_without_if_match_is_a_428_and_changes_nothing(api_as, draft):
    response = api_as("curator").patch(
        f"{LIST}{draft.reference}/", {"short_title": "Changed"}, format="json"
    )

    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    draft.refresh_from_db()
    assert draft.short_title == "Not yet public"


def test_a_stale_if_match_is_a_412_and_changes_nothing(api_as, draft):
    client = api_as("curator")
    etag = _etag(client, draft.reference)
    first = client.patch(
        f"{LIST}{draft.reference}/",
        {"short_title": "First edit"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200

    second = client.patch(
        f"{LIST}{draft.reference}/",
        {"short_title": "Second edit"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert second.status_code == 412
    assert second.json()["code"] == "precondition_failed"
    draft.refresh_from_db()
    assert draft.short_title == "First edit"


def test_if_match_star_is_not_enough(api_as, draft):
    response = api_as("curator").patch(
        f"{LIST}{draft.reference}/", {"short_title": "X"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 428


def test_a_put_replaces_the_editable_fields(api_as, draft):
    client = api_as("curator")
    body = _new_draft(
        reference=draft.reference,
        event=draft.event.code,
        objectives=[{"number": 9, "primary": True}],
    )

    response = client.put(
        f"{LIST}{draft.reference}/",
        body,
        format="json",
        HTTP_IF_MATCH=_etag(client, draft.reference),
    )

    assert response.status_code == 200, response.content
    assert response.json()["text"] == body["text"]


def test_the_reference_never_changes(api_as, draft):
    client = api_as("curator")

    response = client.patch(
        f"{LIST}{draft.reference}/",
        {"reference": "LAC2021-T2-98"},
        format="json",
        HTTP_IF_MATCH=_etag(client, draft.reference),
    )

    assert response.status_code == 400
    assert "reference" in response.json()["errors"]


def test_a_published_recommendation_keeps_a_primary_objective(api_as, dressed):
    client = api_as("curator")

    response = client.patch(
        f"{LIST}{dressed.reference}/",
        {"objectives": []},
        format="json",
        HTTP_IF_MATCH=_etag(client, dressed.reference),
    )

    assert response.status_code == 400
    assert "objectives" in response.json()["errors"]
    assert dressed.objective_links.count() == 2


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [("anonymous", 401), ("read_token", 403), ("rapporteur", 403), ("curator", 204)],
)
def test_who_may_delete_a_draft(api_as, draft, persona, status_code):
    etag = _etag(api_as("curator"), draft.reference)
    api_as("anonymous").logout()
    client = api_as(persona)

    response = client.delete(f"{LIST}{draft.reference}/", HTTP_IF_MATCH=etag)

    assert response.status_code == status_code
    assert Recommendation.objects.filter(pk=draft.pk).exists() is (status_code != 204)


def test_a_write_token_deletes_its_own_draft(api_as):
    client = api_as("write_token")
    created = client.post(LIST, _new_draft(), format="json")

    response = client.delete(f"{LIST}LAC2021-T9-01/", HTTP_IF_MATCH=created["ETag"])

    assert response.status_code == 204
    assert not Recommendation.objects.exists()


def test_a_recommendation_that_was_published_is_never_deleted(api_as, dressed):
    client = api_as("curator")

    response = client.delete(
        f"{LIST}{dressed.reference}/", HTTP_IF_MATCH=_etag(client, dressed.reference)
    )

    assert response.status_code == 409
    assert Recommendation.objects.filter(pk=dressed.pk).exists()


def test_a_draft_with_follow_up_history_is_not_deleted(api_as, draft):
    record_follow_up(recommendation=draft, status="not_started", date=datetime.date(2024, 1, 1))
    client = api_as("curator")

    response = client.delete(
        f"{LIST}{draft.reference}/", HTTP_IF_MATCH=_etag(client, draft.reference)
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Recommendation.objects.filter(pk=draft.pk).exists()


def test_a_delete_needs_if_match(api_as, draft):
    assert api_as("curator").delete(f"{LIST}{draft.reference}/").status_code == 428


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("anonymous", 401),
        ("read_token", 403),
        ("write_token", 404),
        ("rapporteur", 403),
        ("curator", 200),
    ],
)
def test_only_curators_publish(api_as, persona, status_code):
    draft = RecommendationFactory(reference="LAC2021-T2-50", objectives=[9])
    etag = _etag(api_as("curator"), draft.reference)
    api_as("anonymous").logout()
    client = api_as(persona)

    response = client.post(f"{LIST}{draft.reference}/publish/", HTTP_IF_MATCH=etag)

    assert response.status_code == status_code
    draft.refresh_from_db()
    assert draft.is_published is (status_code == 200)


def test_publishing_needs_if_match_and_an_objective(api_as, draft):
    client = api_as("curator")

    assert client.post(f"{LIST}{draft.reference}/publish/").status_code == 428
    response = client.post(
        f"{LIST}{draft.reference}/publish/", HTTP_IF_MATCH=_etag(client, draft.reference)
    )
    assert response.status_code == 400
    assert "objective" in json.dumps(response.json()["errors"])


def test_publishing_answers_the_published_recommendation_with_its_new_etag(api_as):
    draft = RecommendationFactory(reference="LAC2021-T2-50", objectives=[9])
    client = api_as("curator")
    etag = _etag(client, draft.reference)

    response = client.post(f"{LIST}{draft.reference}/publish/", HTTP_IF_MATCH=etag)

    assert response.json()["state"] == "published"
    assert response.json()["published_at"] <= timezone.now().isoformat().replace("+00:00", "Z")
    assert response["ETag"] != etag


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_every_persona_reads_published_recommendations(api_as, dressed, persona):
    assert refs(api_as(persona).get(LIST)) == [dressed.reference]


def test_updated_after_takes_any_utc_offset_and_refuses_moments_out_of_range(api_client, dressed):
    # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python allow.
    far_east = api_client.get(LIST, {"updated_after": "2000-01-01T00:00:00+20:23"})
    too_early = api_client.get(LIST, {"updated_after": "0001-01-01T00:00:00+10:00"})

    assert refs(far_east) == [dressed.reference]
    assert too_early.status_code == 400
    assert "updated_after" in too_early.json()["errors"]


def test_a_new_link_or_a_renamed_event_brings_a_recommendation_back_in_the_sync(
    api_client, dressed
):
    first = api_client.get(LIST, {"updated_after": "2000-01-01T00:00:00Z"}).json()
    newest = first["results"][-1]["updated_at"]
    assert refs(api_client.get(LIST, {"updated_after": newest})) == []

    earlier = RecommendationFactory(published=True, reference="OAS2017-P2-03")
    RecommendationLink.objects.create(
        from_recommendation=dressed, to_recommendation=earlier, kind="repeats"
    )
    after_link = api_client.get(LIST, {"updated_after": newest}).json()["results"]
    # Both ends of the link changed, at the same moment: in id order.
    assert [item["reference"] for item in after_link] == [dressed.reference, "OAS2017-P2-03"]
    assert after_link[0]["links"]["repeats"][0]["reference"] == "OAS2017-P2-03"

    newest = after_link[-1]["updated_at"]
    dressed.event.title = "Regional review, renamed"
    dressed.event.save()
    after_rename = api_client.get(LIST, {"updated_after": newest}).json()["results"]
    assert [item["reference"] for item in after_rename] == [dressed.reference]
    assert after_rename[0]["source"]["event"]["title"] == "Regional review, renamed"


def test_updated_at_is_what_the_etag_and_last_modified_stand_for(api_client, dressed):
    response = api_client.get(f"{LIST}{dressed.reference}/")

    shown = datetime.datetime.fromisoformat(response.json()["updated_at"])
    assert response["Last-Modified"] == http_date(shown.timestamp())
