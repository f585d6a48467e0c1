from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from objectives.models import GuidingPrinciple, Objective

LANGS = ("en", "es", "pt", "fr")


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("number", "short_title_en", "short_title_es", "paragraph")
    list_display_links = ("number", "short_title_en")
    search_fields = ("=number", "short_title_en", "short_title_es", "title_en", "title_es")
    ordering = ("number",)
    fieldsets = (
        (None, {"fields": ("number", "paragraph")}),
        (_("Short title"), {"fields": tuple(f"short_title_{code}" for code in LANGS)}),
        (_("Official title"), {"fields": tuple(f"title_{code}" for code in LANGS)}),
        (_("Commitment summary"), {"fields": tuple(f"summary_{code}" for code in LANGS)}),
    )


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(SimpleHistoryAdmin):
    list_display = ("number", "name_en", "name_es", "slug")
    list_display_links = ("number", "name_en")
    search_fields = ("name_en", "name_es", "name_pt", "name_fr", "slug")
    ordering = ("number",)
    fieldsets = (
        (None, {"fields": ("number", "slug")}),
        (_("Name"), {"fields": tuple(f"name_{code}" for code in LANGS)}),
        (_("Description"), {"fields": tuple(f"description_{code}" for code in LANGS)}),
    )
