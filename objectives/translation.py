"""Per-language columns for the few texts the tracker keeps in all four interface languages."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    """The active interface language reduced to one of ours ("pt-br" -> "pt"), English otherwise."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


class TranslatedModel(models.Model):
    """Reads `obj.localized("title")` in the active language, falling back to English."""

    class Meta:
        abstract = True

    def localized(self, base: str, language: str | None = None) -> str:
        """The value of `base` in `language` (default: the active one), or the English value."""
        code = language or current_language()
        return getattr(self, f"{base}_{code}", "") or getattr(self, f"{base}_en")
