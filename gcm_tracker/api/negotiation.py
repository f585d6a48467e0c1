from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 400 naming the parameter, not a 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        offered = [renderer.format for renderer in renderers]
        if wanted and wanted not in offered:
            raise ValidationError(
                {
                    "format": [
                        _("This endpoint answers in: %(formats)s.")
                        % {"formats": ", ".join(offered)}
                    ]
                }
            )
        return super().select_renderer(request, renderers, format_suffix)
