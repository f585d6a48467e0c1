from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("events/", views.event_index, name="events"),
    path("events/<slug:code>/", views.EventDetailView.as_view(), name="event"),
    path(
        "events/<slug:code>/sessions/<str:session>/",
        views.SessionDetailView.as_view(),
        name="session",
    ),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization",
    ),
]
