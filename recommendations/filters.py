import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.filters import (
    choice_filter,
    country_filter,
    event_filter,
    objective_filter,
    organization_filter,
    year_filter,
)
from consultations.models import Organization, Session
from gcm_tracker.api.filters import (
    CodeField,
    StableOrderingFilter,
    TrackerFilterSet,
    ValueListFilter,
)
from objectives.models import PRINCIPLE_COUNT, GuidingPrinciple
from recommendations.models import (
    Addressee,
    FollowUp,
    Language,
    Recommendation,
    RecommendationObjective,
    Status,
)


class PrincipleField(forms.Field):
    """A guiding principle named by its slug or its number."""

    def clean(self, value):
        if value.isdigit():
            number = int(value)
            if not 1 <= number <= PRINCIPLE_COUNT:
                raise forms.ValidationError(
                    _("principles are numbered 1 to %(max)d") % {"max": PRINCIPLE_COUNT}
                )
            principle = GuidingPrinciple.objects.filter(number=number).first()
        else:
            principle = GuidingPrinciple.objects.filter(slug=value).first()
        if principle is None:
            raise forms.ValidationError(_("no guiding principle has this slug or number"))
        return principle


def addressee_filter(**kwargs):
    return ValueListFilter(
        item_field=CodeField(Addressee.objects.all(), "slug", "addressee"),
        help_text=_("Addressed to one of these (addressee slugs)."),
        **kwargs,
    )


def status_filter(**kwargs):
    return choice_filter(
        Status.choices, _("One or several follow-up statuses."), example=["in_progress"], **kwargs
    )


class RecommendationFilter(TrackerFilterSet):
    objective = objective_filter(method="filter_objective")
    tagging_source = choice_filter(
        RecommendationObjective.Source.choices,
        _(
            "How the objective tag was made. With objective, only tags made this way count; "
            "alone, recommendations with at least one such tag."
        ),
        method="filter_tagging_source",
    )
    principle = ValueListFilter(
        item_field=PrincipleField(),
        method="filter_principle",
        help_text=_("One or several guiding principles, by slug or number."),
        example=["human-rights"],
    )
    event = event_filter(field_name="event")
    session = ValueListFilter(
        item_field=CodeField(Session.objects.all(), "id", "session"),
        field_name="session",
        help_text=_("One or several session ids (see /api/v1/sessions/)."),
    )
    organization = organization_filter(field_name="organization")
    organization_kind = choice_filter(
        Organization.Kind.choices,
        _("Kind of the organization it was made on behalf of."),
        field_name="organization__kind",
    )
    country = country_filter(
        method="filter_country", help_text=_("Concerning one of these countries (ISO codes).")
    )
    addressee = addressee_filter(method="filter_addressee")
    status = status_filter(field_name="current_status")
    language = choice_filter(Language.choices, _("Original language."), field_name="language")
    year = year_filter(field_name="event__start_date__year")
    state = choice_filter(
        Recommendation.State.choices,
        _("Editorial state; the public only ever sees published ones."),
        field_name="state",
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=200,
        help_text=_(
            "Every word in the reference, title, text, translations, speaker or organization; "
            "best matches first unless ordering is given."
        ),
    )
    ordering = StableOrderingFilter(
        fields=(
            ("reference", "reference"),
            ("updated_at", "updated_at"),
            ("published_at", "published_at"),
            ("status_date", "status_date"),
            ("event__start_date", "date"),
        ),
        help_text=_(
            "Sort by reference, updated_at, published_at, status_date or date; - for descending."
        ),
    )

    class Meta:
        model = Recommendation
        fields = []

    def filter_objective(self, queryset, name, numbers):
        return queryset.tagged(numbers, self.form.cleaned_data.get("tagging_source"))

    def filter_tagging_source(self, queryset, name, sources):
        if self.form.cleaned_data.get("objective"):
            return queryset  # Applied together with the objective numbers.
        return queryset.tagged(sources=sources)

    def filter_country(self, queryset, name, codes):
        matches = Recommendation.objects.none()
        for code in codes:
            matches |= Recommendation.objects.filter(countries__contains=code)
        return queryset.filter(pk__in=matches.values("pk"))

    def filter_principle(self, queryset, name, principles):
        through = Recommendation.principles.through.objects.filter(guidingprinciple__in=principles)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_addressee(self, queryset, name, addressees):
        through = Recommendation.addressees.through.objects.filter(addressee__in=addressees)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("q") and not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-rank", "reference")
        return queryset


class FollowUpFilter(TrackerFilterSet):
    recommendation = ValueListFilter(
        item_field=CodeField(Recommendation.objects.none(), "reference", "recommendation"),
        field_name="recommendation",
        help_text=_("One or several recommendation references."),
        example=["OAS2017-P2-03"],
    )
    objective = objective_filter(method="filter_objective")
    event = event_filter(field_name="recommendation__event")
    status = status_filter(field_name="status")
    addressee = addressee_filter(field_name="addressee")
    ordering = StableOrderingFilter(
        fields=(("date", "date"), ("recorded_at", "recorded_at")),
        help_text=_("Sort by date or recorded_at; - for descending. Default: oldest first."),
    )

    class Meta:
        model = FollowUp
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Only references the caller may see are known: a draft's is not revealed by a 400.
        user = getattr(request, "user", None)
        field = self.filters["recommendation"].extra["item_field"]
        field.queryset = Recommendation.objects.visible_to(user)

    def filter_objective(self, queryset, name, numbers):
        tagged = Recommendation.objects.tagged(numbers)
        return queryset.filter(recommendation__in=tagged.values("pk"))
