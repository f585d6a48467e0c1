"""Atom feeds for people who follow the tracker in a feed reader: public content only."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from objectives.models import Objective
from recommendations.models import FollowUp, Recommendation

FEED_LENGTH = 30


class FollowUpUpdatesFeed(Feed):
    """The latest follow-up updates on published recommendations."""

    feed_type = Atom1Feed
    title = _("GCM Commitment Tracker: latest follow-up updates")
    subtitle = _("What has happened since civil society's recommendations were made.")

    def link(self):
        return reverse("recommendations:home")

    def items(self):
        return (
            FollowUp.objects.public()
            .select_related("recommendation")
            .order_by("-recorded_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, update):
        return f"{update.recommendation.reference}: {update.get_status_display()}"

    def item_description(self, update):
        return update.note or update.recommendation.short_title

    def item_link(self, update):
        return update.recommendation.get_absolute_url()

    def item_guid(self, update):
        return f"follow-up-{update.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, update):
        return update.recorded_at


class ObjectiveRecommendationsFeed(Feed):
    """Recommendations newly published on one objective."""

    feed_type = Atom1Feed

    def get_object(self, request, number: int):
        objective = Objective.objects.filter(number=number).first()
        if objective is None:
            raise Http404
        return objective

    def title(self, objective):
        return _("GCM Commitment Tracker: new recommendations on objective %(number)d") % {
            "number": objective.number
        }

    def link(self, objective):
        return objective.get_absolute_url()

    def items(self, objective):
        return (
            Recommendation.objects.published()
            .for_objective(objective.number)
            .select_related("event")
            .order_by("-published_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, recommendation):
        return f"{recommendation.reference}: {recommendation.short_title}"

    def item_description(self, recommendation):
        return recommendation.text

    def item_updateddate(self, recommendation):
        return recommendation.updated_at
