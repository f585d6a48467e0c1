"""Template helpers of the public site: the language switcher, status bars and SVG charts.

The charts are drawn on the server as SVG so they show with no script and no network, and each
comes with the same numbers as a table.
"""

from html import escape
from urllib.parse import quote

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse, translate_url
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
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
    """Objectives down, events across: how many recommendations each event made on each.

    At a hundred thousand recommendations there are thousands of events, so tens of thousands
    of cells: they are written out here, escaped as the templates escape, rather than by
    template loops, which would take seconds.
    """
    events = list(events)
    cells = {
        (row["objective_links__objective__number"], row["event__code"]): row["count"]
        for row in counts
    }
    most = max(cells.values(), default=0) or 1
    half = HEAT_CELL // 2
    codes = [escape(event.code) for event in events]
    svg, table = [], []
    for j, code in enumerate(codes):
        x = HEAT_LABEL_WIDTH + j * HEAT_CELL + half
        svg.append(
            f'<text transform="translate({x} -6) rotate(-50)" class="axis-label">{code}</text>'
        )
    for i, objective in enumerate(objectives):
        number = objective.number
        svg.append(
            f'<g transform="translate(0 {i * HEAT_CELL})"><text x="{HEAT_LABEL_WIDTH - 6}" '
            f'y="{half + 5}" text-anchor="end" class="axis-label">{number}</text>'
        )
        table.append(f'<tr><th scope="row">{number}. {escape(str(objective.short_title))}</th>')
        for j, (event, code) in enumerate(zip(events, codes, strict=True)):
            count = cells.get((number, event.code), 0)
            shade = 0 if not count else 1 + min(3, int(4 * (count - 1) / most))
            x = HEAT_LABEL_WIDTH + j * HEAT_CELL
            svg.append(
                f'<rect x="{x}" y="0" width="{HEAT_CELL}" height="{HEAT_CELL}" '
                f'fill="{HEAT_SHADES[shade]}" class="heat-cell">'
                f"<title>{number} · {code}: {count}</title></rect>"
            )
            if count:
                dark = " on-dark" if shade >= 3 else ""
                svg.append(
                    f'<text x="{x + half}" y="{half + 5}" text-anchor="middle" '
                    f'class="cell-label{dark}">{count}</text>'
                )
            table.append(f'<td class="num">{count}</td>')
        svg.append("</g>")
        table.append("</tr>")
    head = "".join(
        f'<th scope="col" class="num"><a href="{escape(event.get_absolute_url())}" '
        f'title="{escape(event.title)}">{code}</a></th>'
        for event, code in zip(events, codes, strict=True)
    )
    width = HEAT_LABEL_WIDTH + HEAT_CELL * len(events) + 40
    return {
        "events": events,
        # Every value in these is escaped above.
        "svg_cells": mark_safe("".join(svg)),  # noqa: S308
        "table_head": mark_safe(head),  # noqa: S308
        "table_body": mark_safe("".join(table)),  # noqa: S308
        # Room on the right for the last event's slanted label.
        "width": width,
        "display_width": round(width * 1.5),
        "height": HEAT_CELL * len(objectives),
    }


@register.filter
def highlight(text: str, query: str):
    """An excerpt of `text` around the words of `query`, marked; the whole text if no query."""
    return search_highlight(text or "", query) if query else text


# The characters reverse() leaves unquoted in an address.
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
# A list's filters offer every value with its count: an objective at a hundred thousand
# recommendations has thousands of speakers and events. Written out here rather than by a
# template loop, which would take ten times as long; escaped as the templates escape (Django's
# escape() is the standard library's, behind a check for lazy text these strings never are).


def _count(number: int) -> str:
    return str(number) if 0 <= number < 1000 else intcomma(number)


@register.simple_tag
def facet_options(facet) -> str:
    """The <option> elements of a filter's values, each with its count, the chosen one selected."""
    selected = facet.selected
    return mark_safe(  # noqa: S308  (every value and label is escaped)
        "\n".join(
            f'<option value="{escape(option.value)}"'
            f"{' selected' if option.value == selected else ''}>"
            f"{escape(option.label)} ({_count(option.count)})</option>"
            for option in facet.options
        )
    )


@register.simple_tag
def facet_links(facet) -> str:
    """A link to the list narrowed to each of a filter's values, with its count, as list items."""
    base = facet.remove_query + ("&" if facet.remove_query != "?" else "")
    prefix = escape(f"{base}{facet.field.name}=")
    return mark_safe(  # noqa: S308  (every value and label is escaped)
        "".join(
            f'<li><a href="{prefix}{escape(quote(option.value))}">{escape(option.label)} '
            f'<span class="count">({_count(option.count)})</span></a></li>'
            for option in facet.options
        )
    )


@register.simple_tag
def session_links(sessions) -> str:
    """List items linking each session and its event (an objective discussed at a thousand).

    The addresses come from one reverse() with markers in place of the codes, filled in as
    reverse() would fill them (quoted alike), instead of two reverse() calls a session.
    """
    marker_event, marker_session = "gcm0event0", "gcm0session0"
    pattern = reverse(
        "consultations:session", kwargs={"code": marker_event, "session": marker_session}
    )
    before, rest = pattern.split(marker_event)
    middle, after = rest.split(marker_session)
    event_pattern = reverse("consultations:event", kwargs={"code": marker_event})
    event_before, event_after = event_pattern.split(marker_event)
    items = []
    for session in sessions:
        event = session.event
        if "/" in session.code:
            session_url = session.get_absolute_url()  # what reverse() makes of it, or refuses
        else:
            session_url = before + event.code + middle + quote(session.code, URL_SAFE) + after
        event_url = event_before + event.code + event_after
        items.append(
            f'<li><a href="{escape(session_url)}">{escape(session.title)}</a>'
            f' — <a href="{escape(event_url)}">{escape(event.title)}</a></li>'
        )
    return mark_safe("".join(items))  # noqa: S308  (every value is escaped)


@register.simple_tag
def page_numbers(page_obj) -> list[int]:
    """The pages a list links to: the first, the last, and two either side of this one."""
    last = page_obj.paginator.num_pages
    here = page_obj.number
    return sorted({1, last, *range(max(1, here - 2), min(last, here + 2) + 1)})
