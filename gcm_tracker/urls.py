from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from gcm_tracker.healthz import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("gcm_tracker.api_urls")),
]
# The public site and the admin carry the language in the URL: /es/objectives/4/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("objectives/", include("objectives.urls")),
    path("", include("consultations.urls")),
    path("", include("recommendations.urls")),
    prefix_default_language=False,
)
