from django.urls import path

from recommendations import views
from recommendations.feeds import FollowUpUpdatesFeed, ObjectiveRecommendationsFeed

app_name = "recommendations"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("coverage/", views.coverage, name="coverage"),
    path("feeds/updates/", FollowUpUpdatesFeed(), name="feed_updates"),
    path(
        "feeds/objectives/<int:number>/",
        ObjectiveRecommendationsFeed(),
        name="feed_objective",
    ),
    path(
        "recommendations/<str:reference>/",
        views.recommendation_detail,
        name="detail",
    ),
    path(
        "recommendations/<str:reference>/follow-ups/",
        views.record_follow_up,
        name="record_follow_up",
    ),
]
