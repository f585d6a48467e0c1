import uuid
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from objectives.models import Objective
from recommendations.imports import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportRejected,
    apply_import,
    plan_import,
)
from recommendations.models import (
    Addressee,
    DigestDelivery,
    ExportJob,
    FollowUp,
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
    RecommendationTranslation,
    RepeatProposal,
)
from recommendations.services import (
    accept_repeat_proposal,
    can_publish,
    publish_recommendation,
    record_follow_up,
    reject_repeat_proposal,
    request_export,
)
from recommendations.suggestions import MAX_TEXT_CHARACTERS, suggest_objectives


class CountryConcernedFilter(admin.SimpleListFilter):
    title = _("country concerned")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = set()
        for codes in Recommendation.objects.exclude(countries="").values_list(
            "countries", flat=True
        ):
            used.update(code for code in codes.split(",") if code)
        return sorted(((code, countries.name(code)) for code in used), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(countries__contains=self.value())
        return queryset


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "A .csv or .xlsx file in the tracker's download format (see docs/import-format.md). "
            "Nothing is written until you confirm."
        ),
    )


class PendingImport:
    """An uploaded file kept between the dry run and the confirmation, for its uploader only."""

    SESSION_KEY = "pending_imports"

    def __init__(self, filename: str, data: bytes):
        self.filename = filename
        self.data = data

    @classmethod
    def keep(cls, request, upload) -> str:
        token = uuid.uuid4().hex
        name = default_storage.save(f"imports/pending/{token}", upload)
        pending = request.session.get(cls.SESSION_KEY, {})
        pending[token] = {"path": name, "filename": upload.name}
        request.session[cls.SESSION_KEY] = pending
        return token

    @classmethod
    def take(cls, request, token: str) -> "PendingImport | None":
        entry = request.session.get(cls.SESSION_KEY, {}).pop(token, None)
        request.session.modified = True
        if entry is None or not default_storage.exists(entry["path"]):
            return None
        with default_storage.open(entry["path"], "rb") as stored:
            data = stored.read()
        default_storage.delete(entry["path"])
        return cls(entry["filename"], data)


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Due now")), ("soon", _("Due within 30 days")), ("later", _("Not due"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.due(today)
        if self.value() == "soon":
            return queryset.due(today + timedelta(days=30)).exclude(next_review_date__lte=today)
        if self.value() == "later":
            return queryset.exclude(pk__in=queryset.due(today).values("pk"))
        return queryset


class EditConflictForm(forms.ModelForm):
    """Refuses to save over changes someone else saved after this form was opened."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["loaded_version"] = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin's change view runs in one transaction: the lock holds until the save.
            current = (
                type(self.instance)
                .objects.select_for_update()
                .values_list("updated_at", flat=True)
                .get(pk=self.instance.pk)
            )
            if cleaned.get("loaded_version") != current.isoformat():
                last = self.instance.history.select_related("history_user").first()
                who = last.history_user if last and last.history_user else _("someone else")
                raise forms.ValidationError(
                    _(
                        "%(who)s saved changes to this record at %(when)s, after you opened it. "
                        "Copy what you typed, reload the page to see their changes, then apply yours again."
                    )
                    % {"who": who, "when": formats.localize(timezone.localtime(current))},
                    code="edit_conflict",
                )
        return cleaned


class ObjectiveTagFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        live = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        primaries = sum(bool(form.cleaned_data.get("is_primary")) for form in live)
        if primaries > 1:
            raise ValidationError(_("Mark only one objective as primary."))
        if self.instance.state == Recommendation.State.PUBLISHED:
            if not live:
                raise ValidationError(
                    _("A recommendation needs at least one objective before it is published.")
                )
            if primaries != 1:
                raise ValidationError(_("Mark one of its objectives as primary."))


class ObjectiveTagInline(admin.TabularInline):
    model = RecommendationObjective
    formset = ObjectiveTagFormSet
    fields = ("objective", "is_primary", "source", "tagged_by", "tagged_at")
    readonly_fields = ("tagged_by", "tagged_at")
    autocomplete_fields = ("objective",)
    extra = 0
    min_num = 0


class TranslationInline(admin.StackedInline):
    model = RecommendationTranslation
    fields = ("language", "short_title", "text")
    extra = 0


class FollowUpInline(admin.StackedInline):
    """The append-only history: earlier entries are read-only; curators may add new ones."""

    model = FollowUp
    fk_name = "recommendation"
    fields = (("status", "date", "addressee"), "note", "evidence_links", "corrects", "recorded_by")
    readonly_fields = ("recorded_by",)
    autocomplete_fields = ("addressee",)
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class LinkToEarlierInline(admin.TabularInline):
    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ("kind", "to_recommendation", "note")
    autocomplete_fields = ("to_recommendation",)
    extra = 0
    verbose_name = _("earlier recommendation this one repeats or follows up on")
    verbose_name_plural = _("earlier recommendations this one repeats or follows up on")


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    form = EditConflictForm
    list_display = (
        "reference",
        "short_title",
        "event",
        "state",
        "current_status",
        "next_review_date",
        "curator",
    )
    list_filter = (
        ReviewDueFilter,
        "state",
        "current_status",
        "event",
        "objectives",
        "organization__kind",
        CountryConcernedFilter,
        "language",
    )
    search_fields = (
        "reference",
        "short_title",
        "text",
        "speaker__name",
        "organization__name",
        "organization__acronym",
    )
    autocomplete_fields = (
        "event",
        "session",
        "speaker",
        "organization",
        "principles",
        "addressees",
    )
    list_select_related = ("event", "curator")
    readonly_fields = (
        "objective_suggestions",
        "current_status",
        "status_date",
        "next_review_date",
        "published_at",
        "created_at",
        "updated_at",
    )
    inlines = [ObjectiveTagInline, TranslationInline, LinkToEarlierInline, FollowUpInline]
    actions = ["publish_selected"]
    change_list_template = "admin/recommendations/recommendation/change_list.html"

    class Media:
        js = ["admin/js/objective_suggestions.js"]
        css = {"all": ["admin/css/objective_suggestions.css"]}

    fieldsets = (
        (
            None,
            {"fields": ("reference", "short_title", "text", "language", "objective_suggestions")},
        ),
        (
            _("Source"),
            {"fields": ("event", "session", "speaker", "organization", "source_location")},
        ),
        (_("Who is asked to act"), {"fields": ("addressees", "countries", "principles")}),
        (
            _("Editorial state and follow-up"),
            {
                "fields": (
                    "state",
                    "published_at",
                    ("current_status", "status_date"),
                    ("curator", "review_interval_days", "next_review_date"),
                    ("created_at", "updated_at"),
                    "loaded_version",
                )
            },
        ),
    )

    def get_urls(self):
        return [
            path("due/", self.admin_site.admin_view(self.due_view), name="recommendations_due"),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="recommendations_import",
            ),
            path(
                "suggest-objectives/",
                self.admin_site.admin_view(self.suggest_view),
                name="recommendations_suggest_objectives",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def suggest_view(self, request):
        """The 23 objectives ranked for the text being typed, for the change form's script."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = " ".join(
            request.POST.get(name, "")[:MAX_TEXT_CHARACTERS] for name in ("short_title", "text")
        ).strip()
        language = request.POST.get("language") or None
        titles = {o.number: str(o) for o in Objective.objects.all()}
        suggestions = suggest_objectives(text, language=language) if text else []
        return JsonResponse(
            {
                "suggestions": [
                    {
                        "number": s.number,
                        "label": titles.get(s.number, ""),
                        "score": round(s.score, 3),
                    }
                    for s in suggestions
                ],
                "objective_ids": dict(Objective.objects.values_list("number", "pk")),
            }
        )

    @admin.display(description=_("Suggested objectives"))
    def objective_suggestions(self, obj=None):
        labels = {
            "heading": _("Objectives this text most likely concerns:"),
            "accept": _("Accept"),
            "accepted": _("Accepted"),
            "tagged": _("Tagged"),
            "show-all": _("Show all 23"),
            "show-fewer": _("Show fewer"),
        }
        return format_html(
            '<div id="objective-suggestions" data-url="{}" data-source="{}" {} aria-live="polite">'
            '<p class="help">{}</p></div>',
            reverse("admin:recommendations_suggest_objectives"),
            RecommendationObjective.Source.SUGGESTION_REVIEWED,
            format_html_join(" ", 'data-label-{}="{}"', labels.items()),
            _(
                "Type or paste the text: the objectives it most likely concerns appear here, "
                "with a confidence. Accept one to add it below; you can still change it."
            ),
        )

    def import_view(self, request):
        """Upload a spreadsheet, see what it would do (a dry run), then confirm to apply it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import recommendations from a spreadsheet"),
            "opts": self.opts,
            "form": ImportUploadForm(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            pending = PendingImport.take(request, request.POST.get("confirm", ""))
            if pending is None:
                messages.error(request, _("That import has expired; please upload the file again."))
                return redirect("admin:recommendations_import")
            plan = plan_import(pending.data, filename=pending.filename, user=request.user)
            try:
                done = apply_import(plan, user=request.user)
            except ImportRejected as rejected:
                context.update(plan=plan, problems=rejected.problems)
                return TemplateResponse(request, "admin/recommendations/import.html", context)
            messages.success(
                request,
                _("Imported %(file)s: created %(created)s; updated %(updated)s.")
                % {
                    "file": pending.filename,
                    "created": done.counts(CREATE) or _("nothing"),
                    "updated": done.counts(UPDATE) or _("nothing"),
                },
            )
            return redirect("admin:recommendations_recommendation_changelist")
        if request.method == "POST":
            form = ImportUploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                upload = form.cleaned_data["file"]
                plan = plan_import(upload, filename=upload.name, user=request.user)
                context["plan"] = plan
                context["problems"] = plan.problems
                context["summary"] = [
                    (label, plan.counts(action))
                    for action, label in (
                        (CREATE, _("Create")),
                        (UPDATE, _("Update")),
                        (UNCHANGED, _("Leave unchanged")),
                    )
                ]
                if plan.ok and (plan.created or plan.updated):
                    upload.seek(0)
                    context["token"] = PendingImport.keep(request, upload)
        return TemplateResponse(request, "admin/recommendations/import.html", context)

    def due_view(self, request):
        """The curators' dashboard: what is due for review, by objective and by curator."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        due = Recommendation.objects.due(today)
        by_objective = (
            Objective.objects.annotate(
                due=Count(
                    "recommendation_links",
                    filter=Q(
                        recommendation_links__recommendation__in=due.values("pk"),
                        recommendation_links__is_primary=True,
                    ),
                )
            )
            .filter(due__gt=0)
            .order_by("number")
        )
        by_curator = due.values("curator__username").annotate(due=Count("pk")).order_by("-due")
        listing = due.select_related("event", "curator").order_by("next_review_date", "reference")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Recommendations due for review"),
            "opts": self.opts,
            "today": today,
            "by_objective": by_objective,
            "by_curator": by_curator,
            "recommendations": listing[:200],
            "total": due.count(),
        }
        return TemplateResponse(request, "admin/recommendations/due.html", context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "state" in form.base_fields and not can_publish(request.user):
            form.base_fields["state"].choices = [
                (value, label)
                for value, label in Recommendation.State.choices
                if value != Recommendation.State.PUBLISHED
            ]
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published and not can_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user):
            actions.pop("publish_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if obj.state == Recommendation.State.PUBLISHED:
            if not can_publish(request.user):
                raise PermissionDenied
            obj.published_at = obj.published_at or timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is FollowUp:
            for follow_up in formset.save(commit=False):
                record_follow_up(
                    recommendation=form.instance,
                    status=follow_up.status,
                    date=follow_up.date,
                    note=follow_up.note,
                    evidence_links=follow_up.evidence_links,
                    recorded_by=request.user,
                    addressee=follow_up.addressee,
                    corrects=follow_up.corrects,
                )
            return
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, RecommendationObjective) and instance.tagged_by_id is None:
                instance.tagged_by = request.user
            if isinstance(instance, RecommendationLink) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.action(description=_("Publish the selected recommendations"))
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for recommendation in queryset.prefetch_related("objective_links"):
            try:
                publish_recommendation(recommendation=recommendation, user=request.user)
                published += 1
            except ValidationError:
                refused.append(recommendation.reference)
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d recommendation published.",
                    "%(count)d recommendations published.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not published, they need one primary objective first: %(refs)s")
                % {"refs": ", ".join(refused)},
                messages.WARNING,
            )


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Follow-up updates can be added and read, never changed or deleted."""

    list_display = ("recommendation", "status", "date", "recorded_by", "recorded_at")
    list_filter = ("status", "recommendation__event")
    search_fields = ("recommendation__reference", "note")
    autocomplete_fields = ("recommendation", "addressee", "corrects")
    list_select_related = ("recommendation", "recorded_by")
    fields = (
        "recommendation",
        ("status", "date", "addressee"),
        "note",
        "evidence_links",
        "corrects",
    )
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = record_follow_up(
            recommendation=obj.recommendation,
            status=obj.status,
            date=obj.date,
            note=obj.note,
            evidence_links=obj.evidence_links,
            recorded_by=request.user,
            addressee=obj.addressee,
            corrects=obj.corrects,
        )
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(Addressee)
class AddresseeAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")
    search_fields = ("name", "slug")
    autocomplete_fields = ("organization",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(SimpleHistoryAdmin):
    list_display = ("from_recommendation", "kind", "to_recommendation", "created_by")
    list_filter = ("kind",)
    search_fields = ("from_recommendation__reference", "to_recommendation__reference")
    autocomplete_fields = ("from_recommendation", "to_recommendation")
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Curators request a download of the published data set and fetch it when it is ready."""

    list_display = ("__str__", "format", "state", "progress_display", "download", "requested_by")
    list_filter = ("format", "state")
    fields = ("format",)
    change_list_template = "admin/recommendations/exportjob/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress_display(self, job):
        return format_html(
            '<progress max="100" value="{}" aria-label="{}">{}%</progress> {}%',
            job.progress,
            _("progress"),
            job.progress,
            job.progress,
        )

    @admin.display(description=_("file"))
    def download(self, job):
        if job.state != ExportJob.State.READY:
            return job.error or "—"
        url = reverse("admin:recommendations_exportjob_download", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="recommendations_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ExportJob, pk=pk, state=ExportJob.State.READY)
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.split("/")[-1]
        )

    def save_model(self, request, obj, form, change):
        job = request_export(format=obj.format, requested_by=request.user)
        obj.pk = job.pk
        obj._state.adding = False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "refresh": ExportJob.objects.filter(
                state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]
            ).exists(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """A log of the curators' daily digests: who got which day's, and when."""

    list_display = ("recipient", "day", "due_count", "update_count", "sent_at")
    list_filter = ("day",)
    list_select_related = ("recipient",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RepeatProposal)
class RepeatProposalAdmin(admin.ModelAdmin):
    """The detector's proposed repeats, for a curator's yes or no; nothing links itself."""

    list_display = ("later", "earlier", "score_display", "state", "decided_by", "decided_at")
    list_filter = ("state",)
    list_select_related = ("later__event", "earlier__event", "decided_by")
    search_fields = ("later__reference", "earlier__reference", "later__text", "earlier__text")
    fields = ("later_text", "earlier_text", "score", "state", "decided_by", "decided_at")
    readonly_fields = fields
    actions = ["accept", "reject"]
    ordering = ("state", "-score")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("similarity"), ordering="score")
    def score_display(self, proposal):
        return f"{proposal.score:.0%}"

    @admin.display(description=_("later recommendation"))
    def later_text(self, proposal):
        return f"{proposal.later} — {proposal.later.event}\n\n{proposal.later.text}"

    @admin.display(description=_("earlier recommendation"))
    def earlier_text(self, proposal):
        return f"{proposal.earlier} — {proposal.earlier.event}\n\n{proposal.earlier.text}"

    def _decide(self, request, queryset, decide, done_message):
        """Apply `decide` to each pending proposal; `done_message(count)` says how it went."""
        decided = 0
        for proposal in queryset.pending().select_related("later", "earlier"):
            try:
                decide(proposal=proposal, user=request.user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{proposal}: {exc}", messages.ERROR)
                continue
            decided += 1
        self.message_user(request, done_message(decided), messages.SUCCESS)

    @admin.action(description=_("Accept: link them as the same ask made again"))
    def accept(self, request, queryset):
        self._decide(
            request,
            queryset,
            accept_repeat_proposal,
            lambda n: (
                ngettext("%(count)d repeat linked.", "%(count)d repeats linked.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Reject: they are different asks"))
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            reject_repeat_proposal,
            lambda n: (
                ngettext("%(count)d proposal rejected.", "%(count)d proposals rejected.", n)
                % {"count": n}
            ),
        )
