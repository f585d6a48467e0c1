"""Loads an archive written by `backup` into an empty, migrated database: all of it or nothing."""

import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction

from recommendations.management.commands.backup import (
    BY_NATURAL_KEY,
    FORMAT,
    VERSION,
    applied_migrations,
    entry_name,
)


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """The archive's manifest, checked for its format, version and shape."""
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise CommandError("This is not a tracker backup: it has no manifest.json.") from None
    except (ValueError, zipfile.BadZipFile):
        raise CommandError("The archive's manifest.json cannot be read.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CommandError(f"This is not a tracker backup: its manifest names no {FORMAT!r}.")
    version = manifest.get("version")
    if type(version) is not int or version < 1:
        raise CommandError("The archive's manifest has no valid format version.")
    if version > VERSION:
        raise CommandError(
            f"The archive is in backup format {version}, newer than this tracker reads "
            f"({VERSION}): restore it with the tracker version that wrote it."
        )
    order, counts = manifest.get("order"), manifest.get("counts")
    migrations = manifest.get("migrations")
    shapes = (
        isinstance(order, list)
        and isinstance(counts, dict)
        and isinstance(migrations, dict)
        and set(order) == set(counts)
        and all(type(count) is int and count >= 0 for count in counts.values())
        and all(isinstance(names, list) for names in migrations.values())
    )
    if not shapes:
        raise CommandError("The archive's manifest is damaged: its order, counts or migrations.")
    return manifest


def manifest_models(manifest: dict, archive: zipfile.ZipFile) -> list[type[models.Model]]:
    """The models the manifest lists, in load order; each must exist here and in the archive."""
    present = set(archive.namelist())
    found = []
    for label in manifest["order"]:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise CommandError(
                f"The archive holds {label!r}, which this tracker does not have."
            ) from None
        if entry_name(label) not in present:
            raise CommandError(f"The archive lists {label} but has no {entry_name(label)}.")
        found.append(model)
    return found


def check_migrations(manifest: dict):
    """Refuse a database whose migrations differ from those the archive was written at."""
    here, there = applied_migrations(), manifest["migrations"]
    differing = sorted(
        app
        for app in set(here) | set(there)
        if sorted(here.get(app, [])) != sorted(there.get(app, []))
    )
    if differing:
        details = "; ".join(
            f"{app}: archive at {(sorted(there.get(app, [])) or ['none'])[-1]}, "
            f"database at {(sorted(here.get(app, [])) or ['none'])[-1]}"
            for app in differing
        )
        raise CommandError(
            f"The database is not at the migrations the archive was written at ({details}). "
            "Migrate an empty database to the archive's state with the tracker version that "
            "wrote it, restore, then migrate forward."
        )


def check_empty(found: list[type[models.Model]]):
    """Refuse a database that holds any row the archive would bring."""
    # migrate itself makes the editorial groups; the archive's groups are matched by name.
    held = [
        f"{count} {model._meta.label_lower}"
        for model in found
        if model not in BY_NATURAL_KEY and (count := model._base_manager.count())
    ]
    if held:
        raise CommandError(
            f"The database is not empty (it holds {', '.join(held)}). Restore only into a new "
            "database that migrate has just set up."
        )


def check_lines(archive: zipfile.ZipFile, manifest: dict):
    """Refuse an archive whose files do not hold the rows its manifest counts."""
    for label in manifest["order"]:
        with archive.open(entry_name(label)) as entry:
            lines = sum(1 for line in entry if line.strip())
        if lines != manifest["counts"][label]:
            raise CommandError(
                f"The archive is damaged: {entry_name(label)} holds {lines} rows, its manifest "
                f"says {manifest['counts'][label]}."
            )


def _load(archive: zipfile.ZipFile, model: type[models.Model]) -> None:
    label = model._meta.label_lower
    with io.TextIOWrapper(archive.open(entry_name(label)), encoding="utf-8") as stream:
        for number, item in enumerate(serializers.deserialize("jsonl", stream), start=1):
            if type(item.object) is not model:
                raise CommandError(
                    f"Nothing was restored: row {number} of {entry_name(label)} is not a {label}."
                )
            item.save()


@transaction.atomic
def load_archive(archive: zipfile.ZipFile, manifest: dict, found: list[type[models.Model]]):
    """Load every model's rows, check references and counts, and reset id sequences."""
    for model in found:
        label = model._meta.label_lower
        try:
            _load(archive, model)
        except (DeserializationError, DatabaseError, ValueError, zipfile.BadZipFile) as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise CommandError(
                f"Nothing was restored: {label} could not be loaded ({reason})."
            ) from exc
    try:
        connection.check_constraints()
    except DatabaseError as exc:
        raise CommandError(
            f"Nothing was restored: the archive's references do not hold ({exc})."
        ) from exc
    for model in found:
        label = model._meta.label_lower
        if (count := model._base_manager.count()) != manifest["counts"][label]:
            raise CommandError(
                f"Nothing was restored: {label} has {count} rows after loading, the archive "
                f"{manifest['counts'][label]}."
            )
    # Rows came with their ids: the next new row must get an id after them (PostgreSQL).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), found):
            cursor.execute(statement)


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup` into an empty database that migrate has just set "
        "up, at the same migrations; all of it or, on any problem, nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            archive = zipfile.ZipFile(file)
        except (OSError, zipfile.BadZipFile) as exc:
            raise CommandError(f"Cannot read {file} as a backup archive: {exc}") from None
        with archive:
            manifest = read_manifest(archive)
            found = manifest_models(manifest, archive)
            check_migrations(manifest)
            check_empty(found)
            try:
                check_lines(archive, manifest)
            except (zipfile.BadZipFile, OSError) as exc:
                raise CommandError(f"The archive is damaged: {exc}") from None
            load_archive(archive, manifest, found)
        total = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {total} rows of {len(found)} models from the backup of "
                f"{manifest.get('created_at', 'an unknown date')}."
            )
        )
