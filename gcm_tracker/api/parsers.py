import io

from django.conf import settings
from rest_framework.parsers import JSONParser

from gcm_tracker.api.exceptions import RequestTooLarge


class LimitedJSONParser(JSONParser):
    """JSON bodies up to settings.API_MAX_BODY_BYTES; larger ones get a 413 before parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        # Read one byte past the limit: a missing or false Content-Length cannot sneak more in.
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(
                RequestTooLarge.default_detail + f" The limit is {limit // 1024} KiB."
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)
