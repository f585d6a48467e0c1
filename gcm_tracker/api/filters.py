"""Strict filtering: an unknown parameter or value is a 400 naming it, never an empty list."""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import ValidationError

from gcm_tracker.api.pagination import SYNC_PARAMETERS, paging_errors

PAGING_PARAMETERS = ("page", "page_size", *SYNC_PARAMETERS)
# How many values one list parameter takes; beyond that a query is more likely abuse than use.
MAX_VALUES = 50


class ValueListWidget(forms.Widget):
    """Reads `?name=a&name=b` and `?name=a,b` alike."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        return [part.strip() for value in values for part in str(value).split(",")]


class ValueListField(forms.Field):
    widget = ValueListWidget

    def __init__(self, *, item_field: forms.Field, **kwargs):
        self.item_field = item_field
        super().__init__(**kwargs)

    def clean(self, values):
        if values is None:
            return None
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(_("Give at most %(max)d values.") % {"max": MAX_VALUES})
        cleaned, errors = [], []
        for value in values:
            try:
                if value == "":
                    raise forms.ValidationError(_("an empty value is not allowed"))
                if "\x00" in value:
                    # PostgreSQL cannot even compare such a string; no code or slug holds one.
                    raise forms.ValidationError(_("a NUL character is not allowed"))
                cleaned.append(self.item_field.clean(value))
            except forms.ValidationError as error:
                errors.extend(f"“{value}”: {message}" for message in error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _item_schema(field: forms.Field) -> dict:
    if getattr(field, "schema", None):
        return field.schema
    if isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return {"type": "string", "enum": [str(value) for value, _label in field.choices]}
    return {"type": "string"}


class ValueListFilter(django_filters.Filter):
    """One or several values, as repeated parameters or comma-separated; any of them matches."""

    field_class = ValueListField

    def __init__(self, *args, item_field: forms.Field, example=None, **kwargs):
        super().__init__(*args, item_field=item_field, **kwargs)
        schema = {
            "type": "array",
            "items": _item_schema(item_field),
            "description": str(kwargs.get("help_text", "")),
        }
        if example is not None:
            schema["example"] = example
        set_override(self, "field", schema)

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.method is not None:
            return super().filter(qs, value)
        return qs.filter(**{f"{self.field_name}__in": value})


class CodeField(forms.ModelChoiceField):
    """A model instance named by a public code or slug, with a message naming what is unknown."""

    def __init__(self, queryset, to_field_name: str, what: str):
        super().__init__(
            queryset=queryset,
            to_field_name=to_field_name,
            error_messages={
                "invalid_choice": _("no %(what)s has this %(key)s")
                % {"what": what, "key": to_field_name}
            },
        )
        self.schema = {"type": "integer" if to_field_name == "id" else "string"}


class CountryField(forms.ChoiceField):
    """An ISO 3166-1 alpha-2 code, in either case."""

    schema = {"type": "string", "pattern": "^[A-Za-z]{2}$"}

    def __init__(self):
        from django_countries import countries

        super().__init__(choices=list(countries))

    def clean(self, value):
        return super().clean(value.upper() if isinstance(value, str) else value)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Orders by the fields asked for, then by id, so equal values never swap between pages."""

    def filter(self, qs, value):
        if value in (None, [], ""):
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        # updated_at in the API is the row's version (see ConditionalReadMixin.filter_queryset).
        ordering = [field.replace("updated_at", "api_version") for field in ordering]
        return qs.order_by(*ordering, "pk")


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, turned to UTC: databases refuse some offsets Python accepts."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This moment is out of range.")) from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class TrackerFilterSet(django_filters.FilterSet):
    updated_after = MomentFilter(
        field_name="api_version",
        lookup_expr="gt",
        method="filter_updated_after",
        help_text=gettext_lazy(
            "Only items changed after this moment (ISO 8601, e.g. 2024-05-01T00:00:00Z); "
            "switches to sync paging in updated_at, id order."
        ),
    )

    def filter_updated_after(self, queryset, name, moment):
        view = getattr(self.request, "parser_context", {}).get("view")
        if hasattr(view, "changed_since"):
            return view.changed_since(queryset, moment)
        return queryset.filter(api_version__gt=moment)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 for parameters the endpoint does not know or takes once only.

    Every bad parameter of a request is named in one answer, paging ones included.
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "detail", False):
            self._raise(self._parameter_errors(request, {"format"}, set()))
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        filters = dict(filterset.filters) if filterset is not None else {}
        single = {name for name, f in filters.items() if not isinstance(f, ValueListFilter)}
        errors = self._parameter_errors(
            request,
            {*filters, *PAGING_PARAMETERS, "format"},
            single | {*PAGING_PARAMETERS, "format"},
        )
        errors.update(paging_errors(request))
        if filterset is not None and not filterset.is_valid():
            errors.update({name: list(messages) for name, messages in filterset.errors.items()})
        self._raise(errors)
        return filterset.qs if filterset is not None else queryset

    @staticmethod
    def _raise(errors: dict):
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _parameter_errors(request, known: set, single: set) -> dict:
        errors = {}
        for name in request.query_params:
            if name not in known:
                errors[name] = [
                    _("Unknown query parameter. This endpoint takes: %(known)s.")
                    % {"known": ", ".join(sorted(known))}
                ]
            elif name in single and len(request.query_params.getlist(name)) > 1:
                errors[name] = [_("Give this parameter once.")]
        return errors
