"""`Authorization: Bearer <token>` (or `Token <token>`) for partner tools."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from partners.models import PartnerToken
from partners.services import find_active_token

KEYWORDS = ("bearer", "token")
# Recording every single use would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PartnerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as `Authorization: Bearer <token>`."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid or revoked token.")) from None
        token = find_active_token(raw)
        if token is None:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            PartnerToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def request_token(request) -> PartnerToken | None:
    """The partner token the request authenticated with, if any."""
    return request.auth if isinstance(request.auth, PartnerToken) else None
