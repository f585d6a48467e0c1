import hashlib

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerToken
from partners.services import revoke_token
from tests.factories.partners import PartnerTokenFactory

pytestmark = pytest.mark.django_db

OBJECTIVES = "/api/v1/objectives/"


def test_a_token_is_kept_only_as_its_sha256_with_a_visible_prefix(read_token):
    stored = PartnerToken.objects.get(pk=read_token.pk)

    assert stored.hashed == hashlib.sha256(read_token.raw.encode()).hexdigest()
    assert read_token.raw.startswith(f"gcm_{stored.prefix}_")
    assert read_token.raw not in str(PartnerToken.objects.filter(pk=stored.pk).values().get())


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_authenticates_with_bearer_or_token(api_client, read_token, keyword):
    api_client.credentials(HTTP_AUTHORIZATION=f"{keyword} {read_token.raw}")

    response = api_client.get(OBJECTIVES)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_using_a_token_records_when_it_was_last_used(api_client, read_token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token.raw}")

    api_client.get(OBJECTIVES)

    read_token.refresh_from_db()
    assert read_token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gcm_00000000_not-a-real-secret",
        "Bearer not-even-shaped-like-a-token",
        "Bearer",
        "Bearer two words",
    ],
)
def test_an_unknown_or_malformed_token_gets_401_with_a_bearer_challenge(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(OBJECTIVES)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "authentication_failed"


def test_a_token_with_the_right_prefix_but_a_wrong_secret_is_refused(api_client, read_token):
    forged = read_token.raw[:-4] + "AAAA"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert api_client.get(OBJECTIVES).status_code == 401


def test_a_revoked_token_stops_working(api_client, read_token):
    revoke_token(read_token)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token.raw}")

    assert api_client.get(OBJECTIVES).status_code == 401


def test_the_account_a_token_acts_as_cannot_sign_in(client, write_token):
    user = write_token.user

    assert not user.is_active
    assert not user.has_usable_password()
    assert not user.has_perm("recommendations.add_recommendation")


def test_a_curator_issues_a_token_in_the_admin_and_sees_the_secret_once(curator_client, curator):
    response = curator_client.post(
        reverse("admin:partners_partnertoken_add"),
        {
            "name": "Dashboard",
            "partner": "Red Jesuita con Migrantes",
            "contact": "it@example.org",
            "scope": "write",
        },
        follow=True,
    )

    token = PartnerToken.objects.get()
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    [raw] = [word for text in shown for word in text.split() if word.startswith("gcm_")]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.hashed
    assert token.created_by == curator
    assert token.scope == "write"
    change_page = curator_client.get(reverse("admin:partners_partnertoken_change", args=[token.pk]))
    assert raw not in change_page.content.decode()
    assert token.prefix in change_page.content.decode()


def test_a_curator_revokes_tokens_with_the_admin_action(curator_client):
    token = PartnerTokenFactory()

    curator_client.post(
        reverse("admin:partners_partnertoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_at <= timezone.now()


def test_tokens_are_never_deleted_so_what_a_partner_did_stays_attributable(curator_client):
    token = PartnerTokenFactory()

    response = curator_client.get(reverse("admin:partners_partnertoken_delete", args=[token.pk]))

    assert response.status_code == 403


def test_a_rapporteur_cannot_see_partner_tokens(rapporteur_client):
    response = rapporteur_client.get(reverse("admin:partners_partnertoken_changelist"))

    assert response.status_code == 403
