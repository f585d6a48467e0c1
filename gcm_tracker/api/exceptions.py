"""One error body for every failure, so partners parse errors the same way everywhere."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "Send If-Match with the ETag of the item as you last read it, so changes made since "
        "are not overwritten unseen."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The item has changed since you read it (its ETag no longer matches If-Match). "
        "Read it again, reapply your change and resend it with the new ETag."
    )
    default_code = "precondition_failed"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The item cannot be changed this way in its current state.")
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was sent before with a different request. Nothing was changed: "
        "send each new request with a new key."
    )
    default_code = "idempotency_key_reused"


def _summary(errors) -> str:
    if isinstance(errors, dict):
        names = ", ".join(sorted(str(name) for name in errors))
        return str(_("Invalid input: %(names)s.") % {"names": names})
    return str(_("Invalid input."))


def exception_handler(exc, context):
    """DRF's handler, with service-layer errors mapped and every body in one envelope."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ProtectedError):
        exc = Conflict(_("Other records still refer to this item, so it cannot be deleted."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        body = {"code": "invalid", "detail": _summary(errors), "errors": errors}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        body = {"code": codes if isinstance(codes, str) else "error", "detail": str(detail)}
    response.data = {"status": response.status_code, **body}
    return response
