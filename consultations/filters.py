import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultations.models import Event, Organization, Participation, Person, Session
from gcm_tracker.api.filters import (
    CodeField,
    CountryField,
    StableOrderingFilter,
    TrackerFilterSet,
    ValueListFilter,
)
from objectives.models import OBJECTIVE_COUNT
from recommendations.models import Language


def _list_filter(item_field, help_text, default_help, **kwargs):
    return ValueListFilter(item_field=item_field, help_text=help_text or default_help, **kwargs)


def event_filter(help_text=None, **kwargs):
    return _list_filter(
        CodeField(Event.objects.all(), "code", "event"),
        help_text,
        _("One or several event codes, e.g. OAS2017."),
        example=["OAS2017"],
        **kwargs,
    )


def organization_filter(help_text=None, **kwargs):
    return _list_filter(
        CodeField(Organization.objects.all(), "slug", "organization"),
        help_text,
        _("One or several organization slugs."),
        **kwargs,
    )


def objective_filter(help_text=None, **kwargs):
    return _list_filter(
        forms.IntegerField(min_value=1, max_value=OBJECTIVE_COUNT),
        help_text,
        _("One or several objective numbers (1–23): ?objective=9,10 or ?objective=9&objective=10."),
        example=[9, 10],
        **kwargs,
    )


def year_filter(help_text=None, **kwargs):
    return _list_filter(
        forms.IntegerField(min_value=1900, max_value=2100),
        help_text,
        _("One or several years in which the event started."),
        example=[2021],
        **kwargs,
    )


def country_filter(help_text=None, **kwargs):
    return _list_filter(
        CountryField(),
        help_text,
        _("One or several ISO 3166-1 alpha-2 country codes, e.g. MX."),
        example=["MX"],
        **kwargs,
    )


def choice_filter(choices, help_text, **kwargs):
    return ValueListFilter(
        item_field=forms.ChoiceField(choices=choices), help_text=help_text, **kwargs
    )


def search_filter(help_text, fields: list[str]):
    return django_filters.CharFilter(
        method=lambda queryset, name, value: _every_word(queryset, value, fields),
        max_length=200,
        help_text=help_text,
    )


def _every_word(queryset, text: str, fields: list[str]):
    for word in text.split()[:12]:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


def _public_participations():
    return Participation.objects.filter(role__in=Participation.PUBLIC_ROLES)


class OrganizationFilter(TrackerFilterSet):
    kind = choice_filter(Organization.Kind.choices, _("One or several kinds of organization."))
    country = country_filter(field_name="country")
    event = event_filter(
        method="filter_event", help_text=_("Organized, or spoke for someone at, these events.")
    )
    q = search_filter(_("Every word in the name or acronym."), ["name", "acronym"])
    ordering = StableOrderingFilter(fields=("name", "slug", "updated_at"))

    class Meta:
        model = Organization
        fields = []

    def filter_event(self, queryset, name, events):
        spoke = _public_participations().filter(session__event__in=events)
        return queryset.filter(
            Q(
                pk__in=Event.organizers.through.objects.filter(event__in=events).values(
                    "organization_id"
                )
            )
            | Q(pk__in=spoke.values("organization_id"))
        )


class PersonFilter(TrackerFilterSet):
    organization = organization_filter(field_name="organization")
    event = event_filter(method="filter_event", help_text=_("Spoke publicly at these events."))
    session = ValueListFilter(
        item_field=CodeField(Session.objects.all(), "id", "session"),
        method="filter_session",
        help_text=_("Spoke publicly in these sessions (session ids)."),
    )
    q = search_filter(_("Every word in the name or public affiliation."), ["name", "affiliation"])
    ordering = StableOrderingFilter(fields=("name", "slug", "updated_at"))

    class Meta:
        model = Person
        fields = []

    def filter_event(self, queryset, name, events):
        spoke = _public_participations().filter(session__event__in=events)
        return queryset.filter(pk__in=spoke.values("person_id"))

    def filter_session(self, queryset, name, sessions):
        spoke = _public_participations().filter(session__in=sessions)
        return queryset.filter(pk__in=spoke.values("person_id"))


class EventFilter(TrackerFilterSet):
    year = year_filter(field_name="start_date__year")
    country = country_filter(field_name="country")
    kind = choice_filter(Event.Kind.choices, _("One or several kinds of event."))
    language = choice_filter(Language.choices, _("Language of the source document."))
    organization = organization_filter(
        method="filter_organization", help_text=_("Organized by these organizations (slugs).")
    )
    objective = objective_filter(method="filter_objective")
    q = search_filter(
        _("Every word in the title, city or description."), ["title", "city", "description"]
    )
    ordering = StableOrderingFilter(fields=("start_date", "code", "title", "updated_at"))

    class Meta:
        model = Event
        fields = []

    def filter_organization(self, queryset, name, organizations):
        organized = Event.organizers.through.objects.filter(organization__in=organizations)
        return queryset.filter(pk__in=organized.values("event_id"))

    def filter_objective(self, queryset, name, numbers):
        discussed = Session.objects.filter(objectives__number__in=numbers)
        return queryset.filter(pk__in=discussed.values("event_id"))


class SessionFilter(TrackerFilterSet):
    event = event_filter(field_name="event")
    year = year_filter(field_name="event__start_date__year")
    session_format = choice_filter(
        Session.Format.choices, _("One or several session formats."), field_name="format"
    )
    objective = objective_filter(
        method="filter_objective", help_text=_("Discussed one of these objectives (1–23).")
    )
    q = search_filter(
        _("Every word in the title, description or rapporteur's summary."),
        ["title", "description", "rapporteur_summary"],
    )
    ordering = StableOrderingFilter(fields=("starts_at", "code", "updated_at"))

    class Meta:
        model = Session
        fields = []

    def filter_objective(self, queryset, name, numbers):
        discussed = Session.objectives.through.objects.filter(objective__number__in=numbers)
        return queryset.filter(pk__in=discussed.values("session_id"))
