import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from consultations.models import Organization, Session
from recommendations.models import Status
from tests.factories.consultations import (
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
)
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory
from tests.factories.site import chat_commenter, many_dressed_recommendations

pytestmark = pytest.mark.django_db

URL = "/objectives/4/"


def references(response) -> list[str]:
    return [r.reference for r in response.context["recommendations"]]


def facet(response, name):
    return next(f for f in response.context["facets"] if f.field.name == name)


def counts(response, name) -> dict[str, int]:
    return {option.value: option.count for option in facet(response, name).options}


def test_shows_the_objective_title_and_commitment_summary(client):
    ObjectiveFactory(number=4, summary_en="States commit to legal identity for all.")

    response = client.get(URL)

    assert response.status_code == 200
    assert "Official title of objective 4" in response.text
    assert "States commit to legal identity for all." in response.text


def test_an_objective_that_does_not_exist_is_not_found(client):
    assert client.get("/objectives/24/").status_code == 404


def test_lists_only_published_recommendations_tagged_with_the_objective(client):
    published = RecommendationFactory(published=True, objectives=[4])
    secondary = RecommendationFactory(published=True, objectives=[7, 4])
    RecommendationFactory(objectives=[4])  # a draft
    RecommendationFactory(published=True, objectives=[5])

    response = client.get(URL)

    assert sorted(references(response)) == sorted([published.reference, secondary.reference])


@pytest.mark.parametrize(
    ("parameter", "build_match", "build_other", "value"),
    [
        (
            "event",
            lambda: {"event": EventFactory(code="LAC2021")},
            lambda: {"event": EventFactory(code="OAS2017")},
            "LAC2021",
        ),
        (
            "year",
            lambda: {"event": EventFactory(start_date=datetime.date(2021, 4, 13), end_date=None)},
            lambda: {"event": EventFactory(start_date=datetime.date(2017, 5, 1), end_date=None)},
            "2021",
        ),
        (
            "format",
            lambda: {"session": SessionFactory(format=Session.Format.PANEL)},
            lambda: {"session": SessionFactory(format=Session.Format.ROUND_TABLE)},
            "panel",
        ),
        (
            "organization_kind",
            lambda: {"organization": OrganizationFactory(kind=Organization.Kind.UN_AGENCY)},
            lambda: {"organization": OrganizationFactory(kind=Organization.Kind.CIVIL_SOCIETY)},
            "un_agency",
        ),
        ("country", lambda: {"countries": ["CR", "PA"]}, lambda: {"countries": ["MX"]}, "PA"),
        ("language", lambda: {"language": "es"}, lambda: {"language": "en"}, "es"),
        (
            "q",
            lambda: {"text": "End the detention of children."},
            lambda: {"text": "Open regular pathways."},
            "detention children",
        ),
    ],
)
def test_each_filter_keeps_only_the_matching_recommendations(
    client, parameter, build_match, build_other, value
):
    match = RecommendationFactory(published=True, objectives=[4], **build_match())
    RecommendationFactory(published=True, objectives=[4], **build_other())

    response = client.get(URL, {parameter: value})

    assert references(response) == [match.reference]


def test_the_session_of_a_recommendation_sets_its_event(client):
    # A session filter value and the recommendation's event must agree for the format filter.
    session = SessionFactory(format=Session.Format.PLENARY)
    match = RecommendationFactory(
        published=True, objectives=[4], event=session.event, session=session
    )

    assert references(client.get(URL, {"format": "plenary"})) == [match.reference]


def test_filter_by_status(client, curator):
    from recommendations.services import record_follow_up

    moving = RecommendationFactory(published=True, objectives=[4])
    RecommendationFactory(published=True, objectives=[4])
    record_follow_up(
        recommendation=moving, status=Status.IN_PROGRESS, date=datetime.date(2024, 1, 10)
    )

    response = client.get(URL, {"status": "in_progress"})

    assert references(response) == [moving.reference]
    assert counts(response, "status") == {"in_progress": 1, "no_information": 1}


def test_filter_by_addressee(client):
    match = RecommendationFactory(published=True, objectives=[4])
    match.addressees.add(AddresseeFactory(slug="iom", name="IOM"))
    other = RecommendationFactory(published=True, objectives=[4])
    other.addressees.add(AddresseeFactory(slug="states", name="States"))

    response = client.get(URL, {"addressee": "iom"})

    assert references(response) == [match.reference]
    assert counts(response, "addressee") == {"iom": 1, "states": 1}


def test_filter_by_speaker_offers_only_people_who_spoke_publicly(client):
    session = SessionFactory()
    speaker = PersonFactory(slug="ana-perez")
    session.participations.create(person=speaker, role="panelist")
    commenter = chat_commenter(session)
    match = RecommendationFactory(
        published=True, objectives=[4], event=session.event, speaker=speaker
    )
    RecommendationFactory(published=True, objectives=[4], event=session.event, speaker=commenter)

    response = client.get(URL, {"speaker": "ana-perez"})

    assert references(response) == [match.reference]
    assert counts(response, "speaker") == {"ana-perez": 1}
    assert commenter.name not in client.get(URL).text
    assert references(client.get(URL, {"speaker": commenter.slug})) == []


def test_filters_combine(client):
    lac = EventFactory(code="LAC2021")
    match = RecommendationFactory(published=True, objectives=[4], event=lac, language="es")
    RecommendationFactory(published=True, objectives=[4], event=lac, language="en")
    RecommendationFactory(published=True, objectives=[4], language="es")

    response = client.get(URL, {"event": "LAC2021", "language": "es"})

    assert references(response) == [match.reference]


def test_counts_per_value_are_exact_under_the_other_filters(client):
    lac = EventFactory(code="LAC2021", start_date=datetime.date(2021, 4, 13), end_date=None)
    oas = EventFactory(code="OAS2017", start_date=datetime.date(2017, 5, 1), end_date=None)
    RecommendationFactory.create_batch(3, published=True, objectives=[4], event=lac, language="es")
    RecommendationFactory.create_batch(2, published=True, objectives=[4], event=lac, language="en")
    RecommendationFactory(published=True, objectives=[4], event=oas, language="es")
    RecommendationFactory(objectives=[4], event=lac, language="es")  # a draft is not counted

    response = client.get(URL, {"language": "es"})

    assert counts(response, "event") == {"OAS2017": 1, "LAC2021": 3}
    assert counts(response, "year") == {"2021": 3, "2017": 1}
    # The facet being chosen is counted with the others only, so its values stay choosable.
    assert counts(response, "language") == {"en": 2, "es": 4}
    assert response.context["page_obj"].paginator.count == 4


def test_event_shortcuts_lead_straight_to_one_event(client):
    lac = EventFactory(code="LAC2021", title="Regional review")
    RecommendationFactory(published=True, objectives=[4], event=lac)
    RecommendationFactory(published=True, objectives=[4])

    response = client.get(URL)

    assert 'href="?event=LAC2021"' in response.text


def test_sort_by_newest_event_first(client):
    old = RecommendationFactory(
        published=True,
        objectives=[4],
        event=EventFactory(start_date=datetime.date(2017, 5, 1), end_date=None),
    )
    new = RecommendationFactory(
        published=True,
        objectives=[4],
        event=EventFactory(start_date=datetime.date(2023, 9, 1), end_date=None),
    )

    assert references(client.get(URL, {"sort": "newest"})) == [new.reference, old.reference]
    assert references(client.get(URL, {"sort": "oldest"})) == [old.reference, new.reference]


def test_pages_hold_twenty_recommendations(client):
    RecommendationFactory.create_batch(23, published=True, objectives=[4])

    first = client.get(URL)
    second = client.get(URL, {"page": "2"})

    assert len(references(first)) == 20
    assert len(references(second)) == 3
    assert 'rel="next"' in first.text


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"year": "abc"},
        {"page": "abc"},
        {"page": "999"},
        {"event": "<script>"},
        {"sort": "sideways"},
        {"country": "ZZ"},
    ],
)
def test_bad_query_string_values_are_ignored_with_a_message(client, query):
    recommendation = RecommendationFactory(published=True, objectives=[4])

    response = client.get(URL, query)

    assert response.status_code == 200
    assert references(response) == [recommendation.reference]
    if "page" not in query:
        assert "were not understood and were left out" in response.text


def test_csv_download_has_the_filters_applied(client):
    lac = EventFactory(code="LAC2021")
    match = RecommendationFactory(published=True, objectives=[4], event=lac)
    RecommendationFactory(published=True, objectives=[4])
    RecommendationFactory(objectives=[4], event=lac)  # a draft is never downloaded

    response = client.get(URL, {"event": "LAC2021", "download": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="objective-4-recommendations.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["reference"] for row in rows] == [match.reference]
    assert rows[0]["url"] == f"http://testserver/recommendations/{match.reference}/"


def test_downloads_never_name_a_speaker_who_only_commented_in_a_chat(client):
    session = SessionFactory()
    commenter = chat_commenter(session, person__name="Chatty Commenter")
    RecommendationFactory(published=True, objectives=[4], event=session.event, speaker=commenter)

    response = client.get(URL, {"download": "csv"})

    assert b"Chatty Commenter" not in b"".join(response.streaming_content)


def test_xlsx_download_has_the_filters_applied(client):
    match = RecommendationFactory(published=True, objectives=[4], language="fr")
    RecommendationFactory(published=True, objectives=[4], language="en")

    response = client.get(URL, {"language": "fr", "download": "xlsx"})

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [match.reference]


@pytest.mark.parametrize("size", [1, 12])
def test_queries_do_not_grow_with_the_list(client, django_assert_max_num_queries, size):
    many_dressed_recommendations(size, objectives=(4, 7))

    with django_assert_max_num_queries(14):
        response = client.get(URL, {"status": "in_progress", "language": "en"})

    assert len(references(response)) == size


def test_lists_the_sessions_that_discussed_it_with_their_addresses(client):
    objective = ObjectiveFactory(number=4)
    session = SessionFactory(code="2a b&c", title="Panel <on> legal identity")
    session.objectives.add(objective)

    text = client.get(URL).text

    assert f'href="{session.get_absolute_url().replace("&", "&amp;")}"' in text
    assert f'href="{session.event.get_absolute_url()}"' in text
    assert "Panel &lt;on&gt; legal identity" in text


def test_the_filters_offer_each_value_escaped_with_its_count_the_chosen_one_selected(client):
    RecommendationFactory.create_batch(2, published=True, objectives=[4], language="es")
    RecommendationFactory(published=True, objectives=[4], language="en")
    RecommendationFactory(
        published=True, objectives=[4], language="es", event=EventFactory(title='Review "A&B"')
    )

    text = client.get(URL, {"language": "es"}).text

    assert '<option value="es" selected>Spanish (3)</option>' in text
    assert '<option value="en">English (1)</option>' in text
    assert "Review &quot;A&amp;B&quot;" in text
    assert 'Review "A&B"' not in text


def test_counts_of_a_thousand_or_more_are_grouped_as_the_language_writes_them():
    from django.utils import translation

    from recommendations.forms import Option
    from recommendations.templatetags.tracker import facet_options

    class Facet:
        selected = ""
        options = [Option("es", "Spanish", 1200), Option("en", "English", 999)]

    assert "Spanish (1,200)" in facet_options(Facet())
    assert "English (999)" in facet_options(Facet())
    with translation.override("pt"):
        assert "Spanish (1.200)" in facet_options(Facet())
