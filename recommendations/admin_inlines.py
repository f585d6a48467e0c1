"""Recommendation inlines shown on other apps' admin pages."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from recommendations.models import Recommendation
from recommendations.services import can_publish


class SessionRecommendationFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # A recommendation entered on a session belongs to that session's event.
        form.instance.event_id = self.instance.event_id
        return form


class SessionRecommendationInline(admin.StackedInline):
    """Draft recommendations entered with the session notes; objectives are tagged on their own page."""

    model = Recommendation
    fk_name = "session"
    formset = SessionRecommendationFormSet
    fields = (
        ("reference", "language", "state"),
        "short_title",
        "text",
        ("speaker", "organization"),
    )
    readonly_fields = ("state",)
    autocomplete_fields = ("speaker", "organization")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not can_publish(request.user):
            # Rapporteurs work on drafts; published text is the curators' to change.
            queryset = queryset.exclude(state=Recommendation.State.PUBLISHED)
        return queryset
