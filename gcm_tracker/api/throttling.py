from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from partners.authentication import request_token


class CallerRateThrottle(SimpleRateThrottle):
    """One request budget per partner token, per signed-in user and per anonymous address.

    Rates come from DEFAULT_THROTTLE_RATES under "partner", "user" and "anon", read on each
    request so settings overrides apply.
    """

    def __init__(self):
        # The scope, and so the rate, is only known once the caller is.
        pass

    def allow_request(self, request, view):
        token = request_token(request)
        if token is not None:
            self.scope, self.ident = "partner", f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            self.scope, self.ident = "user", f"user-{request.user.pk}"
        else:
            self.scope, self.ident = "anon", self.get_ident(request)
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


THROTTLED_DETAIL = _("Too many requests: wait the number of seconds in Retry-After.")
