from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from partners.authentication import request_token


class ReadOrSignedWrite(BasePermission):
    """Anyone reads (what they see is the queryset's business); writes need a write token or a
    signed-in account, whose model permissions each endpoint then checks."""

    message = _("This token is read-only: ask the curators for a write-scoped token.")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        token = request_token(request)
        if token is not None:
            return token.can_write
        return bool(request.user and request.user.is_authenticated)
