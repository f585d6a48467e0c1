"""The public filters over recommendations: what the query string may say, and exact counts.

Every list of recommendations on the site (an objective, an event, a person, search) reads the
same query-string parameters, so a filtered view can be shared and bookmarked.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consultations.models import Organization, Session
from objectives.models import OBJECTIVE_COUNT, Objective
from recommendations import aggregates
from recommendations.models import Language, Status


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class FacetChoices:
    """One filter as the page shows it: its field and its values with exact counts."""

    field: forms.BoundField
    options: list[Option]
    selected: str
    remove_query: str

    @property
    def selected_label(self) -> str:
        return next((o.label for o in self.options if o.value == self.selected), self.selected)


def _rows(queryset: QuerySet, *fields: str) -> list[dict]:
    """Count rows with an empty first value dropped: nothing to filter on there."""
    return [row for row in queryset.count_by(*fields) if row[fields[0]] not in (None, "")]


def _choice_options(queryset: QuerySet, field: str, choices) -> list[Option]:
    counts = {row[field]: row["count"] for row in _rows(queryset, field)}
    return [Option(value, str(label), counts[value]) for value, label in choices if value in counts]


def _event_options(queryset: QuerySet) -> list[Option]:
    rows = _rows(queryset, "event__code", "event__title", "event__start_date")
    rows.sort(key=lambda row: (row["event__start_date"] is None, row["event__start_date"]))
    return [
        Option(
            row["event__code"],
            f"{row['event__title']} ({row['event__start_date'].year})"
            if row["event__start_date"]
            else row["event__title"],
            row["count"],
        )
        for row in rows
    ]


def _year_options(queryset: QuerySet) -> list[Option]:
    rows = _rows(queryset, "event__start_date__year")
    years = [(str(row["event__start_date__year"]), row["count"]) for row in rows]
    return [Option(year, year, count) for year, count in reversed(years)]


def _objective_options(queryset: QuerySet) -> list[Option]:
    rows = _rows(queryset, "objective_links__objective__number")
    titles = {o.number: str(o) for o in Objective.objects.all()}
    return [
        Option(
            str(row["objective_links__objective__number"]),
            titles.get(row["objective_links__objective__number"], ""),
            row["count"],
        )
        for row in rows
    ]


def _country_options(queryset: QuerySet) -> list[Option]:
    counts = queryset.country_counts()
    options = [Option(code, str(countries.name(code) or code), n) for code, n in counts.items()]
    return sorted(options, key=lambda option: option.label)


def _named_options(queryset: QuerySet, slug: str, name: str) -> list[Option]:
    rows = _rows(queryset, slug, name)
    return sorted(
        (Option(row[slug], row[name], row["count"]) for row in rows),
        key=lambda option: option.label.casefold(),
    )


@dataclass(frozen=True)
class Counts:
    """What a list counts: its recommendations, and each facet's values under the other filters."""

    total: int
    options: dict[str, list[Option]]


@dataclass(frozen=True)
class Facet:
    """A filter: how it narrows a queryset and how it counts its values."""

    name: str
    narrow: Callable[[QuerySet, object], QuerySet]
    options: Callable[[QuerySet], list[Option]]


FACETS = [
    Facet("objective", lambda qs, v: qs.for_objective(v), _objective_options),
    Facet("event", lambda qs, v: qs.for_event(v), _event_options),
    Facet("year", lambda qs, v: qs.in_year(v), _year_options),
    Facet(
        "format",
        lambda qs, v: qs.with_session_format(v),
        lambda qs: _choice_options(qs, "session__format", Session.Format.choices),
    ),
    Facet(
        "status",
        lambda qs, v: qs.with_status(v),
        lambda qs: _choice_options(qs, "current_status", Status.choices),
    ),
    Facet(
        "organization_kind",
        lambda qs, v: qs.by_organization_kind(v),
        lambda qs: _choice_options(qs, "organization__kind", Organization.Kind.choices),
    ),
    Facet("country", lambda qs, v: qs.concerning_country(v), _country_options),
    Facet(
        "addressee",
        lambda qs, v: qs.for_addressee(v),
        lambda qs: _named_options(qs, "addressees__slug", "addressees__name"),
    ),
    Facet(
        "speaker",
        lambda qs, v: qs.by_speaker(v),
        lambda qs: _named_options(qs.by_public_speakers(), "speaker__slug", "speaker__name"),
    ),
    Facet(
        "language",
        lambda qs, v: qs.in_language(v),
        lambda qs: _choice_options(qs, "language", Language.choices),
    ),
]

SORTS = {
    "reference": ("reference",),
    "newest": ("-event__start_date", "reference"),
    "oldest": ("event__start_date", "reference"),
    "updated": ("-status_date", "reference"),
}


class RecommendationFilterForm(forms.Form):
    """The filters of a public list. Invalid values are dropped and reported, never fatal."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200, strip=True)
    objective = forms.TypedChoiceField(
        label=_("Objective"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(n), str(n)) for n in range(1, OBJECTIVE_COUNT + 1)],
    )
    event = forms.SlugField(label=_("Event"), required=False, max_length=30)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    format = forms.ChoiceField(
        label=_("Session format"), required=False, choices=Session.Format.choices
    )
    status = forms.ChoiceField(label=_("Follow-up status"), required=False, choices=Status.choices)
    organization_kind = forms.ChoiceField(
        label=_("Kind of organization"), required=False, choices=Organization.Kind.choices
    )
    country = forms.ChoiceField(label=_("Country concerned"), required=False, choices=[])
    addressee = forms.SlugField(label=_("Addressed to"), required=False, max_length=120)
    speaker = forms.SlugField(label=_("Speaker"), required=False, max_length=120)
    language = forms.ChoiceField(
        label=_("Original language"), required=False, choices=Language.choices
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Best match")),
            ("reference", _("Reference")),
            ("newest", _("Newest event first")),
            ("oldest", _("Oldest event first")),
            ("status", _("Follow-up status")),
            ("updated", _("Latest follow-up first")),
        ],
    )

    def __init__(self, data=None, *, fixed: tuple[str, ...] = (), **kwargs):
        """`fixed` names the facets the page itself sets (an event page fixes the event)."""
        if not isinstance(data, QueryDict):
            data = QueryDict(urlencode(data or {}, doseq=True))
        super().__init__(data, **kwargs)
        self.fields["country"].choices = list(countries)
        for name in fixed:
            self.fields.pop(name, None)
        self.facets = [facet for facet in FACETS if facet.name in self.fields]
        self.full_clean()

    def _value(self, name: str):
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    @property
    def text(self) -> str:
        return self._value("q") or ""

    @property
    def chosen_sort(self) -> str:
        chosen = self._value("sort")
        if chosen == "relevance" and not self.text:
            chosen = None
        return chosen or ("relevance" if self.text else "reference")

    @property
    def in_force(self) -> int:
        """How many filters (words included) narrow the list."""
        names = ["q", *(facet.name for facet in self.facets)]
        return sum(self._value(name) is not None for name in names)

    def session_filters(self) -> dict:
        """The filters that also apply to sessions and their notes, for search."""
        return {
            "event": self._value("event"),
            "year": self._value("year"),
            "session_format": self._value("format"),
        }

    def ignored(self) -> list[tuple[str, str]]:
        """(label, reason) for each query-string value that was not understood."""
        return [
            (str(self.fields[name].label), " ".join(str(message) for message in messages))
            for name, messages in self.errors.items()
            if name in self.fields
        ]

    def narrow(self, queryset: QuerySet, *, leave_out: str = "") -> QuerySet:
        """`queryset` with every valid filter applied, except the facet named `leave_out`."""
        for facet in self.facets:
            value = self._value(facet.name)
            if value is not None and facet.name != leave_out:
                queryset = facet.narrow(queryset, value)
        if self.text:
            queryset = queryset.search(self.text)
        return queryset

    def results(self, queryset: QuerySet) -> QuerySet:
        """The filtered recommendations in the chosen order."""
        narrowed = self.narrow(queryset)
        if self.chosen_sort == "relevance":
            return narrowed.order_by("-rank", "reference")
        if self.chosen_sort == "status":
            return narrowed.in_status_order()
        return narrowed.order_by(*SORTS[self.chosen_sort])

    def counts(self, queryset: QuerySet) -> Counts:
        """How many of `queryset` match the filters, and each facet's values counted with every
        other filter applied, so counts are exact.

        Counted once per change of the data for each list and state of its filters, and kept in
        the cache of aggregates (recommendations/aggregates.py) in the current language, since
        the values are shown with their labels: paging through a list, or coming back to it,
        counts nothing again.
        """

        def compute() -> Counts:
            return Counts(
                total=self.narrow(queryset).count(),
                options={
                    facet.name: facet.options(self.narrow(queryset, leave_out=facet.name))
                    for facet in self.facets
                },
            )

        try:
            scope = queryset.query.sql_with_params()
        except EmptyResultSet:
            return compute()
        state = [(name, self._value(name)) for name in ("q", *(f.name for f in self.facets))]
        digest = hashlib.sha256(repr((scope, state)).encode()).hexdigest()
        return aggregates.cached(f"list-counts:{get_language()}:{digest}", compute)

    def facet_choices(self, queryset: QuerySet, counts: Counts | None = None) -> list[FacetChoices]:
        """Each facet's values, counted with every other filter applied, so counts are exact."""
        counts = counts or self.counts(queryset)
        shown = []
        for facet in self.facets:
            options = list(counts.options[facet.name])
            selected = str(self._value(facet.name) or "")
            if selected and selected not in {o.value for o in options}:
                # Keep a chosen value that matches nothing, so it can be seen and removed.
                options.append(Option(selected, selected, 0))
            shown.append(
                FacetChoices(self[facet.name], options, selected, self.query_without(facet.name))
            )
        return shown

    def query_without(self, name: str) -> str:
        """The current query string less `name` (and the page, which would no longer fit)."""
        query = self.data.copy()
        for key in (name, "page", "download"):
            query.pop(key, None)
        return "?" + query.urlencode()


class FollowUpForm(forms.Form):
    """A curator's follow-up update, entered on the recommendation's own page."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    date = forms.DateField(
        label=_("Date of the situation described"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One web address per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    addressee = forms.ModelChoiceField(
        label=_("Addressee concerned"), queryset=None, required=False
    )
    corrects = forms.ModelChoiceField(
        label=_("Corrects an earlier update"),
        queryset=None,
        required=False,
        help_text=_("The earlier update stays in the history, marked as corrected."),
    )

    def __init__(self, *args, recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = recommendation.addressees.all()
        self.fields["corrects"].queryset = recommendation.follow_ups.all()

    def clean_evidence_links(self):
        links = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines()]
        links = [link for link in links if link]
        validate = forms.URLField(assume_scheme="https").clean
        return [validate(link) for link in links]
