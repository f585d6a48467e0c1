"""The public site's home, recommendation, search and coverage pages, and the shared list view."""

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from consultations.models import Participation, Session
from recommendations import aggregates, services
from recommendations.exports import csv_response, xlsx_response
from recommendations.forms import FollowUpForm, RecommendationFilterForm
from recommendations.models import Recommendation, Status

DOWNLOADS = {"csv": csv_response, "xlsx": xlsx_response}
SEARCH_EXTRA_RESULTS = 10
ADD_FOLLOW_UP = "recommendations.add_followup"


class RecommendationListView(TemplateView):
    """A page whose main list is published recommendations, filtered from the query string.

    With ?download=csv or ?download=xlsx the same filtered list comes back as a spreadsheet.
    """

    # Facets the page itself decides (an event page is about one event), so not offered.
    fixed_facets: tuple[str, ...] = ()
    paginate_by = 20
    filename = "recommendations"

    def get_object(self):
        """The event, person, objective… the page is about; None for a page about everything."""
        return None

    def get_recommendations(self) -> QuerySet:
        return Recommendation.objects.published()

    def get_filename(self) -> str:
        return self.filename

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.filter_form = RecommendationFilterForm(request.GET, fixed=self.fixed_facets)
        recommendations = self.get_recommendations()
        results = self.filter_form.results(recommendations)
        download = DOWNLOADS.get(request.GET.get("download", ""))
        if download:
            base_url = request.build_absolute_uri("/").rstrip("/")
            return download(results, self.get_filename(), base_url)
        # Counted once per change of the data and state of the filters, not per visit.
        counts = self.filter_form.counts(recommendations)
        paginator = Paginator(results.for_listing(), self.paginate_by)
        paginator.count = counts.total
        page = paginator.get_page(request.GET.get("page"))
        context = self.get_context_data(
            object=self.object,
            filter_form=self.filter_form,
            facets=self.filter_form.facet_choices(recommendations, counts),
            page_obj=page,
            recommendations=page.object_list,
            **kwargs,
        )
        return self.render_to_response(context)


def home(request):
    # Counted once per change of the data, not per visit: see recommendations/aggregates.py.
    return render(request, "recommendations/home.html", {**aggregates.home(), "statuses": Status})


def recommendation_detail(request, reference: str, follow_up_form: FollowUpForm | None = None):
    recommendation = get_object_or_404(
        Recommendation.objects.published().with_detail(), reference=reference
    )
    earlier = list(recommendation.links_to_earlier.all())
    years = [recommendation.event.year] + [link.to_recommendation.event.year for link in earlier]
    if follow_up_form is None and request.user.has_perm(ADD_FOLLOW_UP):
        follow_up_form = FollowUpForm(recommendation=recommendation)
    return render(
        request,
        "recommendations/detail.html",
        {
            "recommendation": recommendation,
            "earlier": earlier,
            "later": list(recommendation.links_to_later.all()),
            "asked_since": min(filter(None, years), default=None),
            "follow_up_form": follow_up_form,
        },
        status=400 if follow_up_form is not None and follow_up_form.errors else 200,
    )


@require_POST
@login_required
def record_follow_up(request, reference: str):
    """A curator records a follow-up update from the recommendation's page."""
    if not request.user.has_perm(ADD_FOLLOW_UP):
        raise PermissionDenied
    recommendation = get_object_or_404(Recommendation.objects.published(), reference=reference)
    form = FollowUpForm(request.POST, recommendation=recommendation)
    if not form.is_valid():
        return recommendation_detail(request, reference, follow_up_form=form)
    try:
        services.record_follow_up(
            recommendation=recommendation, recorded_by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return recommendation_detail(request, reference, follow_up_form=form)
    messages.success(request, _("The follow-up update was recorded."))
    return redirect(recommendation.get_absolute_url() + "#followup-title")


class SearchView(RecommendationListView):
    template_name = "recommendations/search.html"
    filename = "search"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        words = self.filter_form.text
        context["highlight_query"] = words
        if words:
            context.update(self.extra_results(words))
        return context

    def extra_results(self, words: str) -> dict:
        """The best sessions and speakers' notes for `words`, under the filters they share.

        Ranking every matching note takes most of a search at a hundred thousand
        recommendations, so the few shown are found once per change of the data and words.
        """
        where = self.filter_form.session_filters()
        speaker = self.filter_form.cleaned_data.get("speaker") or None

        def compute() -> dict:
            sessions = Session.objects.narrowed(**where).search(words).select_related("event")
            notes = Participation.objects.narrowed(**where, speaker=speaker)
            notes = notes.search(words).for_display()
            return {
                "sessions": list(
                    sessions.order_by("-rank", "event__code", "order")[:SEARCH_EXTRA_RESULTS]
                ),
                "notes": list(
                    notes.order_by("-rank", "session__event__code", "session__order")[
                        :SEARCH_EXTRA_RESULTS
                    ]
                ),
            }

        state = repr((words, sorted(where.items()), speaker)).encode()
        return aggregates.cached(f"search-extras:{hashlib.sha256(state).hexdigest()}", compute)


def coverage(request):
    # The charts are cached as drawn, per language and aggregates version; the counts are only
    # read when the drawing is not in the cache.
    counts = functools.cache(aggregates.coverage)
    return render(
        request,
        "recommendations/coverage.html",
        {
            "objectives": SimpleLazyObject(lambda: counts()["objectives"]),
            "events": SimpleLazyObject(lambda: counts()["events"]),
            "heat": SimpleLazyObject(lambda: counts()["heat"]),
            "statuses": Status,
            "aggregates_version": aggregates.version(),
            "aggregates_seconds": settings.GCM_AGGREGATES_CACHE_SECONDS,
        },
    )
