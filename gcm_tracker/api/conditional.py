"""ETag and Last-Modified computed from the database's own timestamps, before any serializing.

A list's validators come from one aggregate query over the filtered rows (how many, and the
latest change of them or of what they embed), so a matching If-None-Match costs one query.
"""

import hashlib
from datetime import datetime

from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce, Greatest
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _

from gcm_tracker.api.exceptions import PreconditionFailed, PreconditionRequired


def audience(request) -> str:
    """Whose view of the data a response is: anonymous callers all share one."""
    user = getattr(request, "user", None)
    return f"user-{user.pk}" if user is not None and user.is_authenticated else "public"


def make_etag(*parts) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:40]}"'


def _opaque(etag: str) -> str:
    return etag.removeprefix("W/")


class Versioned:
    """Mixin for views over a model with an `updated_field` timestamp."""

    updated_field = "updated_at"
    # Timestamps of embedded related rows: a change to them changes this item's representation.
    version_fields: tuple = ()

    def version_expression(self):
        own = F(self.updated_field)
        embedded = [Coalesce(field, own) for field in self.embedded_versions()]
        return Greatest(own, *embedded) if embedded else own

    def embedded_versions(self) -> list:
        return [F(name) for name in self.version_fields]

    def changed_since(self, queryset, moment: datetime):
        """`queryset` narrowed to the rows whose version is after `moment`.

        No index holds the version, the latest of timestamps across joined tables, so comparing
        it means computing it for every row. A row's version is after `moment` exactly when one
        of those timestamps is; each of them is an id subquery answered from its own table's
        index, and their UNION narrows the rows before the version itself is compared.
        """
        manager = queryset.model._default_manager
        changed = [
            manager.filter(**{f"{name}__gt": moment}).order_by().values("pk")
            for name in (self.updated_field, *self.version_fields)
        ] + self.embedded_changes(moment)
        first, *others = changed
        return queryset.filter(
            pk__in=first.union(*others) if others else first, api_version__gt=moment
        )

    def embedded_changes(self, moment: datetime) -> list:
        """Id subqueries of rows changed after `moment` through what embedded_versions adds to
        version_fields."""
        return []

    def version_of(self, queryset) -> tuple[int, datetime | None]:
        """How many rows, and the latest moment one of them or what it embeds changed."""
        row = queryset.order_by().aggregate(
            count=Count("pk", distinct=True), last=Max(self.version_expression())
        )
        return row["count"], row["last"]

    def list_etag(self, request, count, last) -> str:
        params = sorted((key, tuple(values)) for key, values in request.query_params.lists())
        renderer = getattr(request, "accepted_renderer", None)
        return make_etag(
            "list",
            request.path,
            audience(request),
            getattr(renderer, "format", ""),
            params,
            count,
            last,
        )

    def item_etag(self, request, obj, last) -> str:
        # The same for every caller, so an ETag read anonymously is good for a write later.
        return make_etag("item", obj._meta.label, obj.pk, last)

    def current_item_etag(self, request, obj) -> tuple[str, datetime | None]:
        _count, last = self.version_of(type(obj)._default_manager.filter(pk=obj.pk))
        return self.item_etag(request, obj, last), last

    def check_if_match(self, request, obj):
        """Raise unless If-Match names the item's current ETag (428 when missing, 412 when stale)."""
        header = request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired()
        etags = parse_etags(header)
        if etags == ["*"]:
            raise PreconditionRequired(
                _("If-Match: * is not enough here: send the ETag of the item as you read it.")
            )
        current, _last = self.current_item_etag(request, obj)
        # Strong comparison: a weak validator never licenses a write.
        if current not in etags:
            raise PreconditionFailed()


def not_modified(request, etag: str, last_modified: datetime | None, *, by_date: bool) -> bool:
    """Whether a conditional GET can be answered 304."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        etags = {_opaque(tag) for tag in parse_etags(if_none_match)}
        return "*" in etags or etag in etags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if by_date and since is not None and last_modified is not None:
        return int(last_modified.timestamp()) <= since
    return False


def set_validators(response, etag: str, last_modified: datetime | None):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response
