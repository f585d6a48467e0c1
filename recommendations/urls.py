from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("coverage/", views.coverage, name="coverage"),
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
