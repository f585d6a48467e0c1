"""Public reads from the replica; writes, editors, the admin and whoever just wrote on the primary."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from gcm_tracker import db_router
from gcm_tracker.db_router import PIN_COOKIE, PrimaryReplicaRouter, ReplicaMiddleware
from recommendations.models import Recommendation

router = PrimaryReplicaRouter()


class Editor:
    is_authenticated = True


def _reads_during(request) -> str:
    """Where a read made while the middleware handles `request` would go."""
    seen = {}

    def view(request):
        seen["alias"] = router.db_for_read(Recommendation)
        return HttpResponse("ok")

    ReplicaMiddleware(view)(request)
    return seen["alias"]


def _get(path="/objectives/4/", user=None, **headers):
    request = RequestFactory().get(path, **headers)
    request.user = user or AnonymousUser()
    return request


def test_an_anonymous_read_of_the_public_site_or_api_goes_to_the_replica():
    assert _reads_during(_get("/objectives/4/")) == "replica"
    assert _reads_during(_get("/api/v1/recommendations/")) == "replica"
    assert _reads_during(_get("/es/coverage/")) == "replica"


def test_a_signed_in_editor_reads_the_primary():
    assert _reads_during(_get("/objectives/4/", user=Editor())) == "default"


@pytest.mark.parametrize("path", ["/admin/", "/admin/recommendations/", "/es/admin/"])
def test_the_admin_reads_the_primary(path):
    assert _reads_during(_get(path)) == "default"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_request_reads_and_writes_the_primary(method):
    request = getattr(RequestFactory(), method)("/api/v1/recommendations/")
    request.user = AnonymousUser()

    assert _reads_during(request) == "default"
    assert router.db_for_write(Recommendation) == "default"


def test_a_writer_reads_the_primary_afterwards_by_cookie():
    request = RequestFactory().post("/recommendations/A-1/follow-up/")
    request.user = AnonymousUser()
    response = ReplicaMiddleware(lambda request: HttpResponse("ok"))(request)

    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.GCM_REPLICA_PIN_SECONDS
    assert pin["httponly"]
    assert _reads_during(_get(HTTP_COOKIE=f"{PIN_COOKIE}=1")) == "default"


def test_an_api_writer_reads_the_primary_afterwards_by_its_token():
    token = {"HTTP_AUTHORIZATION": "Bearer gcm_partner_token_one"}
    request = RequestFactory().post("/api/v1/recommendations/", **token)
    request.user = AnonymousUser()
    ReplicaMiddleware(lambda request: HttpResponse("ok"))(request)

    assert _reads_during(_get("/api/v1/recommendations/", **token)) == "default"
    other = {"HTTP_AUTHORIZATION": "Bearer gcm_partner_token_two"}
    assert _reads_during(_get("/api/v1/recommendations/", **other)) == "replica"


def test_the_pin_ends():
    token = {"HTTP_AUTHORIZATION": "Bearer gcm_partner_token_one"}
    request = RequestFactory().post("/api/v1/recommendations/", **token)
    request.user = AnonymousUser()
    ReplicaMiddleware(lambda request: HttpResponse("ok"))(request)

    cache.clear()  # As the pin's expiry would.

    assert _reads_during(_get("/api/v1/recommendations/", **token)) == "replica"


def test_outside_a_request_everything_is_on_the_primary():
    assert router.db_for_read(Recommendation) == "default"
    assert db_router.reads_from() == "default"


@pytest.mark.django_db
def test_inside_a_transaction_reads_see_its_writes_on_the_primary():
    seen = {}

    def view(request):
        with transaction.atomic():
            seen["alias"] = router.db_for_read(Recommendation)
        return HttpResponse("ok")

    ReplicaMiddleware(view)(_get())

    assert seen["alias"] == "default"


def test_after_the_request_reads_go_back_to_the_primary():
    ReplicaMiddleware(lambda request: HttpResponse("ok"))(_get())

    assert router.db_for_read(Recommendation) == "default"


def test_a_streamed_body_is_read_from_the_replica_as_it_is_sent():
    def view(request):
        return StreamingHttpResponse(router.db_for_read(Recommendation) for _ in range(2))

    response = ReplicaMiddleware(view)(_get("/api/v1/recommendations/"))

    assert router.db_for_read(Recommendation) == "default"
    assert b"".join(response.streaming_content) == b"replicareplica"
    assert router.db_for_read(Recommendation) == "default"


def test_only_the_primary_is_migrated_and_rows_from_both_relate():
    assert router.allow_migrate("default", "recommendations")
    assert not router.allow_migrate("replica", "recommendations")
    assert router.allow_relation(object(), object())


SCRIPT = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from consultations.models import Event

    # Each database holds one event the other lacks, so every answer says where it was read.
    Event.objects.using("default").create(code="ONPRIMARY", title="On the primary", kind="forum")
    Event.objects.using("replica").create(code="ONREPLICA", title="On the replica", kind="forum")

    def codes(client):
        response = client.get("/api/v1/events/", HTTP_HOST="127.0.0.1")
        return sorted(event["code"] for event in response.json()["results"])

    anonymous = Client()
    editor = Client()
    editor.force_login(
        get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-pw-1")
    )
    writer = Client()
    writer.post("/i18n/setlang/", {"language": "en"}, HTTP_HOST="127.0.0.1")
    print(json.dumps({
        "router": settings.DATABASE_ROUTERS,
        "middleware": "gcm_tracker.db_router.ReplicaMiddleware" in settings.MIDDLEWARE,
        "mirror": settings.DATABASES["replica"]["TEST"],
        "anonymous": codes(anonymous),
        "editor": codes(editor),
        "after_a_write": codes(writer),
    }))
    """
)


def test_with_a_replica_url_public_reads_come_from_the_replica(tmp_path):
    """Two real databases: a public read sees the replica's rows, an editor the primary's."""
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{primary}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    # A replica is a copy of the primary.
    shutil.copy(primary, replica)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env={**env, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert seen["router"] == ["gcm_tracker.db_router.PrimaryReplicaRouter"]
    assert seen["middleware"] is True
    assert seen["mirror"]["MIRROR"] == "default"
    assert seen["anonymous"] == ["ONREPLICA"]
    assert seen["editor"] == ["ONPRIMARY"]
    assert seen["after_a_write"] == ["ONPRIMARY"]
