import datetime

import pytest
from django.urls import reverse

from recommendations.models import RecommendationLink, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def _ask_made_in(*years, reference, objectives=(7,)):
    """One ask made at an event in each of `years`, linked as repeats of the first."""
    made = [
        RecommendationFactory(
            published=True,
            reference=f"{reference}-{year}",
            objectives=list(objectives),
            event=EventFactory(start_date=datetime.date(year, 4, 13), end_date=None),
        )
        for year in years
    ]
    for later in made[1:]:
        RecommendationLink.objects.create(
            from_recommendation=later,
            to_recommendation=made[0],
            kind=RecommendationLink.Kind.REPEATS,
        )
    return made


def test_open_asks_are_listed_longest_standing_first_with_how_often_they_were_made(
    client, django_assert_max_num_queries
):
    _ask_made_in(2021, reference="REGULARISE")
    old = _ask_made_in(2017, 2021, 2023, reference="FIREWALL")
    done = _ask_made_in(2017, reference="CONSULAR")
    record_follow_up(
        recommendation=done[0], status=Status.IMPLEMENTED, date=datetime.date(2024, 1, 1)
    )
    record_follow_up(
        recommendation=old[2], status=Status.IN_PROGRESS, date=datetime.date(2024, 2, 1)
    )

    with django_assert_max_num_queries(6):
        response = client.get(reverse("objectives:open_asks", args=[7]))

    asks = list(response.context["page"].object_list)
    assert [ask.first.reference for ask in asks] == ["FIREWALL-2017", "REGULARISE-2021"]
    assert (asks[0].times_made, asks[0].latest.reference, asks[0].status) == (
        3,
        "FIREWALL-2023",
        Status.IN_PROGRESS,
    )
    page = response.content.decode()
    assert "FIREWALL-2017" in page and "In progress" in page and "CONSULAR" not in page


def test_drafts_never_join_an_ask(client):
    _ask_made_in(2017, reference="PUBLIC")
    RecommendationFactory(reference="DRAFT-2021", objectives=[7])

    page = client.get(reverse("objectives:open_asks", args=[7])).content.decode()

    assert "PUBLIC-2017" in page and "DRAFT-2021" not in page


def test_open_asks_speak_spanish(client):
    _ask_made_in(2017, reference="PUBLIC")
    page = client.get("/es" + reverse("objectives:open_asks", args=[7])).content.decode()
    assert "Sin información" in page or "Sin informacion" in page


def test_an_unknown_objective_has_no_open_asks(client):
    assert client.get(reverse("objectives:open_asks", args=[30])).status_code == 404


def test_an_ask_keeps_its_repeats_tagged_with_other_objectives(client):
    first, again = _ask_made_in(2017, 2023, reference="DATA", objectives=(7,))
    again.objective_links.all().delete()
    from recommendations.models import RecommendationObjective
    from tests.factories.objectives import ObjectiveFactory

    RecommendationObjective.objects.create(
        recommendation=again, objective=ObjectiveFactory(number=1), is_primary=True
    )

    asks = list(client.get(reverse("objectives:open_asks", args=[7])).context["page"].object_list)

    assert [(a.first.reference, a.times_made) for a in asks] == [("DATA-2017", 2)]
