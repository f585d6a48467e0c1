from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("API partners")

    def ready(self):
        # Registers the token scheme with drf-spectacular so the schema documents it.
        from partners import schema  # noqa: F401
