"""Writes the whole database to one versioned archive that `restore` loads into an empty one.

The archive is a zip: manifest.json (format, version, creation time, the migrations applied per
app, the rows per model and the order to load them in) and one JSON-lines file per model, written
row by row so memory stays flat. docs/backup.md describes it.
"""

import io
import json
import os
import tempfile
import zipfile
from collections import defaultdict
from datetime import datetime, time
from pathlib import Path

import django
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "gcm-tracker-backup"
VERSION = 1
# migrate makes content types and permissions itself; logins in progress are not worth keeping.
LEFT_OUT = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Rows of these are found by name in the database being restored, since migrate makes them too.
BY_NATURAL_KEY = {ContentType, Permission, Group}
CHUNK_SIZE = 2000


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds, which it cuts to milliseconds."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows the archive holds, in an order they can be loaded in."""
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    return [
        model
        for model in ordered
        if model._meta.label_lower not in LEFT_OUT and model._meta.managed and not model._meta.proxy
    ]


def entry_name(label: str) -> str:
    return f"{label}.jsonl"


def applied_migrations() -> dict[str, list[str]]:
    """The migrations applied to this database, per app."""
    applied = defaultdict(list)
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied[app].append(name)
    return dict(applied)


def refers_by_natural_key(model: type[models.Model]) -> bool:
    """Whether `model` points at content types, permissions or groups, whose ids differ between
    databases. Other references keep their ids: history rows may point at users long deleted."""
    return any(
        field.related_model in BY_NATURAL_KEY
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation
    )


def _rows(model: type[models.Model], counter: list[int]):
    queryset = model._base_manager.order_by("pk")
    many = [
        field.name
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    if many:
        queryset = queryset.prefetch_related(*many)
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        counter[0] += 1
        yield obj


def write_archive(target: Path) -> dict:
    """Write every backed-up model to a zip at `target`; returns the manifest."""
    order, counts = [], {}
    # Written beside the target and renamed at the end, so a failed backup leaves no half file.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    outermost = not connection.in_atomic_block
    try:
        with (
            transaction.atomic(),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            if connection.vendor == "postgresql" and outermost:
                # One snapshot for every table, however long the backup takes.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for model in backed_up_models():
                label = model._meta.label_lower
                counter = [0]
                with io.TextIOWrapper(
                    archive.open(entry_name(label), "w", force_zip64=True),
                    encoding="utf-8",
                    newline="\n",
                ) as stream:
                    serializers.serialize(
                        "jsonl",
                        _rows(model, counter),
                        stream=stream,
                        use_natural_foreign_keys=refers_by_natural_key(model),
                        use_natural_primary_keys=model in BY_NATURAL_KEY,
                        cls=ExactJSONEncoder,
                    )
                order.append(label)
                counts[label] = counter[0]
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "django": django.get_version(),
                "database": connection.vendor,
                "migrations": applied_migrations(),
                "order": order,
                "counts": counts,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return manifest


class Command(BaseCommand):
    help = (
        "Write the whole database (every model, history, users and groups) to one zip archive "
        "that `restore` loads into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if file.is_dir() or not file.parent.is_dir():
            raise CommandError(f"Cannot write {file}: give a file in an existing folder.")
        try:
            manifest = write_archive(file)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror or exc}") from None
        # Only labels and counts: the archive holds password hashes and private contact details.
        for label in manifest["order"]:
            if manifest["counts"][label]:
                self.stdout.write(f"  {label}: {manifest['counts'][label]}")
        total = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {total} rows of {len(manifest['order'])} models.")
        )
