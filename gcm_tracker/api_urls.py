"""The REST API v1: one router for the resources, explicit views for the actions."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from consultations.apis import EventViewSet, OrganizationViewSet, PersonViewSet, SessionViewSet
from gcm_tracker.api.views import NotFoundView
from objectives.apis import ObjectiveViewSet, PrincipleViewSet
from recommendations.apis import (
    AsksView,
    FollowUpViewSet,
    PublishRecommendationView,
    RecommendationFollowUpsView,
    RecommendationViewSet,
    SuggestObjectivesView,
)

router = DefaultRouter()
# Formats are asked for with ?format= or Accept, so a dot in a slug or code is just a dot.
router.include_format_suffixes = False
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("principles", PrincipleViewSet, basename="principle")
router.register("events", EventViewSet, basename="event")
router.register("sessions", SessionViewSet, basename="session")
router.register("people", PersonViewSet, basename="person")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the site's CSP forbids inline ones.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "recommendations/<str:reference>/follow-ups/",
        RecommendationFollowUpsView.as_view(),
        name="recommendation-follow-ups",
    ),
    path(
        "recommendations/<str:reference>/publish/",
        PublishRecommendationView.as_view(),
        name="recommendation-publish",
    ),
    path("suggest-objectives/", SuggestObjectivesView.as_view(), name="suggest-objectives"),
    path("asks/", AsksView.as_view(), name="asks"),
    *router.urls,
    # Last: whatever else is asked under /api/v1/ gets the API's JSON 404, not the site's page.
    re_path(r"^.*/$", NotFoundView.as_view(), name="api-not-found"),
]
