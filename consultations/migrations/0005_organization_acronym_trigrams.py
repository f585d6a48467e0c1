# Organizations' acronyms are matched by trigram word similarity like their names
# (gcm_tracker/search.py): indexed, so a search looks them up instead of reading every
# organization. PostgreSQL only, as the other trigram indexes.
from django.db import migrations


def run(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_indexes_for_public_speakers"),
    ]

    operations = [
        migrations.RunPython(
            run(
                "CREATE INDEX IF NOT EXISTS consultations_organization_acronym_trgm "
                "ON consultations_organization USING gin (acronym gin_trgm_ops)"
            ),
            run("DROP INDEX IF EXISTS consultations_organization_acronym_trgm"),
        ),
    ]
