"""The public pages of the objectives and the guiding principles."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from objectives.models import GuidingPrinciple, Objective
from recommendations import aggregates
from recommendations.models import Recommendation, Status
from recommendations.views import RecommendationListView


def objective_index(request):
    return render(
        request,
        "objectives/index.html",
        {
            # Counted once per change of the data, as on the home page.
            "objectives": aggregates.objective_status_counts(),
            "principles": GuidingPrinciple.objects.with_published_count(),
            "statuses": Status,
        },
    )


class ObjectiveDetailView(RecommendationListView):
    template_name = "objectives/detail.html"
    fixed_facets = ("objective",)

    def get_object(self):
        return get_object_or_404(Objective, number=self.kwargs["number"])

    def get_recommendations(self):
        return super().get_recommendations().for_objective(self.object.number)

    def get_filename(self):
        return f"objective-{self.object.number}-recommendations"

    def get_context_data(self, **kwargs):
        # Only what the list of links shows: an objective may have been discussed at a thousand.
        sessions = (
            self.object.sessions.select_related("event")
            .only("code", "title", "event__code", "event__title")
            .order_by("-event__start_date", "order")
        )
        return super().get_context_data(sessions=sessions, **kwargs)


class PrincipleDetailView(RecommendationListView):
    template_name = "objectives/principle.html"

    def get_object(self):
        return get_object_or_404(GuidingPrinciple, slug=self.kwargs["slug"])

    def get_recommendations(self):
        return super().get_recommendations().for_principle(self.object.slug)

    def get_filename(self):
        return f"principle-{self.object.slug}-recommendations"


OPEN_ASKS_PER_PAGE = 25


def open_asks(request, number: int):
    """An objective's asks still waiting for action, the longest-standing first."""
    objective = get_object_or_404(Objective, number=number)
    # Whole chains: a repeat may be tagged with other objectives than the first ask.
    asks = Recommendation.objects.published().longest_standing_open(number)
    page = Paginator(asks, OPEN_ASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "objectives/open_asks.html", {"object": objective, "page": page})
