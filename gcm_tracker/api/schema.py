"""OpenAPI for every operation: its errors, conditional headers and CSV variant, documented once."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated for convenience.")
    code = serializers.CharField(
        help_text="A stable machine-readable code: invalid, not_found, not_authenticated, "
        "authentication_failed, permission_denied, precondition_required, precondition_failed, "
        "too_large, parse_error, conflict, throttled, not_acceptable, unsupported_media_type."
    )
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    errors = serializers.DictField(
        required=False,
        help_text="On 400 only: the messages for each parameter or body field, by name "
        "(nested as the body is: objectives → item → number).",
    )


def _error(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[OpenApiExample(example["code"], value=example, response_only=True)],
    )


ERRORS = {
    400: _error(
        "A parameter or body field is unknown or not valid; `errors` names each one.",
        {
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input: objective.",
            "errors": {
                "objective": ["“24”: Ensure this value is less than or equal to 23."],
            },
        },
    ),
    401: _error(
        "The token is unknown or revoked, or a write was tried without signing in.",
        {"status": 401, "code": "authentication_failed", "detail": "Invalid or revoked token."},
    ),
    403: _error(
        "Signed in, but not allowed to do this (e.g. a read token writing, a rapporteur publishing).",
        {
            "status": 403,
            "code": "permission_denied",
            "detail": "This token is read-only: ask the curators for a write-scoped token.",
        },
    ),
    404: _error(
        "No such item, or not one you may see (drafts are invisible to the public); on a "
        "list, a page past the last one.",
        {
            "status": 404,
            "code": "not_found",
            "detail": "No Recommendation matches the given query.",
        },
    ),
    406: _error(
        "The Accept header asks for a format the endpoint does not offer.",
        {
            "status": 406,
            "code": "not_acceptable",
            "detail": "Could not satisfy the request Accept header.",
        },
    ),
    409: _error(
        "The item cannot be changed this way in its current state.",
        {"status": 409, "code": "conflict", "detail": "Published recommendations are not deleted."},
    ),
    412: _error(
        "If-Match does not name the item's current ETag: someone changed it since you read it. "
        "Nothing was changed.",
        {
            "status": 412,
            "code": "precondition_failed",
            "detail": "The item has changed since you read it (its ETag no longer matches If-Match).",
        },
    ),
    413: _error(
        "The body is larger than the API accepts.",
        {"status": 413, "code": "too_large", "detail": "The request body is too large."},
    ),
    415: _error(
        "The body is not JSON.",
        {
            "status": 415,
            "code": "unsupported_media_type",
            "detail": 'Unsupported media type "text/plain" in request.',
        },
    ),
    422: _error(
        "The Idempotency-Key was sent before with a different request. Nothing was changed.",
        {
            "status": 422,
            "code": "idempotency_key_reused",
            "detail": "This Idempotency-Key was sent before with a different request.",
        },
    ),
    428: _error(
        "Changing or deleting an item needs If-Match with the ETag you last read.",
        {
            "status": 428,
            "code": "precondition_required",
            "detail": "Send If-Match with the ETag of the item as you last read it.",
        },
    ),
    429: _error(
        "Rate limit reached; Retry-After says how many seconds to wait.",
        {
            "status": 429,
            "code": "throttled",
            "detail": "Request was throttled. Expected available in 42 seconds.",
        },
    ),
}


def _header(name: str, description: str, kind=OpenApiTypes.STR, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.HEADER, description=description, **kwargs)


_ETAG = _header(
    "ETag",
    "Validator of this answer: send it back in If-None-Match (reads) or If-Match (writes).",
    response=[200, 201, 304],
)
_LAST_MODIFIED = _header(
    "Last-Modified",
    "When the newest item (or what it embeds) last changed, as an HTTP date.",
    response=[200, 304],
)
_CACHE_CONTROL = _header(
    "Cache-Control",
    "public, max-age=60 for anonymous callers; private for authenticated ones.",
    response=[200, 304],
)
_RETRY_AFTER = _header(
    "Retry-After", "Seconds to wait before the next request.", OpenApiTypes.INT, response=[429]
)
_IF_NONE_MATCH = _header(
    "If-None-Match", "The ETag you hold; 304 Not Modified when it is still current."
)
_IF_MODIFIED_SINCE = _header(
    "If-Modified-Since",
    "An HTTP date; 304 when the item has not changed since (single items only: lists answer "
    "If-None-Match).",
)
_IDEMPOTENCY_KEY = _header(
    "Idempotency-Key",
    "Optional: a new unique value (e.g. a UUID) per request. Sent again with the same request, "
    "it is not done twice: the first answer comes back with Idempotent-Replayed: true. Kept 7 "
    "days per caller.",
)
_REPLAYED = _header(
    "Idempotent-Replayed",
    "true when this is the answer first given to the same Idempotency-Key.",
    response=[201],
)
_IF_MATCH = _header(
    "If-Match",
    "The item's ETag as you last read it. Missing: 428; stale: 412, nothing changed.",
    required=True,
)


class TrackerAutoSchema(AutoSchema):
    def _is_detail(self) -> bool:
        """Whether the path names an item, which may not exist (404)."""
        return "{" in self.path

    def _needs_if_match(self) -> bool:
        return self.method in ("PUT", "PATCH", "DELETE") or getattr(
            self.view, "requires_if_match", False
        )

    def _accepts_idempotency_key(self) -> bool:
        return self.method == "POST" and getattr(self.view, "accepts_idempotency_key", False)

    def get_auth(self):
        auths = super().get_auth()
        # Anyone may read: authentication only widens what a read returns.
        if self.method == "GET" and {} not in auths:
            auths.append({})
        return auths

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters += [_IF_NONE_MATCH, _ETAG, _LAST_MODIFIED, _CACHE_CONTROL]
            if not self._is_list_view():
                parameters.append(_IF_MODIFIED_SINCE)
        if self.method in WRITE_METHODS:
            parameters.append(_ETAG)
        if self._needs_if_match():
            parameters.append(_IF_MATCH)
        if self._accepts_idempotency_key():
            parameters += [_IDEMPOTENCY_KEY, _REPLAYED]
        parameters.append(_RETRY_AFTER)
        return parameters

    def _error_codes(self) -> list[int]:
        codes = [400, 401, 429]
        if self.method == "GET":
            codes += [406]
        if self._is_detail() or self.method == "GET":
            codes.append(404)
        if self.method in WRITE_METHODS:
            codes += [403, 409, 413, 415]
        if self._needs_if_match():
            codes += [412, 428]
        if self._accepts_idempotency_key():
            codes.append(422)
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            responses["304"] = {
                **self._headers_for("304"),
                "description": "Not modified: the ETag you sent is still current.",
            }
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    ERRORS[code], str(code), media_types=["application/json"], direction=direction
                ),
            )
        return responses

    def _headers_for(self, code: str) -> dict:
        headers = self._get_response_headers_for_code(code)
        return {"headers": headers} if headers else {}

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        csv = response.get("content", {}).get("text/csv")
        if csv is not None:
            csv["schema"] = {
                "type": "string",
                "description": "Every matching item, one row each, with a header row.",
            }
            csv.pop("examples", None)
        return response


# Descriptions for fields whose models say nothing more than their name; by field name, or by
# "Component.field" where the same name means something else there.
FIELD_DESCRIPTIONS = {
    "id": "Stable numeric id; never reused.",
    "slug": "Stable public key, as in the address of its page.",
    "number": "Its number in the Global Compact.",
    "name": "Name.",
    "title": "Title.",
    "short_title": "Short title, as on the public site.",
    "text": "The text as in the source document.",
    "description": "Description.",
    "acronym": "Acronym, if it has one.",
    "website": "Web site.",
    "kind": "Kind (see the enum).",
    "country": "ISO 3166-1 alpha-2 code; empty when not known.",
    "countries": "ISO 3166-1 alpha-2 codes of the countries concerned.",
    "city": "City where it took place.",
    "start_date": "First day.",
    "end_date": "Last day.",
    "year": "The year the event started.",
    "source_url": "Where the source document can be read.",
    "created_at": "When the item was first saved (UTC).",
    "updated_at": "When the item last changed (UTC); what updated_after compares.",
    "published_at": "When it was first published; null for drafts.",
    "language": "ISO 639-1 code of the language.",
    "status": "Follow-up status (see the enum).",
    "note": "What was observed, in the recorder's words.",
    "evidence_links": "Web addresses of the evidence.",
    "addressee": "The addressee the update concerns, if one.",
    "addressees": "Who is asked to act (slugs).",
    "principles": "Guiding principles it relates to.",
    "organization": "The organization, if any.",
    "organizers": "Organizations that organized the event.",
    "event": "The event.",
    "session": "The session, if known.",
    "person": "The person.",
    "role": "Their part in the session.",
    "order": "Position among the event's sessions.",
    "format": "Format of the session.",
    "starts_at": "When it started (UTC).",
    "ends_at": "When it ended (UTC).",
    "rapporteur_summary": "The rapporteur's summary of the session.",
    "translations": "Translations of the short title and text.",
    "source": "Where it was made, and by whom.",
    "source_location": "Where in the source document the text is.",
    "links": "Links to earlier and later recommendations making the same ask.",
    "primary": "Whether this is the recommendation's primary objective.",
    "tagging_source": "How the tag was made.",
    "results": "The items of this page.",
    "ObjectiveTagInputRequest.number": "Objective number, 1 to 23.",
    "ObjectiveTagInputRequest.primary": "Mark one tag primary; a published one needs one.",
    "Translation.language": "Language of the translation.",
    "Translation.text": "The translated text.",
}


def describe_fields(result, generator, request, public):
    """Postprocessing hook: give every component field a description."""
    for component, schema in result.get("components", {}).get("schemas", {}).items():
        for name, field in (schema.get("properties") or {}).items():
            if field.get("description"):
                continue
            description = FIELD_DESCRIPTIONS.get(f"{component}.{name}") or FIELD_DESCRIPTIONS.get(
                name
            )
            if description is None:
                continue
            if "$ref" in field:
                # A description beside $ref is ignored in OpenAPI 3.0: wrap the reference.
                schema["properties"][name] = {"allOf": [{"$ref": field.pop("$ref")}], **field}
            schema["properties"][name]["description"] = description
    return result
