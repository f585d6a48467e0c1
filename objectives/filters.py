import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gcm_tracker.api.filters import StableOrderingFilter, TrackerFilterSet, ValueListFilter
from objectives.models import OBJECTIVE_COUNT, PRINCIPLE_COUNT, GuidingPrinciple, Objective
from objectives.translation import LANGUAGE_CODES


class ObjectiveFilter(TrackerFilterSet):
    number = ValueListFilter(
        item_field=forms.IntegerField(min_value=1, max_value=OBJECTIVE_COUNT),
        help_text=_("One or several objective numbers: ?number=9,10 or ?number=9&number=10."),
        example=[9, 10],
    )
    q = django_filters.CharFilter(
        method="search", help_text=_("Words in the title or summary, in any language.")
    )
    ordering = StableOrderingFilter(fields=("number", "updated_at"))

    class Meta:
        model = Objective
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(_any_language(value, "short_title", "title", "summary"))


class PrincipleFilter(TrackerFilterSet):
    number = ValueListFilter(
        item_field=forms.IntegerField(min_value=1, max_value=PRINCIPLE_COUNT),
        help_text=_("One or several principle numbers."),
        example=[1, 4],
    )
    ordering = StableOrderingFilter(fields=("number", "updated_at"))

    class Meta:
        model = GuidingPrinciple
        fields = []


def _any_language(value: str, *bases: str) -> Q:
    matches = Q()
    for base in bases:
        for code in LANGUAGE_CODES:
            matches |= Q(**{f"{base}_{code}__icontains": value})
    return matches
