"""Who reaches what: seven personas against every admin page, every public page and the API,
and a sweep showing drafts and private contact details never leak to the public.

The API's own per-endpoint matrices (tests/test_api_*.py) cover each write operation in depth.
"""

import datetime

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consultations.models import Participation
from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.factories.consultations import ParticipationFactory, PersonFactory
from tests.factories.objectives import GuidingPrincipleFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "public_user",
    "rapporteur",
    "curator",
    "admin_user",
    "read_token",
    "write_token",
]
STAFF = {"rapporteur", "curator", "admin_user"}
DRAFT_TEXT = "Unpublished draft: seize the passports of every returnee"
PRIVATE = ["private.contact@example.org", "+507 6000 0000", "met in Panama, prefers WhatsApp"]


@pytest.fixture
def public_user(db, django_user_model):
    """Someone with an account but no role: a newsletter subscriber, say."""
    return django_user_model.objects.create_user(
        username="pat-public", password="a-long-test-password"
    )


@pytest.fixture
def world():
    """Published and draft content, a speaker with private details, a chat-only commenter."""
    speaker = PersonFactory(
        name="Luz Mely Reyes", email=PRIVATE[0], phone=PRIVATE[1], private_notes=PRIVATE[2]
    )
    participation = ParticipationFactory(person=speaker, role=Participation.Role.PANELIST)
    session = participation.session
    commenter = PersonFactory(name="Hidden Chatter", email="chatter@example.org")
    ParticipationFactory(person=commenter, session=session, role=Participation.Role.CHAT_COMMENTER)
    published = RecommendationFactory(
        published=True,
        reference="LAC2021-T1-01",
        event=session.event,
        session=session,
        speaker=speaker,
        objectives=[4],
    )
    RecommendationFactory(
        reference="LAC2021-T1-02", event=session.event, text=DRAFT_TEXT, objectives=[4]
    )
    GuidingPrincipleFactory(number=6, slug="human-rights")
    record_follow_up(
        recommendation=published, status=Status.IN_PROGRESS, date=datetime.date(2024, 6, 1)
    )
    return {"published": published, "speaker": speaker, "commenter": commenter, "session": session}


def _client(request, persona) -> Client:
    client = Client()
    if persona in ("read_token", "write_token"):
        token = request.getfixturevalue(persona)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token.raw}"
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _admin_pages():
    pages = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append((model, model_admin, "changelist", reverse(f"{prefix}_changelist")))
        pages.append((model, model_admin, "add", reverse(f"{prefix}_add")))
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_pages_open_only_for_the_roles_that_need_them(request, persona, world):
    client = _client(request, persona)
    user = request.getfixturevalue(persona) if persona in STAFF | {"public_user"} else None

    for model, model_admin, kind, url in _admin_pages():
        response = client.get(url)
        if persona not in STAFF:
            # Tokens are for the API only; without a staff login the admin asks to log in.
            assert response.status_code == 302 and "/login/" in response["Location"], url
            continue
        opts = model._meta
        action = "add" if kind == "add" else "view"
        allowed = user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") or (
            kind == "changelist" and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )
        if kind == "add":
            request_for_admin = type("R", (), {"user": user})()
            allowed = allowed and model_admin.has_add_permission(request_for_admin)
        assert response.status_code == (200 if allowed else 403), (persona, url)


def test_only_administrators_manage_accounts(request, world):
    for persona in ("rapporteur", "curator"):
        response = _client(request, persona).get(reverse("admin:auth_user_changelist"))
        assert response.status_code == 403
    assert (
        _client(request, "admin_user").get(reverse("admin:auth_user_changelist")).status_code == 200
    )


def _public_pages(world):
    with translation.override("en"):
        return _english_public_pages(world)


def _english_public_pages(world):
    published, speaker, session = world["published"], world["speaker"], world["session"]
    return [
        reverse("recommendations:home"),
        reverse("objectives:index"),
        reverse("objectives:detail", args=[4]),
        reverse("objectives:principle", args=["human-rights"]),
        reverse("consultations:events"),
        session.event.get_absolute_url(),
        session.get_absolute_url(),
        speaker.get_absolute_url(),
        speaker.organization.get_absolute_url(),
        published.get_absolute_url(),
        reverse("recommendations:search") + "?q=passports+returnee",
        reverse("recommendations:coverage"),
        reverse("objectives:detail", args=[4]) + "?download=csv",
        reverse("objectives:detail", args=[4]) + "?download=xlsx",
        "/es" + published.get_absolute_url(),
        reverse("recommendations:feed_updates"),
        reverse("recommendations:feed_objective", args=[4]),
    ]


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_public_page_opens_and_leaks_nothing_private(request, persona, world):
    client = _client(request, persona)

    for url in _public_pages(world):
        response = client.get(url)
        assert response.status_code == 200, (persona, url)
        body = _content(response).decode("utf-8", "replace")
        for secret in [DRAFT_TEXT, "LAC2021-T1-02", "Hidden Chatter", *PRIVATE]:
            assert secret not in body, (persona, url, secret)


@pytest.mark.parametrize("persona", PERSONAS)
def test_what_is_not_public_is_a_404_for_everyone(request, persona, world):
    client = _client(request, persona)

    assert client.get(reverse("recommendations:detail", args=["LAC2021-T1-02"])).status_code == 404
    assert client.get(world["commenter"].get_absolute_url()).status_code == 404
    assert client.get(reverse("objectives:detail", args=[24])).status_code == 404


def _api_reads(world):
    published, speaker, session = world["published"], world["speaker"], world["session"]
    return [
        "/api/v1/objectives/",
        "/api/v1/objectives/4/",
        "/api/v1/principles/",
        "/api/v1/events/",
        f"/api/v1/events/{session.event.code}/",
        "/api/v1/sessions/",
        "/api/v1/people/",
        f"/api/v1/people/{speaker.slug}/",
        "/api/v1/organizations/",
        "/api/v1/recommendations/",
        f"/api/v1/recommendations/{published.reference}/",
        f"/api/v1/recommendations/{published.reference}/follow-ups/",
        "/api/v1/recommendations/?q=passports",
        "/api/v1/recommendations/?format=csv",
        "/api/v1/follow-ups/",
    ]


@pytest.mark.parametrize("persona", ["anonymous", "public_user", "read_token"])
def test_public_api_reads_never_show_drafts_or_contact_details(request, persona, world):
    client = _client(request, persona)

    for url in _api_reads(world):
        response = client.get(url)
        assert response.status_code == 200, (persona, url, response.content[:300])
        body = _content(response).decode()
        for secret in [DRAFT_TEXT, "LAC2021-T1-02", "Hidden Chatter", *PRIVATE]:
            assert secret not in body, (persona, url, secret)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("public_user", 403),
        ("read_token", 403),
        ("write_token", 201),
        ("rapporteur", 201),
        ("curator", 201),
        ("admin_user", 201),
    ],
)
def test_who_may_draft_a_recommendation_through_the_api(request, persona, expected, world):
    from rest_framework.test import APIClient

    client = APIClient()
    if persona in ("read_token", "write_token"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {request.getfixturevalue(persona).raw}")
    elif persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))

    response = client.post(
        "/api/v1/recommendations/",
        {
            "reference": f"LAC2021-T9-{PERSONAS.index(persona):02d}",
            "short_title": "Birth registration at borders",
            "text": "Register births at border crossings.",
            "language": "en",
            "event": world["session"].event.code,
            "objectives": [{"number": 4, "primary": True}],
        },
        format="json",
    )

    assert response.status_code == expected, response.content
