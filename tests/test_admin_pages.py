import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from recommendations.models import RecommendationLink, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import ParticipationFactory
from tests.factories.objectives import GuidingPrincipleFactory, ObjectiveFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"objectives", "consultations", "recommendations"}
MODEL_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in OUR_APPS
]


@pytest.fixture
def one_of_each():
    """A row of every model the admin shows, so each change page has something to open."""
    participation = ParticipationFactory()
    ObjectiveFactory(number=1)
    GuidingPrincipleFactory(number=1)
    earlier = RecommendationFactory(published=True, event=participation.session.event)
    later = RecommendationFactory(published=True, speaker=participation.person)
    RecommendationFactory(session=participation.session, event=participation.session.event)
    RecommendationLink.objects.create(
        from_recommendation=later, to_recommendation=earlier, kind=RecommendationLink.Kind.REPEATS
    )
    addressee = AddresseeFactory()
    record_follow_up(
        recommendation=earlier,
        status=Status.IN_PROGRESS,
        date=datetime.date(2024, 1, 1),
        addressee=addressee,
    )


def _pages(model, model_admin):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    pages = {"changelist": reverse(f"{prefix}_changelist"), "add": reverse(f"{prefix}_add")}
    obj = model._default_manager.first()
    if obj is not None:
        pages["change"] = reverse(f"{prefix}_change", args=[obj.pk])
        pages["history"] = reverse(f"{prefix}_history", args=[obj.pk])
    return pages


@pytest.mark.parametrize("persona", ["rapporteur", "curator", "admin_user"])
@pytest.mark.parametrize(
    ("model", "model_admin"), MODEL_ADMINS, ids=[m._meta.label for m, _ in MODEL_ADMINS]
)
def test_every_admin_page_opens(request, client, persona, model, model_admin, one_of_each):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    opts = model._meta

    can_view = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    can_add = user.has_perm(
        f"{opts.app_label}.add_{opts.model_name}"
    ) and model_admin.has_add_permission(_request(user))
    for name, url in _pages(model, model_admin).items():
        response = client.get(url)
        allowed = can_add if name == "add" else can_view
        assert response.status_code == (200 if allowed else 403), (url, response.status_code)


def test_each_role_sees_the_admin_sections_of_its_work(rapporteur, curator):
    rapporteur_views = {m._meta.model_name for m, _ in MODEL_ADMINS if _may_view(rapporteur, m)}
    curator_views = {m._meta.model_name for m, _ in MODEL_ADMINS if _may_view(curator, m)}

    assert {
        "event",
        "session",
        "participation",
        "person",
        "organization",
        "recommendation",
    } <= rapporteur_views
    assert rapporteur_views < curator_views
    assert {"exportjob", "digestdelivery"} <= curator_views - rapporteur_views


def _may_view(user, model):
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_rapporteur_can_add_a_person_in_place_from_a_participation(rapporteur_client):
    response = rapporteur_client.get(
        reverse("admin:consultations_person_add") + "?_to_field=id&_popup=1"
    )
    assert response.status_code == 200


def test_curator_finds_recommendations_by_admin_filters(curator_client):
    recommendation = RecommendationFactory(published=True, countries=["GT"])
    RecommendationFactory(objectives=[4])
    url = reverse("admin:recommendations_recommendation_changelist")

    response = curator_client.get(url, {"country": "GT", "state__exact": "published"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [recommendation]


def test_private_contact_details_are_in_their_own_admin_section(curator_client):
    person = ParticipationFactory().person
    response = curator_client.get(reverse("admin:consultations_person_change", args=[person.pk]))
    assert "never shown publicly" in response.content.decode()
