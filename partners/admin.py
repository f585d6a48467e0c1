from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import PartnerToken
from partners.services import issue_token, revoke_token


@admin.register(PartnerToken)
class PartnerTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "partner", "scope", "prefix", "created_at", "last_used_at", "active")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "partner", "contact", "prefix")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("active"))
    def active(self, token):
        return token.is_active

    def get_readonly_fields(self, request, obj=None):
        # The scope is part of what the partner was given: issue a new token to change it.
        if obj is not None:
            return (*self.readonly_fields, "scope")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "partner", "contact", "scope")
        return ("name", "partner", "contact", *self.get_readonly_fields(request, obj))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        _token, raw = issue_token(token=obj, created_by=request.user)
        messages.warning(
            request,
            _("Copy this token now and give it to the partner; it will not be shown again: %(raw)s")
            % {"raw": raw},
        )

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay, so what a partner did remains attributable.
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.active())
        for token in tokens:
            revoke_token(token)
        self.message_user(
            request,
            ngettext("Revoked %(n)d token.", "Revoked %(n)d tokens.", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )
