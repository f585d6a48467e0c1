from django.urls import path

from objectives import views

app_name = "objectives"

urlpatterns = [
    path("", views.objective_index, name="index"),
    path("<int:number>/", views.ObjectiveDetailView.as_view(), name="detail"),
    path("<int:number>/open-asks/", views.open_asks, name="open_asks"),
    path("principles/<slug:slug>/", views.PrincipleDetailView.as_view(), name="principle"),
]
