"""The floor of the API benchmarks: the same SQL and the same JSON, with no framework layers.

The runner asks the real API once, capturing the statements it ran, and hands them to these
views. A floor view replays those exact statements through a raw cursor and builds the answer
by hand: no middleware, no REST framework, no ORM, no serializers. The runner checks that the
floor's body is byte for byte the API's, so the two did the same work; what the API takes beyond
the floor is what its layers cost.
"""

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils.dateparse import parse_date, parse_datetime

# Per floor name: the API path it stands in for and the API's statements by role, set by the
# runner before a floor view is timed.
STATEMENTS: dict[str, dict] = {}
FIRST_COLUMN = re.compile(r'^SELECT\s+\(?"(\w+)"\.', re.IGNORECASE)


def classify(statements: list[tuple]) -> dict[str, list]:
    """Name each captured (sql, params, ...) by what it reads, the way the floor uses it."""
    roles: dict[str, list] = {}
    for sql, params, *_rest in statements:
        if sql.startswith("SELECT COUNT(DISTINCT"):
            role = "version"
        else:
            match = FIRST_COLUMN.match(sql)
            table = match.group(1) if match else ""
            role = {
                "recommendations_recommendation": "items",
                "recommendations_recommendationtranslation": "translations",
                "recommendations_recommendationobjective": "objectives",
                "recommendations_recommendation_principles": "principles",
                "recommendations_recommendation_addressees": "addressees",
            }.get(table, "")
            if table == "recommendations_recommendationlink":
                earlier = '"to_recommendation_id" = "recommendations_recommendation"."id"' in sql
                role = "earlier" if earlier else "later"
            if not role:
                raise ValueError(f"The floor does not know this statement: {sql[:120]}")
        if role in roles:
            raise ValueError(f"Two statements for {role}: the API's queries changed shape.")
        roles[role] = [sql, params]
    return roles


def _rows(role: str, statements: dict) -> list[list[dict]]:
    """Each row of a statement as its column groups: one dict per model, split at each id."""
    sql, params = statements[role]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    out = []
    for row in rows:
        groups, current = [], {}
        for name, value in zip(names, row, strict=True):
            if name == "id" and "id" in current:
                groups.append(current)
                current = {}
            current[name] = value
        groups.append(current)
        out.append(groups)
    return out


def _moment(value) -> datetime | None:
    """A timestamp as PostgreSQL returns it; SQLite returns text or naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _day(value) -> date | None:
    return parse_date(value) if isinstance(value, str) else value


def _iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        text = moment.astimezone(UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return moment.isoformat()


def _with_query(url: str, key: str, value) -> str:
    scheme, netloc, path_, query, fragment = urlsplit(url)
    items = parse_qs(query, keep_blank_values=True)
    items[key] = [str(value)]
    return urlunsplit(
        (scheme, netloc, path_, urlencode(sorted(items.items()), doseq=True), fragment)
    )


def _etag(*parts) -> str:
    return '"' + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40] + '"'


def _http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _group_by(rows: list[list[dict]], key: str) -> dict:
    grouped: dict = {}
    for groups in rows:
        grouped.setdefault(groups[0][key], []).append(groups)
    return grouped


def items(statements: dict, base: str) -> list[dict]:
    """The recommendations of the page, as the API represents them."""
    rows = _rows("items", statements)
    translations = _group_by(_rows("translations", statements), "recommendation_id")
    objectives = _group_by(_rows("objectives", statements), "recommendation_id")
    principles = _group_by(
        _rows("principles", statements), "_prefetch_related_val_recommendation_id"
    )
    addressees = _group_by(
        _rows("addressees", statements), "_prefetch_related_val_recommendation_id"
    )
    earlier = _group_by(_rows("earlier", statements), "from_recommendation_id")
    later = _group_by(_rows("later", statements), "to_recommendation_id")

    def linked(links, kind):
        return [
            {
                "reference": other["reference"],
                "short_title": other["short_title"],
                "url": f"{base}/recommendations/{other['reference']}/",
            }
            for link, other in links
            if link["kind"] == kind
        ]

    out = []
    for recommendation, event, session, _session_event, speaker, organization in rows:
        pk, reference = recommendation["id"], recommendation["reference"]
        before = [(g[0], g[1]) for g in earlier.get(pk, [])]
        after = [(g[0], g[1]) for g in later.get(pk, [])]
        out.append(
            {
                "id": pk,
                "reference": reference,
                "short_title": recommendation["short_title"],
                "text": recommendation["text"],
                "language": recommendation["language"],
                "translations": [
                    {"language": t["language"], "short_title": t["short_title"], "text": t["text"]}
                    for (t,) in translations.get(pk, [])
                ],
                "objectives": [
                    {
                        "number": objective["number"],
                        "short_title": objective["short_title_en"],
                        "title": objective["title_en"],
                        "primary": bool(tag["is_primary"]),
                        "tagging_source": tag["source"],
                        "url": f"{base}/objectives/{objective['number']}/",
                    }
                    for tag, objective in objectives.get(pk, [])
                ],
                "principles": [
                    {
                        "number": p["number"],
                        "slug": p["slug"],
                        "name": p["name_en"],
                        "url": f"{base}/objectives/principles/{p['slug']}/",
                    }
                    for (p,) in principles.get(pk, [])
                ],
                "source": {
                    "event": {
                        "code": event["code"],
                        "title": event["title"],
                        "year": _day(event["start_date"]).year if event["start_date"] else None,
                        "url": f"{base}/events/{event['code']}/",
                    },
                    "session": {
                        "id": session["id"],
                        "code": session["code"],
                        "title": session["title"],
                        "format": session["format"],
                        "url": f"{base}/events/{event['code']}/sessions/{session['code']}/",
                    }
                    if session["id"] is not None
                    else None,
                    "speaker": {
                        "slug": speaker["slug"],
                        "name": speaker["name"],
                        "url": f"{base}/people/{speaker['slug']}/",
                    }
                    if speaker["id"] is not None and recommendation["speaker_is_public"]
                    else None,
                    "organization": {
                        "slug": organization["slug"],
                        "name": organization["name"],
                        "acronym": organization["acronym"],
                        "kind": organization["kind"],
                        "country": organization["country"],
                        "url": f"{base}/organizations/{organization['slug']}/",
                    }
                    if organization["id"] is not None
                    else None,
                    "location": recommendation["source_location"],
                },
                "addressees": [
                    {"slug": a["slug"], "name": a["name"]} for (a,) in addressees.get(pk, [])
                ],
                "countries": [code for code in recommendation["countries"].split(",") if code],
                "current_status": recommendation["current_status"],
                "status_date": _iso(_day(recommendation["status_date"])),
                "state": recommendation["state"],
                "published_at": _iso(_moment(recommendation["published_at"])),
                "links": {
                    "repeats": linked(before, "repeats"),
                    "follows_up_on": linked(before, "follows_up_on"),
                    "repeated_by": linked(after, "repeats"),
                    "followed_up_by": linked(after, "follows_up_on"),
                },
                "follow_ups_url": f"{base}/api/v1/recommendations/{reference}/follow-ups/",
                "url": f"{base}/recommendations/{reference}/",
                "created_at": _iso(_moment(recommendation["created_at"])),
                # The API's updated_at is the item's version: its own or an embedded change.
                "updated_at": _iso(_moment(recommendation["api_version"])),
                "_version": _moment(recommendation["api_version"]),
                "_position": str(_moment(recommendation["api_version"])),
            }
        )
    return out


def _respond(data, etag: str, last: datetime | None) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    if last is not None:
        response["Last-Modified"] = _http_date(last)
    response["Cache-Control"] = "public, max-age=60"
    return response


def _version(statements: dict) -> tuple[int, datetime | None]:
    sql, params = statements["version"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, last = cursor.fetchone()
    return count, _moment(last)


def recommendation_list(request, name: str):
    """A page of recommendations, numbered or (with updated_after) by sync cursor."""
    api_path, statements = STATEMENTS[name]["path"], STATEMENTS[name]["statements"]
    base = f"{request.scheme}://{request.get_host()}"
    count, last = _version(statements)
    params = sorted((key, tuple(values)) for key, values in request.GET.lists())
    etag = _etag("list", api_path, "public", "json", params, count, last)
    size = int(request.GET.get("page_size", 50))
    url = f"{base}{api_path}?{request.META.get('QUERY_STRING', '')}"
    found = items(statements, base)
    if "updated_after" in request.GET:
        page, following = found[:size], found[size : size + 1]
        next_link = None
        if following:
            # As the REST framework's cursor: skip past items sharing the last position.
            offset, compare = 0, following[0]["_position"]
            for item in reversed(page):
                if item["_position"] != compare:
                    break
                compare = item["_position"]
                offset += 1
            tokens = {"o": str(offset)} if offset else {}
            tokens["p"] = page[-1 - offset]["_position"] if offset < len(page) else compare
            cursor = base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
            next_link = _with_query(url, "cursor", cursor)
        data = {"count": None, "next": next_link, "previous": None, "results": page}
    else:
        # The version statement counted the list, as the API's does.
        total = count
        page = found
        data = {
            "count": total,
            "next": _with_query(url, "page", 2) if total > size else None,
            "previous": None,
            "results": page,
        }
    for item in page:
        del item["_version"], item["_position"]
    return _respond(data, etag, last)


def recommendation_detail(request, name: str):
    """One recommendation by reference."""
    statements = STATEMENTS[name]["statements"]
    base = f"{request.scheme}://{request.get_host()}"
    (item,) = items(statements, base)
    version = item.pop("_version")
    del item["_position"]
    etag = _etag("item", "recommendations.Recommendation", item["id"], version)
    return _respond(item, etag, version)


urlpatterns = [
    path("floor/list/<str:name>/", recommendation_list),
    path("floor/detail/<str:name>/", recommendation_detail),
]
