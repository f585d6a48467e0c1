from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import translation


def public_url(request, obj) -> str | None:
    """The absolute address of `obj`'s public page, or None while the site has no such page."""
    # The canonical address is the default-language one, whatever language the caller asked for.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            path = obj.get_absolute_url()
        except NoReverseMatch:
            return None
    return request.build_absolute_uri(path) if request is not None else path
