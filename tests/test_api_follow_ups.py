import datetime

import pytest

from recommendations.models import FollowUp
from recommendations.services import record_follow_up
from tests.conftest import API_PERSONAS
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory
from tests.factories.site import dressed_recommendation

pytestmark = pytest.mark.django_db

LIST = "/api/v1/follow-ups/"


def history_url(reference: str) -> str:
    return f"/api/v1/recommendations/{reference}/follow-ups/"


@pytest.fixture
def history(db):
    """LAC2021-T2-01 went from in progress to implemented, with one correction."""
    recommendation = dressed_recommendation(reference="LAC2021-T2-01", objectives=(9,))
    first = recommendation.follow_ups.get()
    record_follow_up(
        recommendation=recommendation,
        status="implemented",
        date=datetime.date(2024, 2, 1),
        note="The law passed.",
        evidence_links=["https://example.org/law"],
        addressee=AddresseeFactory(slug="mexico", name="Mexico"),
    )
    record_follow_up(
        recommendation=recommendation,
        status="in_progress",
        date=datetime.date(2023, 5, 2),
        note="Corrected: the bill was tabled, not passed.",
        corrects=first,
    )
    return recommendation


@pytest.fixture
def draft_history(db):
    draft = RecommendationFactory(reference="LAC2021-T2-99", objectives=[9])
    record_follow_up(recommendation=draft, status="not_started", date=datetime.date(2024, 1, 1))
    return draft


def test_a_recommendations_history_is_one_request_away_oldest_first(api_client, history):
    follow_ups_url = api_client.get(f"/api/v1/recommendations/{history.reference}/").json()[
        "follow_ups_url"
    ]

    response = api_client.get(follow_ups_url)

    items = response.json()["results"]
    assert [(item["status"], item["date"]) for item in items] == [
        ("in_progress", "2023-05-02"),
        ("in_progress", "2023-05-02"),
        ("implemented", "2024-02-01"),
    ]
    assert items[1]["corrects"] == items[0]["id"]
    assert items[2]["addressee"] == {"slug": "mexico", "name": "Mexico"}
    assert items[2]["evidence_links"] == ["https://example.org/law"]
    assert set(items[0]) == {
        "id",
        "recommendation",
        "status",
        "date",
        "note",
        "evidence_links",
        "addressee",
        "corrects",
        "url",
        "created_at",
        "updated_at",
    }
    assert items[0]["url"] == f"http://testserver/recommendations/{history.reference}/"
    assert "recorded_by" not in items[0]


def test_follow_ups_filter_by_recommendation_reference(api_client, history):
    other = dressed_recommendation(reference="OAS2017-P2-03")

    response = api_client.get(LIST, {"recommendation": "LAC2021-T2-01"})

    assert {item["recommendation"] for item in response.json()["results"]} == {"LAC2021-T2-01"}
    assert response.json()["count"] == 3
    both = api_client.get(LIST, {"recommendation": f"LAC2021-T2-01,{other.reference}"})
    assert both.json()["count"] == 4


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"status": "implemented"}, 1),
        ({"status": "in_progress,implemented"}, 3),
        ({"objective": 9}, 3),
        ({"objective": 12}, 0),
        ({"addressee": "mexico"}, 1),
        ({"ordering": "-date"}, 3),
    ],
)
def test_follow_ups_filter(api_client, history, query, count):
    assert api_client.get(LIST, query).json()["count"] == count


def test_follow_ups_filter_by_event(api_client, history):
    assert api_client.get(LIST, {"event": history.event.code}).json()["count"] == 3


def test_the_follow_ups_of_a_draft_are_hidden_from_the_public(api_client, history, draft_history):
    assert api_client.get(LIST).json()["count"] == 3
    assert api_client.get(history_url(draft_history.reference)).status_code == 404
    response = api_client.get(LIST, {"recommendation": draft_history.reference})
    assert response.status_code == 400
    assert "recommendation" in response.json()["errors"]


def test_editors_see_the_follow_ups_of_drafts(api_as, history, draft_history):
    client = api_as("curator")

    assert client.get(LIST).json()["count"] == 4
    assert client.get(history_url(draft_history.reference)).json()["count"] == 1


def test_follow_ups_sync_by_when_they_were_recorded(api_client, history):
    first_pass = api_client.get(LIST, {"updated_after": "2000-01-01T00:00:00Z"}).json()
    newest = max(item["updated_at"] for item in first_pass["results"])
    record_follow_up(recommendation=history, status="regressed", date=datetime.date(2025, 1, 1))

    later = api_client.get(LIST, {"updated_after": newest}).json()

    assert [item["status"] for item in later["results"]] == ["regressed"]


def _update(**fields):
    return {
        "status": "partially_implemented",
        "date": "2024-06-30",
        "note": "Half of the states adopted it.",
        "evidence_links": ["https://example.org/report"],
        **fields,
    }


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("anonymous", 401),
        ("read_token", 403),
        ("write_token", 201),
        ("rapporteur", 403),
        ("curator", 201),
    ],
)
def test_who_may_record_a_follow_up_update(api_as, history, persona, status_code):
    response = api_as(persona).post(history_url(history.reference), _update(), format="json")

    assert response.status_code == status_code
    history.refresh_from_db()
    expected = "partially_implemented" if status_code == 201 else "implemented"
    assert history.current_status == expected


def test_a_recorded_update_is_answered_with_its_address_and_shows_in_the_history(
    api_as, history, write_token
):
    client = api_as("write_token")

    response = client.post(history_url(history.reference), _update(), format="json")

    body = response.json()
    assert response["Location"] == f"http://testserver{LIST}{body['id']}/"
    assert client.get(f"{LIST}{body['id']}/").json() == body
    assert FollowUp.objects.get(pk=body["id"]).recorded_by == write_token.user
    item = client.get(f"/api/v1/recommendations/{history.reference}/").json()
    assert (item["current_status"], item["status_date"]) == ("partially_implemented", "2024-06-30")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "done"}, "status"),
        ({"date": "30/06/2024"}, "date"),
        ({"evidence_links": ["not a link"]}, "evidence_links"),
        ({"evidence_links": "https://example.org"}, "evidence_links"),
        ({"addressee": "nobody"}, "addressee"),
        ({"corrects": 999999}, "corrects"),
    ],
)
def test_a_bad_update_is_refused_field_by_field_and_nothing_is_recorded(
    api_as, history, change, field
):
    response = api_as("curator").post(
        history_url(history.reference), _update(**change), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert history.follow_ups.count() == 3


def test_an_update_cannot_correct_another_recommendations_history(api_as, history):
    other = dressed_recommendation(reference="OAS2017-P2-03")

    response = api_as("curator").post(
        history_url(other.reference),
        _update(corrects=history.follow_ups.first().pk),
        format="json",
    )

    assert response.status_code == 400
    assert "corrects" in response.json()["errors"]


def test_an_update_for_an_unknown_recommendation_is_a_404(api_as, history):
    response = api_as("curator").post(history_url("NOPE-1"), _update(), format="json")

    assert response.status_code == 404


def test_a_retried_update_with_its_idempotency_key_is_recorded_once(api_as, history):
    client = api_as("write_token")
    url, key = history_url(history.reference), {"HTTP_IDEMPOTENCY_KEY": "8d3c-retry-1"}

    first = client.post(url, _update(), format="json", **key)
    again = client.post(url, _update(), format="json", **key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert history.follow_ups.count() == 4


def test_an_idempotency_key_sent_with_another_update_is_refused_and_changes_nothing(
    api_as, history
):
    client = api_as("write_token")
    url, key = history_url(history.reference), {"HTTP_IDEMPOTENCY_KEY": "8d3c-retry-2"}
    client.post(url, _update(), format="json", **key)

    response = client.post(url, _update(note="Another update."), format="json", **key)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert history.follow_ups.count() == 4


def test_idempotency_keys_belong_to_each_caller(api_as, api_client, history):
    url, key = history_url(history.reference), {"HTTP_IDEMPOTENCY_KEY": "shared-key"}

    by_token = api_as("write_token").post(url, _update(), format="json", **key)
    api_client.credentials()  # The same client, now with the curator's session alone.
    by_curator = api_as("curator").post(url, _update(), format="json", **key)

    assert (by_token.status_code, by_curator.status_code) == (201, 201)
    assert by_token.json()["id"] != by_curator.json()["id"]
    assert history.follow_ups.count() == 5


def test_a_retry_racing_the_first_request_is_undone_and_answered_as_the_first(
    api_as, history, monkeypatch
):
    from gcm_tracker.api import idempotency  # Once the REST framework is set up.

    url, key = history_url(history.reference), {"HTTP_IDEMPOTENCY_KEY": "8d3c-race"}
    first = api_as("write_token").post(url, _update(), format="json", **key)
    answered = idempotency._answered
    looked_up = []

    def not_yet_on_the_first_look(user, key):
        # The retry looks before the first request has committed its key.
        looked_up.append(key)
        return None if len(looked_up) == 1 else answered(user, key)

    monkeypatch.setattr(idempotency, "_answered", not_yet_on_the_first_look)

    again = api_as("write_token").post(url, _update(), format="json", **key)

    assert len(looked_up) == 2
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert history.follow_ups.count() == 4


def test_a_refused_update_is_not_remembered_so_its_correction_goes_through(api_as, history):
    client = api_as("write_token")
    url, key = history_url(history.reference), {"HTTP_IDEMPOTENCY_KEY": "8d3c-retry-3"}

    refused = client.post(url, _update(status="done"), format="json", **key)
    corrected = client.post(url, _update(), format="json", **key)

    assert (refused.status_code, corrected.status_code) == (400, 201)
    assert "Idempotent-Replayed" not in corrected
    assert history.follow_ups.count() == 4


@pytest.mark.parametrize("key", ["", "with space", "ñandú", "x" * 256])
def test_a_malformed_idempotency_key_is_refused_and_nothing_is_recorded(api_as, history, key):
    response = api_as("curator").post(
        history_url(history.reference), _update(), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert history.follow_ups.count() == 3


def test_follow_ups_are_append_only_in_the_api(api_as, history):
    item = history.follow_ups.first()

    response = api_as("curator").patch(f"{LIST}{item.pk}/", {"note": "x"}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_every_persona_reads_the_public_history(api_as, history, persona):
    assert api_as(persona).get(history_url(history.reference)).json()["count"] == 3


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_follow_ups_runs_a_fixed_number_of_queries(
    api_client, page_size, django_assert_max_num_queries
):
    for n in range(6):
        dressed_recommendation(reference=f"LAC2021-F-{n:02d}")

    with django_assert_max_num_queries(3):
        api_client.get(LIST, {"page_size": page_size})
