import datetime

import pytest

from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import many_dressed_recommendations

pytestmark = pytest.mark.django_db

URL = "/coverage/"


@pytest.fixture
def objectives(db):
    return [ObjectiveFactory(number=number) for number in range(1, 24)]


def test_draws_three_charts_each_with_a_table_alternative(client, objectives):
    RecommendationFactory(published=True, objectives=[4])

    text = client.get(URL).text

    assert text.count('<svg class="chart-svg') == 3
    assert text.count("<table>") == 3
    assert "Recommendations per objective" in text
    assert "Objectives by event" in text
    assert "Follow-up status by objective" in text


def test_counts_published_recommendations_per_objective(client, objectives):
    RecommendationFactory.create_batch(2, published=True, objectives=[4])
    RecommendationFactory(objectives=[4])

    response = client.get(URL)

    counts = {o.number: o.published_count for o in response.context["objectives"]}
    assert counts[4] == 2
    assert '<td class="num">2</td>' in response.text


def test_the_heat_map_counts_each_objective_at_each_event(client, objectives):
    lac = EventFactory(code="LAC2021")
    oas = EventFactory(code="OAS2017", start_date=datetime.date(2017, 5, 1), end_date=None)
    RecommendationFactory.create_batch(3, published=True, event=lac, objectives=[4, 7])
    RecommendationFactory(published=True, event=oas, objectives=[4])

    response = client.get(URL)

    cells = {
        (row["event__code"], row["objective_links__objective__number"]): row["count"]
        for row in response.context["heat"]
    }
    assert cells == {("LAC2021", 4): 3, ("LAC2021", 7): 3, ("OAS2017", 4): 1}
    assert "<title>4 · LAC2021: 3</title>" in response.text


def test_the_status_chart_shows_each_status_share(client, objectives):
    moving = RecommendationFactory(published=True, objectives=[4])
    RecommendationFactory(published=True, objectives=[4])
    record_follow_up(
        recommendation=moving, status=Status.IMPLEMENTED, date=datetime.date(2024, 2, 1)
    )

    text = client.get(URL).text

    assert "<title>4 · Implemented: 1</title>" in text
    assert "<title>4 · No information yet: 1</title>" in text


def test_chart_coordinates_stay_valid_svg_in_every_language(client, objectives):
    RecommendationFactory.create_batch(3, published=True, objectives=[4])
    RecommendationFactory(published=True, objectives=[5])

    text = client.get("/fr" + URL).text

    # A decimal comma in a coordinate would break the drawing.
    assert 'width="100,0' not in text
    assert 'width="300.0"' in text or 'width="300"' in text


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_events_or_recommendations(
    client, objectives, django_assert_max_num_queries, size
):
    many_dressed_recommendations(size)

    with django_assert_max_num_queries(3):
        response = client.get(URL)

    assert len(response.context["events"]) == size


def test_the_heat_map_escapes_what_it_writes_out(client, objectives):
    event = EventFactory(code="LAC2021", title='Review <script>alert("x")</script> & "more"')
    RecommendationFactory(published=True, event=event, objectives=[4])

    response = client.get(URL)

    assert "<script>alert" not in response.text
    assert (
        'title="Review &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;more&quot;"'
        in (response.text)
    )
    assert '<td class="num">1</td>' in response.text
