"""The public pages of events, sessions, people and organizations."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from consultations.models import Event, Organization, Participation, Person, Session
from recommendations.views import RecommendationListView


def _public_participations():
    return Prefetch(
        "participations",
        queryset=Participation.objects.public().select_related("person", "organization"),
        to_attr="public_participations",
    )


def event_index(request):
    events = Event.objects.with_published_count().prefetch_related("organizers")
    return render(request, "consultations/event_index.html", {"events": events})


class EventDetailView(RecommendationListView):
    template_name = "consultations/event.html"
    fixed_facets = ("event", "year")

    def get_object(self):
        events = Event.objects.prefetch_related(
            "organizers",
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related("objectives", _public_participations()),
            ),
        )
        return get_object_or_404(events, code=self.kwargs["code"])

    def get_recommendations(self):
        return super().get_recommendations().for_event(self.object.code)

    def get_filename(self):
        return f"{self.object.code}-recommendations"


class SessionDetailView(RecommendationListView):
    template_name = "consultations/session.html"
    fixed_facets = ("event", "year", "format")

    def get_object(self):
        sessions = Session.objects.select_related("event").prefetch_related(
            "objectives", "guiding_questions", _public_participations()
        )
        return get_object_or_404(
            sessions, event__code=self.kwargs["code"], code=self.kwargs["session"]
        )

    def get_recommendations(self):
        return super().get_recommendations().for_session(self.object)

    def get_filename(self):
        return f"{self.object.event.code}-{self.object.code}-recommendations"


class PersonDetailView(RecommendationListView):
    template_name = "consultations/person.html"
    fixed_facets = ("speaker",)

    def get_object(self):
        # Somebody who only commented in a chat has no public page at all.
        people = Person.objects.public().select_related("organization")
        return get_object_or_404(people, slug=self.kwargs["slug"])

    def get_recommendations(self):
        return super().get_recommendations().by_speaker(self.object.slug)

    def get_filename(self):
        return f"{self.object.slug}-recommendations"

    def get_context_data(self, **kwargs):
        participations = (
            self.object.participations.public()
            .for_display()
            .order_by("-session__event__start_date", "session__order")
        )
        return super().get_context_data(participations=participations, **kwargs)


class OrganizationDetailView(RecommendationListView):
    template_name = "consultations/organization.html"
    fixed_facets = ("organization_kind",)

    def get_object(self):
        return get_object_or_404(Organization, slug=self.kwargs["slug"])

    def get_recommendations(self):
        return super().get_recommendations().by_organization(self.object.slug)

    def get_filename(self):
        return f"{self.object.slug}-recommendations"

    def get_context_data(self, **kwargs):
        organization = self.object
        participations = (
            Participation.objects.public()
            .filter(organization=organization)
            .for_display()
            .order_by("-session__event__start_date", "session__order")
        )
        return super().get_context_data(
            people=Person.objects.public().filter(organization=organization),
            organized_events=organization.organized_events.all(),
            participations=participations,
            **kwargs,
        )
