from rest_framework import serializers

from gcm_tracker.api.fields import ChangedAtField, PublicUrlField, TranslatedField
from objectives.models import GuidingPrinciple, Objective


class ObjectiveSerializer(serializers.ModelSerializer):
    updated_at = ChangedAtField()
    short_title = TranslatedField("short_title", help_text="Short title, by language.")
    title = TranslatedField("title", help_text="Official title (A/RES/73/195), by language.")
    summary = TranslatedField("summary", help_text="What states committed to, by language.")
    url = PublicUrlField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "number",
            "paragraph",
            "short_title",
            "title",
            "summary",
            "url",
            "created_at",
            "updated_at",
        ]


class PrincipleSerializer(serializers.ModelSerializer):
    updated_at = ChangedAtField()
    name = TranslatedField("name", help_text="Name, by language.")
    description = TranslatedField("description", help_text="Description, by language.")
    url = PublicUrlField()

    class Meta:
        model = GuidingPrinciple
        fields = ["id", "number", "slug", "name", "description", "url", "created_at", "updated_at"]
