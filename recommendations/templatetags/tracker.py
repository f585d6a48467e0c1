"""Template helpers of the public site: the language switcher, status bars and SVG charts.

The charts are drawn on the server as SVG so they show with no script and no network, and each
comes with the same numbers as a table.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

from gcm_tracker.search import highlight as search_highlight
from recommendations.models import Status

register = template.Library()

BAR_ROW = 24
BAR_LABEL_WIDTH = 36
BAR_AREA = 300
HEAT_CELL = 30
HEAT_LABEL_WIDTH = 36
# Five shades of one blue, light to dark; the darker two carry white text for contrast.
HEAT_SHADES = ["#f1f5f9", "#cfe0f3", "#8fb8e5", "#2f6db5", "#173f73"]


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """This same page, with its filters, in each language of the site."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


def _segments(counts: dict[str, int]) -> tuple[int, list[dict]]:
    total = sum(counts.values())
    segments, start = [], 0.0
    for status in Status:
        count = counts.get(status.value, 0)
        if count:
            width = 100 * count / total
            segments.append(
                {"status": status, "count": count, "x": round(start, 3), "width": round(width, 3)}
            )
            start += width
    return total, segments


def status_counts_of(holder) -> dict[str, int]:
    """The `<status>_count` annotations of an objective, as {status: count}."""
    return {status.value: getattr(holder, f"{status.value}_count", 0) for status in Status}


@register.inclusion_tag("includes/status_bar.html")
def status_bar(holder):
    """A bar of follow-up statuses for an objective annotated by with_status_counts()."""
    total, segments = _segments(status_counts_of(holder))
    return {"total": total, "segments": segments}


@register.inclusion_tag("includes/status_bar.html")
def status_bar_of_options(options):
    """A bar of follow-up statuses from the status filter's counted options."""
    total, segments = _segments({option.value: option.count for option in options})
    return {"total": total, "segments": segments, "legend": True}


@register.inclusion_tag("includes/chart_per_objective.html")
def chart_per_objective(objectives):
    """Horizontal bars: published recommendations per objective."""
    rows = list(objectives)
    most = max((o.published_count for o in rows), default=0) or 1
    bars = []
    for i, objective in enumerate(rows):
        width = round(BAR_AREA * objective.published_count / most, 2)
        bars.append(
            {
                "objective": objective,
                "y": i * BAR_ROW,
                "width": width,
                "value_x": round(BAR_LABEL_WIDTH + width + 4, 2),
                "count": objective.published_count,
            }
        )
    return {
        "bars": bars,
        "label_width": BAR_LABEL_WIDTH,
        "row": BAR_ROW,
        "width": BAR_LABEL_WIDTH + BAR_AREA + 40,
        "height": BAR_ROW * len(rows),
        "objectives": rows,
    }


@register.inclusion_tag("includes/chart_status_by_objective.html")
def chart_status_by_objective(objectives):
    """Stacked bars: the share of each follow-up status among each objective's recommendations."""
    rows = []
    for i, objective in enumerate(objectives):
        total, segments = _segments(status_counts_of(objective))
        rows.append(
            {
                "objective": objective,
                "y": i * BAR_ROW,
                "total": total,
                "segments": [
                    {**s, "x": BAR_LABEL_WIDTH + s["x"] * 3, "width": s["width"] * 3}
                    for s in segments
                ],
                "counts": [getattr(objective, f"{status.value}_count") for status in Status],
            }
        )
    return {
        "rows": rows,
        "statuses": list(Status),
        "label_width": BAR_LABEL_WIDTH,
        "row": BAR_ROW,
        "width": BAR_LABEL_WIDTH + BAR_AREA + 4,
        "height": BAR_ROW * len(rows),
    }


@register.inclusion_tag("includes/chart_heat_map.html")
def chart_heat_map(objectives, events, counts):
    """Objectives down, events across: how many recommendations each event made on each."""
    events = list(events)
    cells = {
        (row["objective_links__objective__number"], row["event__code"]): row["count"]
        for row in counts
    }
    most = max(cells.values(), default=0) or 1
    rows = []
    for i, objective in enumerate(objectives):
        row_cells = []
        for j, event in enumerate(events):
            count = cells.get((objective.number, event.code), 0)
            shade = 0 if not count else 1 + min(3, int(4 * (count - 1) / most))
            row_cells.append(
                {
                    "event": event,
                    "count": count,
                    "x": HEAT_LABEL_WIDTH + j * HEAT_CELL,
                    "middle": HEAT_LABEL_WIDTH + j * HEAT_CELL + HEAT_CELL // 2,
                    "fill": HEAT_SHADES[shade],
                    "dark": shade >= 3,
                }
            )
        rows.append({"objective": objective, "y": i * HEAT_CELL, "cells": row_cells})
    return {
        "rows": rows,
        "events": events,
        "columns": [
            {"event": event, "x": HEAT_LABEL_WIDTH + j * HEAT_CELL + HEAT_CELL // 2}
            for j, event in enumerate(events)
        ],
        "cell": HEAT_CELL,
        "half": HEAT_CELL // 2,
        "label_width": HEAT_LABEL_WIDTH,
        # Room on the right for the last event's slanted label.
        "width": HEAT_LABEL_WIDTH + HEAT_CELL * len(events) + 40,
        "display_width": round((HEAT_LABEL_WIDTH + HEAT_CELL * len(events) + 40) * 1.5),
        "height": HEAT_CELL * len(rows),
    }


@register.filter
def highlight(text: str, query: str):
    """An excerpt of `text` around the words of `query`, marked; the whole text if no query."""
    return search_highlight(text or "", query) if query else text
