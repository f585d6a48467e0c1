from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gcm_tracker.api.links import public_url
from objectives.translation import LANGUAGE_CODES


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "nullable": True,
        "description": "Canonical address of the item's public page (null until the site has one).",
        "example": "https://tracker.example.org/recommendations/OAS2017-P2-03/",
    }
)
class PublicUrlField(serializers.Field):
    """The public page of the item, or of the related item named by `of`."""

    def __init__(self, of: str | None = None, **kwargs):
        self.of = of
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        target = getattr(obj, self.of) if self.of else obj
        return public_url(self.context.get("request"), target)


class ChangedAtField(serializers.DateTimeField):
    """updated_at as the API means it: the latest change to the item or to what it embeds."""

    def __init__(self, **kwargs):
        super().__init__(
            source="api_version",
            read_only=True,
            help_text="When the item, or anything it embeds (event, session, speaker, "
            "organization, links), last changed (UTC); what updated_after compares.",
            **kwargs,
        )


@extend_schema_field(
    {
        "type": "object",
        "properties": {code: {"type": "string"} for code in LANGUAGE_CODES},
        "required": LANGUAGE_CODES,
        "description": "The text in each interface language; empty where not yet translated.",
        "example": {"en": "Minimize adverse drivers", "es": "", "pt": "", "fr": ""},
    }
)
class TranslatedField(serializers.Field):
    """The `<base>_en`, `<base>_es`… columns of a TranslatedModel as one object."""

    def __init__(self, base: str, **kwargs):
        self.base = base
        self.subkeys = LANGUAGE_CODES
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return {code: getattr(obj, f"{self.base}_{code}") for code in LANGUAGE_CODES}
