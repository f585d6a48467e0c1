from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from consultations.filters import EventFilter, OrganizationFilter, PersonFilter, SessionFilter
from consultations.models import Event, Organization, Participation, Person, Session
from consultations.serializers import (
    EventSerializer,
    OrganizationSerializer,
    PersonSerializer,
    SessionSerializer,
)
from gcm_tracker.api.views import TrackerReadOnlyViewSet


@extend_schema_view(
    list=extend_schema(summary="Consultation events"),
    retrieve=extend_schema(summary="One event, by code"),
)
class EventViewSet(TrackerReadOnlyViewSet):
    queryset = Event.objects.prefetch_related("organizers")
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    csv_filename = "events"


@extend_schema_view(
    list=extend_schema(summary="Sessions of the events"),
    retrieve=extend_schema(summary="One session, by id"),
)
class SessionViewSet(TrackerReadOnlyViewSet):
    queryset = Session.objects.select_related("event").prefetch_related(
        "objectives",
        "guiding_questions",
        Prefetch(
            "participations",
            queryset=Participation.objects.filter(
                role__in=Participation.PUBLIC_ROLES
            ).select_related("person", "organization"),
            to_attr="public_participations",
        ),
    )
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_value_regex = r"[0-9]+"
    version_fields = ("event__updated_at",)
    csv_filename = "sessions"


@extend_schema_view(
    list=extend_schema(
        summary="People who spoke in public",
        description="Only people with a public part in a session; chat commenters are never "
        "listed, and contact details are never shown.",
    ),
    retrieve=extend_schema(summary="One person, by slug"),
)
class PersonViewSet(TrackerReadOnlyViewSet):
    queryset = Person.objects.public().select_related("organization")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    version_fields = ("organization__updated_at",)
    csv_filename = "people"


@extend_schema_view(
    list=extend_schema(summary="Organizations"),
    retrieve=extend_schema(summary="One organization, by slug"),
)
class OrganizationViewSet(TrackerReadOnlyViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    csv_filename = "organizations"
