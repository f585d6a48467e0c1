"""Idempotency-Key on API writes: a retried request is answered as the first was, not done twice.

A partner whose connection drops after sending a follow-up update cannot know whether it was
recorded. Sent again with the same Idempotency-Key, the request is not recorded a second time:
the first answer comes back, marked `Idempotent-Replayed: true`. Only writes that succeeded are
remembered, so a refused request can be corrected and sent again under the same key. Keys are
per caller and kept for KEPT_FOR.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gcm_tracker.api.exceptions import IdempotencyKeyReused
from partners.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,255}", re.ASCII)
KEPT_FOR = timedelta(days=7)
REPLAYED_HEADERS = ("Location", "ETag", "Last-Modified")


def idempotent(request, write: Callable[[], Response]) -> Response:
    """Answer `write()`, or, for a key this caller already used, the answer it had then."""
    key = request.headers.get(HEADER)
    if key is None:
        return write()
    if not KEY.fullmatch(key):
        raise ValidationError(
            {HEADER: [_("Send 1 to 255 visible ASCII characters, e.g. a new UUID per request.")]}
        )
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            previous = _answered(request.user, key)
            if previous is not None:
                return _replay(previous, fingerprint)
            response = write()
            try:
                with transaction.atomic():
                    IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=response.data,
                        headers={n: response[n] for n in REPLAYED_HEADERS if n in response},
                    )
            except IntegrityError:
                raise _Raced from None
            IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
            return response
    except _Raced:
        # The same key arrived twice at once and the other request committed first: this
        # one's write is undone, and the first answer given.
        return _replay(_answered(request.user, key), fingerprint)


class _Raced(Exception):
    pass


def _answered(user, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(user=user, key=key).first()


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(previous: IdempotentRequest, fingerprint: str) -> Response:
    if previous.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(previous.body, status=previous.status_code)
    for name, value in previous.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response
