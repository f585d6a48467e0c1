from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from webhooks.models import Attempt, Delivery, Endpoint, EventType, new_secret
from webhooks.services import queue_delivery, resume_endpoint


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        help_text=_(
            "Give this to the partner to verify signatures. It is shown only now; "
            "later, leave it empty to keep it or type a new one to replace it."
        ),
    )

    class Meta:
        model = Endpoint
        fields = ("partner", "url", "event_types", "secret")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["secret"] = ""
        else:
            self.initial["secret"] = new_secret()

    def clean_secret(self):
        secret = self.cleaned_data["secret"].strip()
        if not secret and self.instance.pk:
            return self.instance.secret
        if len(secret) < 16:
            raise forms.ValidationError(_("Use a secret of at least 16 characters."))
        return secret


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("partner", "url", "is_active", "consecutive_failures", "paused_at")
    list_filter = ("is_active",)
    search_fields = ("partner", "url")
    readonly_fields = ("is_active", "paused_at", "paused_reason", "consecutive_failures")
    actions = ["resume"]

    def get_fields(self, request, obj=None):
        fields = ["partner", "url", "event_types", "secret"]
        return fields + list(self.readonly_fields) if obj else fields

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Resume the selected endpoints and send what is pending"))
    def resume(self, request, queryset):
        sent = sum(resume_endpoint(endpoint=endpoint) for endpoint in queryset)
        self.message_user(
            request,
            ngettext(
                "Resumed; %(count)d pending event is being sent.",
                "Resumed; %(count)d pending events are being sent.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("number", "started_at", "status_code", "duration_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every event sent to partners, with each attempt and the receiver's answer."""

    list_display = (
        "event_type",
        "endpoint",
        "state",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "event_type", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("event_id", "recommendation__reference")
    fields = (
        "endpoint",
        "event_type",
        "event_id",
        "recommendation",
        "state",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "payload",
    )
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected pending deliveries now"))
    def retry_now(self, request, queryset):
        pending = list(queryset.filter(state=Delivery.State.PENDING).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=pending).update(next_attempt_at=timezone.now())
        for delivery_id in pending:
            queue_delivery(delivery_id=delivery_id)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued.", "%(count)d deliveries queued.", len(pending))
            % {"count": len(pending)},
        )
