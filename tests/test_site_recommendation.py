import datetime

import pytest

from recommendations.models import RecommendationLink, RecommendationObjective, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory, SessionFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import chat_commenter, dressed_recommendation

pytestmark = pytest.mark.django_db


def url(recommendation):
    return f"/recommendations/{recommendation.reference}/"


def test_shows_the_reference_full_text_and_source_with_links(client):
    recommendation = dressed_recommendation(reference="LAC2021-T1-01")

    response = client.get(url(recommendation))

    assert response.status_code == 200
    text = response.text
    assert "LAC2021-T1-01" in text
    assert recommendation.text in text
    assert recommendation.event.get_absolute_url() in text
    assert recommendation.session.get_absolute_url() in text
    assert recommendation.speaker.get_absolute_url() in text
    assert recommendation.organization.get_absolute_url() in text


def test_shows_objectives_with_who_tagged_them_principles_and_addressees(client):
    recommendation = dressed_recommendation(objectives=(4, 7))
    RecommendationObjective.objects.filter(objective__number=7).update(
        source=RecommendationObjective.Source.IN_SOURCE
    )

    text = client.get(url(recommendation)).text

    assert "Tagged by a curator" in text
    assert "Named in the source" in text
    assert "/objectives/principles/human-rights/" in text
    assert "States" in text


def test_shows_the_original_text_and_its_translations_in_their_languages(client):
    recommendation = dressed_recommendation(language="en")

    text = client.get(url(recommendation)).text

    assert 'class="source-text" lang="en"' in text
    assert 'class="translation" lang="es"' in text
    assert "Los Estados deberían abrir procesos de regularización." in text


def test_shows_the_follow_up_timeline_with_evidence_links_oldest_first(client):
    recommendation = dressed_recommendation(status=Status.IN_PROGRESS)
    record_follow_up(
        recommendation=recommendation,
        status=Status.IMPLEMENTED,
        date=datetime.date(2024, 8, 1),
        note="The law passed.",
        evidence_links=["https://example.org/gazette"],
    )

    response = client.get(url(recommendation))

    text = response.text
    assert text.index("A regularisation bill was tabled.") < text.index("The law passed.")
    assert 'href="https://example.org/gazette"' in text
    assert 'href="https://example.org/bill"' in text


def test_shows_earlier_and_later_recommendations_and_since_when_it_is_asked(client):
    early = RecommendationFactory(
        published=True,
        event=EventFactory(start_date=datetime.date(2017, 5, 1), end_date=None),
        short_title="Regularise, first asked",
    )
    now = RecommendationFactory(published=True)
    later = RecommendationFactory(
        published=True,
        event=EventFactory(start_date=datetime.date(2023, 9, 1), end_date=None),
        short_title="Regularise, asked again",
    )
    hidden = RecommendationFactory(short_title="A draft link")
    RecommendationLink.objects.create(
        from_recommendation=now, to_recommendation=early, kind=RecommendationLink.Kind.REPEATS
    )
    RecommendationLink.objects.create(
        from_recommendation=later, to_recommendation=now, kind=RecommendationLink.Kind.FOLLOWS_UP_ON
    )
    RecommendationLink.objects.create(
        from_recommendation=hidden, to_recommendation=now, kind=RecommendationLink.Kind.REPEATS
    )

    response = client.get(url(now))

    assert response.context["asked_since"] == 2017
    assert "Asked since 2017" in response.text
    assert "Regularise, first asked" in response.text
    assert "Regularise, asked again" in response.text
    assert "A draft link" not in response.text


@pytest.mark.parametrize("reference", ["DRAFT-T1-01", "NOWHERE-T1-01"])
def test_a_draft_or_unknown_recommendation_is_not_found(client, reference):
    RecommendationFactory(reference="DRAFT-T1-01")

    assert client.get(f"/recommendations/{reference}/").status_code == 404


def test_a_chat_commenter_is_never_named_as_speaker(client):
    session = SessionFactory()
    commenter = chat_commenter(session, person__name="Chatty Commenter")
    recommendation = RecommendationFactory(
        published=True, event=session.event, session=session, speaker=commenter
    )

    text = client.get(url(recommendation)).text

    assert "Chatty Commenter" not in text
    assert commenter.get_absolute_url() not in text


def test_never_shows_a_speakers_contact_details(client):
    recommendation = dressed_recommendation()
    speaker = recommendation.speaker
    speaker.phone = "+507 555 0101"
    speaker.private_notes = "Prefers WhatsApp"
    speaker.save()

    text = client.get(url(recommendation)).text

    for private in (speaker.email, speaker.phone, speaker.private_notes):
        assert private not in text


@pytest.mark.parametrize("updates", [0, 6])
def test_queries_do_not_grow_with_the_timeline_or_links(
    client, django_assert_max_num_queries, updates
):
    recommendation = dressed_recommendation()
    for day in range(1, updates + 1):
        record_follow_up(
            recommendation=recommendation,
            status=Status.IN_PROGRESS,
            date=datetime.date(2024, 1, day),
        )
        RecommendationLink.objects.create(
            from_recommendation=recommendation,
            to_recommendation=RecommendationFactory(published=True),
            kind=RecommendationLink.Kind.REPEATS,
        )

    with django_assert_max_num_queries(9):
        response = client.get(url(recommendation))

    assert len(response.context["earlier"]) == updates
