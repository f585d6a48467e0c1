from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self):
        from recommendations import aggregates
        from recommendations.roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="recommendations.sync_roles")
        aggregates.connect()
