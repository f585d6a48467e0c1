"""Page numbers for browsing; keyset cursors over (updated_at, id) for incremental sync.

A request with `updated_after` or `cursor` is a sync request: its pages follow the items in the
order they last changed, so an item edited while a partner pages through moves to a later page
instead of shifting the pages and being skipped.
"""

from functools import cached_property, partial

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SYNC_PARAMETERS = ("updated_after", "cursor")


def page_size_from(request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return int(raw)


def paging_errors(request) -> dict:
    """What is wrong with the paging parameters, by name, before any query runs."""
    errors = {}
    try:
        page_size_from(request)
    except ValidationError as error:
        errors.update(error.detail)
    page = request.query_params.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        errors["page"] = [_("Give a page number from 1 on.")]
    return errors


class _CountedPaginator(Paginator):
    """A paginator told how many items there are, when the list's ETag has counted them."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count

    @cached_property
    def count(self):
        return super().count


class _Pages(pagination.PageNumberPagination):
    def __init__(self, count: int | None = None):
        # Counting a large filtered list again costs as much as the page itself.
        self.django_paginator_class = partial(_CountedPaginator, count=count)

    def get_page_size(self, request):
        return page_size_from(request)

    def get_page_number(self, request, paginator):
        errors = paging_errors(request)
        if errors:
            raise ValidationError(errors)
        return request.query_params.get(self.page_query_param, "1")

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound(_("There is no such page: follow `next` from the first page.")) from None


class _Cursor(pagination.CursorPagination):
    def __init__(self, ordering):
        self.ordering = ordering

    def get_page_size(self, request):
        return page_size_from(request)

    def get_ordering(self, request, queryset, view):
        return self.ordering

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": [_("Unknown cursor: use the `next` link of the previous page as is.")]}
            ) from None


class TrackerPagination(pagination.BasePagination):
    """Delegates to page-number or cursor paging; both answer {count, next, previous, results}."""

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        if any(name in params for name in SYNC_PARAMETERS):
            if "page" in params or "ordering" in params:
                clash = "page" if "page" in params else "ordering"
                raise ValidationError(
                    {
                        clash: [
                            _(
                                "Sync pages (with updated_after or cursor) always come in "
                                "updated_at, id order and are followed with `next`."
                            )
                        ]
                    }
                )
            self.delegate = _Cursor(("api_version", "id"))
        else:
            self.delegate = _Pages(count=getattr(view, "list_count", None))
        return self.delegate.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        count = self.delegate.page.paginator.count if isinstance(self.delegate, _Pages) else None
        return Response(
            {
                "count": count,
                "next": self.delegate.get_next_link(),
                "previous": self.delegate.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": "How many items match in all; null on sync (cursor) pages.",
                    "example": 124,
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, with every parameter kept; null on the last.",
                    "example": "https://tracker.example.org/api/v1/recommendations/?page=3",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, with every parameter kept; null on the first.",
                    "example": "https://tracker.example.org/api/v1/recommendations/?page=1",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1 (not with updated_after or cursor).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Items per page: {DEFAULT_PAGE_SIZE} unless given, "
                f"at most {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position of a sync page; only ever taken from `next`.",
                "schema": {"type": "string"},
            },
        ]


class ListPages(_Pages):
    """Page numbers over a list built in Python, such as the recurring asks."""
