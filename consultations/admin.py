from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consultations.models import (
    Event,
    GuidingQuestion,
    Organization,
    Participation,
    Person,
    Session,
)
from recommendations.admin_inlines import SessionRecommendationInline


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "acronym", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "acronym", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "affiliation", "organization")
    list_filter = ("organization__kind",)
    search_fields = ("name", "affiliation", "slug", "organization__name", "organization__acronym")
    autocomplete_fields = ("organization",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("organization",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "affiliation", "organization")}),
        (
            _("Private contact details (never shown publicly)"),
            {"fields": ("email", "phone", "private_notes"), "classes": ("collapse",)},
        ),
    )


class SessionInline(admin.TabularInline):
    model = Session
    fields = ("order", "code", "title", "format", "starts_at", "time_zone")
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ("title", "code", "kind", "start_date", "city", "country")
    list_filter = ("kind", "country", ("start_date", admin.DateFieldListFilter))
    search_fields = ("title", "code", "city", "description")
    autocomplete_fields = ("organizers",)
    date_hierarchy = "start_date"
    inlines = [SessionInline]
    fieldsets = (
        (
            None,
            {"fields": ("code", "title", "kind", ("start_date", "end_date"), ("city", "country"))},
        ),
        (
            _("Organizers and source"),
            {"fields": ("organizers", "language", "source_document", "source_url")},
        ),
        (_("Description"), {"fields": ("description",)}),
    )


class GuidingQuestionInline(admin.TabularInline):
    model = GuidingQuestion
    fields = ("order", "text")
    extra = 0


class ParticipationInline(admin.StackedInline):
    model = Participation
    fields = (("person", "role", "organization", "order"), "notes")
    autocomplete_fields = ("person", "organization")
    extra = 0


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "event", "format", "starts_at")
    list_filter = ("event", "format", "objectives")
    search_fields = ("title", "code", "event__title", "event__code", "rapporteur_summary")
    autocomplete_fields = ("event", "objectives")
    list_select_related = ("event",)
    inlines = [GuidingQuestionInline, ParticipationInline, SessionRecommendationInline]
    fieldsets = (
        (None, {"fields": ("event", ("order", "code"), "title", "format")}),
        (_("When"), {"fields": (("starts_at", "ends_at"), "time_zone")}),
        (_("Content"), {"fields": ("objectives", "description", "rapporteur_summary")}),
    )


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ("person", "role", "session", "organization")
    list_filter = ("role", "session__event")
    search_fields = ("person__name", "notes", "session__title")
    autocomplete_fields = ("person", "organization", "session")
    list_select_related = ("person", "organization", "session__event")
