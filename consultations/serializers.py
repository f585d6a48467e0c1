from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from consultations.models import Event, Organization, Participation, Person, Session
from gcm_tracker.api.fields import ChangedAtField, PublicUrlField


class OrganizationSummarySerializer(CountryFieldMixin, serializers.ModelSerializer):
    url = PublicUrlField()

    class Meta:
        model = Organization
        fields = ["slug", "name", "acronym", "kind", "country", "url"]


class OrganizationSerializer(CountryFieldMixin, serializers.ModelSerializer):
    updated_at = ChangedAtField()
    url = PublicUrlField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "url",
            "created_at",
            "updated_at",
        ]


class PersonSummarySerializer(serializers.ModelSerializer):
    url = PublicUrlField()

    class Meta:
        model = Person
        fields = ["slug", "name", "url"]


class PersonSerializer(serializers.ModelSerializer):
    """Public fields only: contact details and private notes never leave the admin."""

    updated_at = ChangedAtField()

    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    url = PublicUrlField()

    class Meta:
        model = Person
        fields = [
            "id",
            "slug",
            "name",
            "affiliation",
            "organization",
            "url",
            "created_at",
            "updated_at",
        ]


class EventSummarySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(read_only=True, allow_null=True)
    url = PublicUrlField()

    class Meta:
        model = Event
        fields = ["code", "title", "year", "url"]


class EventSerializer(CountryFieldMixin, serializers.ModelSerializer):
    updated_at = ChangedAtField()
    year = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The year the event started."
    )
    organizers = OrganizationSummarySerializer(many=True, read_only=True)
    url = PublicUrlField()

    class Meta:
        model = Event
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "start_date",
            "end_date",
            "year",
            "city",
            "country",
            "organizers",
            "description",
            "language",
            "source_url",
            "url",
            "created_at",
            "updated_at",
        ]


class SessionSummarySerializer(serializers.ModelSerializer):
    url = PublicUrlField()

    class Meta:
        model = Session
        fields = ["id", "code", "title", "format", "url"]


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participation
        fields = ["person", "role", "organization"]


class SessionSerializer(serializers.ModelSerializer):
    updated_at = ChangedAtField()
    event = EventSummarySerializer(read_only=True)
    objectives = serializers.SlugRelatedField(
        slug_field="number",
        many=True,
        read_only=True,
        help_text="Numbers of the objectives the session discussed.",
    )
    guiding_questions = serializers.SlugRelatedField(
        slug_field="text", many=True, read_only=True, help_text="The questions, in order."
    )
    participants = ParticipantSerializer(
        source="public_participations",
        many=True,
        read_only=True,
        help_text="Who spoke in a public role (chat comments are never listed).",
    )
    url = PublicUrlField()

    class Meta:
        model = Session
        fields = [
            "id",
            "event",
            "code",
            "order",
            "title",
            "format",
            "starts_at",
            "ends_at",
            "time_zone",
            "objectives",
            "description",
            "rapporteur_summary",
            "guiding_questions",
            "participants",
            "url",
            "created_at",
            "updated_at",
        ]
