import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation

from recommendations.roles import CURATOR, RAPPORTEUR
from tests.celery_worker import celery_worker_process  # noqa: F401  (a fixture)
from tests.webhook_receiver import webhook_receiver  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a rolled-back test leaves no cached counts behind."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_until_a_test_says_otherwise():
    """Every test starts in the default language, whatever the one before it activated.

    Django keeps the active language per thread, and reverse() follows it, so a test that
    leaves Spanish active would send the next test's requests to /es/ pages.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _member(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(
        username=username, password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def rapporteur(db, django_user_model):
    """Rosa, who enters session notes after a meeting."""
    return _member(django_user_model, "rosa-rapporteur", RAPPORTEUR)


@pytest.fixture
def curator(db, django_user_model):
    """Carlos, who publishes recommendations and records their follow-up."""
    return _member(django_user_model, "carlos-curator", CURATOR)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="ada-admin", password="a-long-test-password", email="ada@example.org"
    )


@pytest.fixture
def rapporteur_client(client, rapporteur):
    client.force_login(rapporteur)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def seed_corpus(db):
    """The curated seed corpus from fixtures/, loaded as `make run` loads it."""
    from recommendations.seed import load_seed

    return load_seed()


@pytest.fixture
def api_client(db):
    """An API client with a fresh rate-limit budget (the counts live in the cache)."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    return APIClient()


@pytest.fixture
def read_token(db):
    """The Observatory's dashboard token: reads published data."""
    from tests.factories.partners import PartnerTokenFactory

    return PartnerTokenFactory(scope="read")


@pytest.fixture
def write_token(db):
    """The Observatory's monitoring tool token: also drafts recommendations and records follow-up."""
    from tests.factories.partners import PartnerTokenFactory

    return PartnerTokenFactory(scope="write", name="Monitoring tool")


API_PERSONAS = ["anonymous", "read_token", "write_token", "rapporteur", "curator"]


@pytest.fixture
def api_as(api_client, request):
    """`api_as(persona)`: an API client for one of API_PERSONAS (session logins skip CSRF)."""

    def client_for(persona: str):
        if persona in ("read_token", "write_token"):
            token = request.getfixturevalue(persona)
            api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.raw}")
        elif persona != "anonymous":
            api_client.force_login(request.getfixturevalue(persona))
        return api_client

    return client_for
