"""Writing thousands of plain rows at once, for imports.

Django's bulk_create builds a model object for every row and prepares every value through its
field; for narrow rows of ids (tags, many-to-many links) that costs more than the database does.
django-simple-history's bulk helpers likewise build a historical object per row. Here one
INSERT per batch writes the rows, and one INSERT … SELECT per batch copies rows just written
into their history table, with the history_date, history_type and history_user the library's
own helpers would set.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models

CREATED, CHANGED = "+", "~"
HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}
BATCH = 500


def insert_rows(
    model: type[models.Model], columns: list[str], rows: list[tuple], *, returning: bool = False
) -> list[int]:
    """Insert `rows` of values for `columns` (already as the database stores them) into the
    table of `model`; the new primary keys, in order, when `returning`."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    back = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    pks = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        values = ", ".join([placeholder] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}{back}",  # noqa: S608
                [value for row in batch for value in row],
            )
            if returning:
                pks += [row[0] for row in cursor.fetchall()]
    return pks


def insert_objects(objs: list[models.Model]) -> None:
    """Insert new model objects of one model, as bulk_create does, setting their primary keys.

    Each value is prepared by its field as bulk_create prepares it; the statement is put
    together once per batch instead of value by value. Fields the database fills (a search
    vector kept by a trigger) are left to it.
    """
    if not objs:
        return
    model = type(objs[0])
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.get_internal_type() != "SearchVectorField"
    ]
    rows = [
        tuple(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)
        for obj in objs
    ]
    pks = insert_rows(model, [field.column for field in fields], rows, returning=True)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def record_history(
    model: type[models.Model],
    pks: Iterable[int],
    *,
    history_type: str,
    user: AbstractBaseUser | None,
    date: datetime,
) -> None:
    """Add a history row for each of `model`'s rows `pks`, as they are in the database now."""
    historical = model.history.model
    quote = connection.ops.quote_name
    copied = [
        field for field in historical._meta.concrete_fields if field.name not in HISTORY_FIELDS
    ]
    table, source = quote(historical._meta.db_table), quote(model._meta.db_table)
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    columns = ", ".join([quote(field.column) for field in copied] + [quote(c) for c in extra])
    copied_columns = ", ".join(quote(model._meta.get_field(f.name).column) for f in copied)
    # Only names from the models' own metadata, quoted, are formatted in; values are parameters.
    insert = f"INSERT INTO {table} ({columns}) SELECT {copied_columns}, %s, NULL, %s, %s"  # noqa: S608
    where = f"FROM {source} WHERE {quote(model._meta.pk.column)} IN"
    pks = list(pks)
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        sql = f"{insert} {where} ({', '.join(['%s'] * len(batch))})"
        params = [
            connection.ops.adapt_datetimefield_value(date),
            history_type,
            user.pk if user is not None else None,
            *batch,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
