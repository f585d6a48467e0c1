import pytest
from django.test import Client
from django.urls import reverse

from recommendations.models import FollowUp, Status
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommendation():
    recommendation = RecommendationFactory(published=True, reference="LAC2021-T2-04")
    recommendation.addressees.add(AddresseeFactory(name="Government of Guatemala"))
    return recommendation


def _url(recommendation):
    return reverse("recommendations:record_follow_up", args=[recommendation.reference])


def test_curator_sees_the_follow_up_form_on_the_recommendation_page(curator_client, recommendation):
    response = curator_client.get(recommendation.get_absolute_url())

    assert "Record a follow-up update" in response.content.decode()
    assert list(response.context["follow_up_form"].fields["addressee"].queryset) == list(
        recommendation.addressees.all()
    )


def test_the_public_and_rapporteurs_do_not_see_the_form(rapporteur_client, recommendation):
    for visitor in (Client(), rapporteur_client):
        response = visitor.get(recommendation.get_absolute_url())
        assert response.context["follow_up_form"] is None
        assert "Record a follow-up update" not in response.content.decode()


def test_curator_records_a_status_change_from_the_page(curator_client, curator, recommendation):
    addressee = recommendation.addressees.get()

    response = curator_client.post(
        _url(recommendation),
        {
            "status": Status.IN_PROGRESS,
            "date": "2025-02-10",
            "note": "A regularisation bill was tabled.",
            "evidence_links": "https://example.org/bill\n\nhttps://example.org/debate",
            "addressee": addressee.pk,
        },
    )

    assert response.status_code == 302
    update = FollowUp.objects.get()
    assert update.recorded_by == curator and update.addressee == addressee
    assert update.evidence_links == ["https://example.org/bill", "https://example.org/debate"]
    recommendation.refresh_from_db()
    assert recommendation.current_status == Status.IN_PROGRESS
    page = curator_client.get(response["Location"])
    assert "The follow-up update was recorded." in page.content.decode()


def test_a_bad_update_is_explained_and_changes_nothing(curator_client, recommendation):
    response = curator_client.post(
        _url(recommendation),
        {"status": "finished", "date": "tomorrow", "evidence_links": "not a link"},
    )

    assert response.status_code == 400
    errors = response.context["follow_up_form"].errors
    assert {"status", "date", "evidence_links"} <= set(errors)
    assert not FollowUp.objects.exists()


def test_rapporteurs_and_visitors_cannot_record(rapporteur_client, recommendation):
    data = {"status": Status.IMPLEMENTED, "date": "2025-01-01"}

    assert rapporteur_client.post(_url(recommendation), data).status_code == 403
    assert Client().post(_url(recommendation), data).status_code == 302  # to the login page
    assert not FollowUp.objects.exists()


def test_drafts_take_no_follow_up_from_the_page(curator_client):
    draft = RecommendationFactory(reference="LAC2021-T2-05")

    response = curator_client.post(
        _url(draft), {"status": Status.IMPLEMENTED, "date": "2025-01-01"}
    )

    assert response.status_code == 404
