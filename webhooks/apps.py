from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks for partner tools")

    def ready(self):
        from webhooks import signals  # noqa: F401  (connects the receivers)
