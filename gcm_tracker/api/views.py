"""The base every API v1 endpoint builds on: conditional reads, CSV lists, caching headers."""

from django.http import HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gcm_tracker.api import csv
from gcm_tracker.api.conditional import Versioned, not_modified, set_validators
from gcm_tracker.api.filters import PAGING_PARAMETERS
from gcm_tracker.api.prebuilt import represent

# Anonymous answers may sit in shared caches briefly; a partner's own view stays private.
PUBLIC_MAX_AGE = 60


class TrackerAPIMixin(Versioned):
    """Caching headers on every answer; errors always in JSON, even when CSV was asked for."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", "json") != "json":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            if request.user and request.user.is_authenticated:
                patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response


class ConditionalReadMixin(TrackerAPIMixin):
    """Lists and details with ETag/Last-Modified, 304s, paging and CSV for lists."""

    csv_filename = None

    def get_renderers(self):
        if getattr(self, "detail", False):
            return [JSONRenderer()]
        return [JSONRenderer(), csv.CSVRenderer()]

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", None) == "csv"

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        count, last = self.version_of(queryset)
        self.list_count = count
        etag = self.list_etag(request, count, last)
        # A list's Last-Modified cannot see an item leave it, so only its ETag answers 304s.
        if not_modified(request, etag, last, by_date=False):
            return set_validators(HttpResponseNotModified(), etag, last)
        if self.wants_csv():
            self.check_csv_parameters(request)
            response = self.csv_response(queryset)
        else:
            page = self.paginate_queryset(queryset)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        return set_validators(response, etag, last)

    # Serializers whose fields are the same for every caller and item: built once per thread
    # (see gcm_tracker/api/prebuilt.py) for reading one item.
    prebuilt_serializers: tuple = ()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        etag = self.item_etag(request, instance, instance.api_version)
        if not_modified(request, etag, instance.api_version, by_date=True):
            return set_validators(HttpResponseNotModified(), etag, instance.api_version)
        serializer_class = self.get_serializer_class()
        if serializer_class in self.prebuilt_serializers:
            data = represent(serializer_class, instance, self.get_serializer_context())
        else:
            data = self.get_serializer(instance).data
        return set_validators(Response(data), etag, instance.api_version)

    def filter_queryset(self, queryset):
        # Every row carries its version: what its updated_at shows, what updated_after
        # compares and what sync pages follow, and its ETag with no extra query.
        return super().filter_queryset(queryset.annotate(api_version=self.version_expression()))

    @staticmethod
    def check_csv_parameters(request):
        paged = [
            name
            for name in PAGING_PARAMETERS
            if name in request.query_params and name != "updated_after"
        ]
        if paged:
            raise ValidationError(
                {
                    name: [_("CSV answers hold every matching item and are not paged.")]
                    for name in paged
                }
            )

    def csv_response(self, queryset):
        serializer = self.get_serializer(queryset, many=True)
        columns = csv.columns_of(serializer.child)
        rows = (csv.cells_of(item, columns) for item in serializer.data)
        return csv.stream_csv(columns, rows, self.csv_filename or self.basename)


class TrackerReadOnlyViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    pass


@extend_schema(exclude=True)
class NotFoundView(TrackerAPIMixin, APIView):
    """Any other address under /api/v1/: a 404 in JSON, like every other API error."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(_("There is nothing at this address: see /api/v1/docs/."))
