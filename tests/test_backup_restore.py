"""A backup holds every row of every model; restore rebuilds them exactly in an empty database."""

import datetime
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from objectives.models import Objective
from recommendations.management.commands.backup import BY_NATURAL_KEY, LEFT_OUT
from recommendations.models import (
    FollowUp,
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
    RecommendationTranslation,
    Status,
)
from recommendations.roles import CURATOR
from recommendations.seed import load_seed
from recommendations.services import record_follow_up
from tests.factories.consultations import PersonFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _value(field, obj):
    value = getattr(obj, field.attname)
    if field.is_relation and field.related_model in BY_NATURAL_KEY and value is not None:
        # Ids that migrate assigns differ between databases; names do not.
        return field.related_model._base_manager.get(pk=value).natural_key()
    return field.value_from_object(obj) if not field.is_relation else value


def database_contents() -> dict[str, list]:
    """Every row of every model a backup holds, M2M tables included, comparable across databases."""
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in LEFT_OUT:
            continue
        # Groups are matched by name and M2M rows are made afresh: their own ids carry nothing.
        keep_id = model not in BY_NATURAL_KEY and not model._meta.auto_created
        fields = [f for f in model._meta.concrete_fields if keep_id or not f.primary_key]
        rows = [
            tuple((field.attname, _value(field, obj)) for field in fields)
            for obj in model._base_manager.all()
        ]
        contents[model._meta.label_lower] = sorted(rows, key=repr)
    return contents


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def _empty_database():
    """Like a database migrate has just set up: content types, permissions and roles only."""
    call_command("flush", interactive=False, verbosity=0)


def _rewrite(source, target, *, manifest=None, entries=None):
    """A copy of the archive with the manifest edited by `manifest` and some files replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "manifest.json" and manifest:
                edited = json.loads(data)
                manifest(edited)
                data = json.dumps(edited).encode()
            new.writestr(name, (entries or {}).get(name, data))
    return target


@pytest.fixture
def dressed_corpus(django_user_model):
    """The seed corpus with what curators add later: users, follow-ups, links, translations."""
    load_seed()
    curator = django_user_model.objects.create_user(
        username="carla", password="a-long-test-password", email="carla@example.org"
    )
    curator.groups.add(Group.objects.get(name=CURATOR))
    curator.user_permissions.add(Permission.objects.get(codename="view_exportjob"))
    first, second, third = Recommendation.objects.order_by("reference")[:3]
    update = record_follow_up(
        recommendation=first,
        status=Status.IN_PROGRESS,
        date=datetime.date(2023, 5, 2),
        note="A bill was tabled.",
        evidence_links=["https://example.org/bill"],
        recorded_by=curator,
    )
    record_follow_up(
        recommendation=first,
        status=Status.NOT_STARTED,
        date=datetime.date(2023, 5, 2),
        note="The bill was withdrawn the same day.",
        recorded_by=curator,
        corrects=update,
    )
    RecommendationLink.objects.create(
        from_recommendation=second, to_recommendation=first, kind="repeats", created_by=curator
    )
    RecommendationTranslation.objects.create(
        recommendation=second, language="es", short_title="Título", text="Texto en español."
    )
    # A user who tagged something and left: history rows still point at their old id.
    leaver = django_user_model.objects.create_user(username="leaver")
    tagged = set(third.objective_links.values_list("objective__number", flat=True))
    untagged = Objective.objects.exclude(number__in=tagged).first()
    RecommendationObjective.objects.create(
        recommendation=third, objective=untagged, is_primary=False, tagged_by=leaver
    )
    leaver.delete()
    LogEntry.objects.create(
        user=curator,
        content_type=ContentType.objects.get_for_model(Recommendation),
        object_id=str(first.pk),
        object_repr=str(first),
        action_flag=ADDITION,
    )
    return curator


def test_restore_rebuilds_every_row_and_link_of_the_backed_up_database(tmp_path, dressed_corpus):
    before = database_contents()
    archive = tmp_path / "tracker.zip"
    _run("backup", str(archive))
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    assert manifest["counts"]["recommendations.recommendation"] == 195
    assert manifest["counts"]["recommendations.historicalrecommendation"] > 195

    _empty_database()
    assert not Recommendation.objects.exists()
    _run("restore", str(archive))

    after = database_contents()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    for label in before:
        assert after[label] == before[label], label


def test_a_restored_database_takes_new_rows_after_the_restored_ones(small_archive):
    _run("restore", str(small_archive))
    restored = Recommendation.objects.get()
    highest = FollowUp.objects.order_by("-pk").first().pk
    update = record_follow_up(
        recommendation=restored, status=Status.IMPLEMENTED, date=datetime.date(2024, 1, 9)
    )
    assert update.pk > highest
    assert RecommendationFactory().pk > restored.pk


def test_backup_prints_counts_and_never_a_secret(tmp_path, django_user_model):
    user = django_user_model.objects.create_user(
        username="carla", password="a-long-test-password", email="carla@example.org"
    )
    PersonFactory(email="private-contact@example.org", phone="+507 555 0101")
    output = _run("backup", str(tmp_path / "tracker.zip"))
    assert "consultations.person: 1" in output
    for secret in (user.password, "private-contact@example.org", "+507 555 0101", "carla@"):
        assert secret not in output


@pytest.fixture
def small_archive(tmp_path):
    recommendation = RecommendationFactory(published=True)
    record_follow_up(
        recommendation=recommendation, status=Status.IN_PROGRESS, date=datetime.date(2023, 5, 2)
    )
    archive = tmp_path / "small.zip"
    _run("backup", str(archive))
    _empty_database()
    return archive


def _restore_refused(archive) -> str:
    with pytest.raises(CommandError) as refused:
        _run("restore", str(archive))
    assert not Recommendation.objects.exists()
    assert not RecommendationObjective.objects.exists()
    return str(refused.value)


def test_restore_refuses_a_database_that_is_not_empty(small_archive):
    RecommendationFactory()
    with pytest.raises(CommandError, match="The database is not empty"):
        _run("restore", str(small_archive))
    assert Recommendation.objects.count() == 1


def test_restore_refuses_an_archive_in_a_newer_format(small_archive, tmp_path):
    newer = _rewrite(small_archive, tmp_path / "newer.zip", manifest=lambda m: m.update(version=2))
    assert "newer than this tracker reads" in _restore_refused(newer)


def test_restore_refuses_a_database_at_other_migrations(small_archive, tmp_path):
    def older(manifest):
        manifest["migrations"]["recommendations"] = manifest["migrations"]["recommendations"][:2]

    message = _restore_refused(_rewrite(small_archive, tmp_path / "older.zip", manifest=older))
    assert "not at the migrations the archive was written at" in message
    assert "recommendations: archive at 0002_review_schedule" in message


def test_restore_refuses_an_archive_whose_files_do_not_hold_the_counted_rows(
    small_archive, tmp_path
):
    def more(manifest):
        manifest["counts"]["recommendations.recommendation"] += 1

    message = _restore_refused(_rewrite(small_archive, tmp_path / "short.zip", manifest=more))
    assert "recommendations.recommendation.jsonl holds 1 rows, its manifest says 2" in message


def test_restore_writes_nothing_when_a_late_row_cannot_be_loaded(small_archive, tmp_path):
    with zipfile.ZipFile(small_archive) as opened:
        order = json.loads(opened.read("manifest.json"))["order"]
    last = order[-1]
    assert order.index("recommendations.recommendation") < len(order) - 1

    def one_row(manifest):
        manifest["counts"][last] = 1

    broken = json.dumps({"model": last, "pk": 1, "fields": {"no_such_field": 1}})
    damaged = _rewrite(
        small_archive, tmp_path / "bad.zip", manifest=one_row, entries={f"{last}.jsonl": broken}
    )
    assert f"Nothing was restored: {last} could not be loaded" in _restore_refused(damaged)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_bytes(b"recommendations, not a zip")
    with pytest.raises(CommandError, match="Cannot read"):
        _run("restore", str(not_zip))
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(CommandError, match="no manifest.json"):
        _run("restore", str(other_zip))
