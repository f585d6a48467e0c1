"""Benchmark the tracker against a synthetic corpus and print one table (docs/performance.md).

    python -m benchmarks.run --setup          # new database gcm_bench, 100,000 recommendations
    python -m benchmarks.run                  # measure the corpus already there

Every operation runs through Django's full request stack in this process (the test client, the
project's middleware and settings with DEBUG off), a few warm-up runs first. Each is compared
with a floor measured in the same run: for the API list and detail, a hand-written view that
replays the API's own SQL and builds the same JSON with no framework layers (benchmarks/floor.py);
for the other operations, the operation's own SQL replayed through a raw cursor, that is the
database's share. The load run starts gunicorn with the production configuration
(gunicorn.conf.py) on 127.0.0.1 and drives it with a bounded client: a fixed number of
connections for a fixed time, then it stops by itself.
"""

import argparse
import csv
import gc
import io
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gcm_bench"
BENCH_ADMIN = "benchmark-admin"
# How Django opens, nests and ends transactions: not queries the code asked for.
TRANSACTION = re.compile(
    r"^(SAVEPOINT |RELEASE SAVEPOINT |ROLLBACK TO SAVEPOINT |BEGIN\b|COMMIT\b|ROLLBACK\b)"
)
# The replay keeps savepoints (a dry run inside an import rolls back to one) but opens and
# ends the outer transaction itself.
OUTER_TRANSACTION = re.compile(r"^(BEGIN|COMMIT|ROLLBACK)\b(?! TO)")


def configure_environment(database_url: str, cache_url: str):
    """The production settings, on loopback, before Django reads them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gcm_tracker.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
    os.environ["CACHE_URL"] = cache_url
    # Whitenoise wants the folder to exist; the pages in process name files without it.
    static_root = Path(tempfile.gettempdir()) / "gcm-bench-static"
    static_root.mkdir(exist_ok=True)
    os.environ["DJANGO_STATIC_ROOT"] = str(static_root)
    # The rate limits stay on (their cache round trip is part of every call) but never bite:
    # the benchmark measures the application, not the throttle.
    for name in ("API_RATE_ANONYMOUS", "API_RATE_PARTNER", "API_RATE_USER"):
        os.environ[name] = "100000000/minute"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssSampler:
    """The process's resident memory, sampled every few milliseconds while it runs."""

    def __init__(self, every: float = 0.01):
        self.every = every
        self.peak = self.start = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.start


@dataclass
class Row:
    operation: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: str = ""
    floor_ms: float | None = None
    target: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.median_ms is None or not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def render_table(rows: list[Row]) -> str:
    """One Markdown table: every operation, its times, queries, floor, ratio and target."""
    header = [
        "operation",
        "median ms",
        "p95 ms",
        "queries",
        "floor ms",
        "ratio",
        "target",
        "met",
        "notes",
    ]
    lines = [header]
    for row in rows:
        lines.append(
            [
                row.operation,
                _ms(row.median_ms),
                _ms(row.p95_ms),
                row.queries,
                _ms(row.floor_ms),
                "" if row.ratio is None else f"{row.ratio:.2f}x",
                row.target,
                "" if row.met is None else ("yes" if row.met else "**no**"),
                "; ".join(row.notes),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        out.append(
            "| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |"
        )
        if number == 0:
            out.append("| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(out)


class Bench:
    """The operations, their floors and the load run, against the corpus in the database."""

    def __init__(self, args):
        from django.test import Client
        from django.test.client import ClientHandler

        self.args = args
        self.client = Client(HTTP_HOST="127.0.0.1")

        class BareHandler(ClientHandler):
            """Django's request handling with no middleware, routed to the floor views only."""

            def load_middleware(self, is_async=False):
                from django.test import override_settings

                with override_settings(MIDDLEWARE=[]):
                    super().load_middleware(is_async)

            def get_response(self, request):
                request.urlconf = "benchmarks.floor"
                return super().get_response(request)

        self.floor_client = Client(HTTP_HOST="127.0.0.1")
        self.floor_client.handler = BareHandler(enforce_csrf_checks=False)
        self.rows: list[Row] = []

    # Measuring ------------------------------------------------------------------------------

    def times(self, call, runs: int, warmup: int = 2) -> list[float]:
        for _ in range(warmup):
            call()
        gc.collect()
        out = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            out.append(time.perf_counter() - started)
        return out

    def captured(self, call) -> list[tuple]:
        """Every statement `call` sends to the database: (sql, params, many, server-side)."""
        from django.db import connection

        statements = []

        def record(execute, sql, params, many, context):
            # A server-side cursor (iterator()) is planned for its first rows: replay it so.
            named = bool(getattr(context["cursor"].cursor, "name", None))
            statements.append((sql, params, many, named))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            call()
        return statements

    def query_count(self, call) -> int:
        return sum(1 for sql, *_rest in self.captured(call) if not TRANSACTION.match(sql))

    def replay(self, statements):
        """Run captured statements through a raw cursor, reading every row: the SQL alone."""
        from django.db import connection

        for sql, params, many, named in statements:
            if OUTER_TRANSACTION.match(sql):
                continue
            if many:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, params)
                continue
            with connection.chunked_cursor() if named else connection.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    while cursor.fetchmany(2000):
                        pass

    def get(self, url: str, client=None, **extra):
        response = (client or self.client).get(url, **extra)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {body[:300]!r}")
        return response, body

    def measured(
        self,
        name: str,
        url: str,
        *,
        other_url: str | None = None,
        target: str = "",
        limit_ms: float | None = None,
        runs: int | None = None,
        before_each=None,
    ) -> Row:
        runs = runs or self.args.runs

        def call():
            if before_each:
                before_each()
            return self.get(url)

        row = Row(name, target=target)
        for _ in range(2):
            call()
        count = self.query_count(call)
        row.queries = str(count)
        if other_url:

            def other():
                if before_each:
                    before_each()
                return self.get(other_url)

            # Counted as the first address was: after a visit, as most visits come.
            other()
            other_count = self.query_count(other)
            row.queries = str(count) if other_count == count else f"{count} vs {other_count}"
            row.notes.append(
                "query count the same for a larger result"
                if other_count == count
                else "**query count grows with the result**"
            )
        timings = self.times(call, runs)
        row.median_ms = statistics.median(timings) * 1000
        row.p95_ms = percentile(timings, 0.95) * 1000
        statements = self.captured(call)
        if any(not TRANSACTION.match(sql) for sql, *_rest in statements):
            floor = self.times(lambda: self.replay(statements), runs)
            row.floor_ms = statistics.median(floor) * 1000
            row.notes.append("floor: its SQL replayed")
        else:
            row.notes.append("served from the cache: no SQL, no floor")
        if limit_ms is not None:
            row.met = row.median_ms < limit_ms
        self.rows.append(row)
        return row

    def measured_cold(self, name: str, url: str, cache: str) -> Row:
        """`url` when every visit comes right after a change of the data (its cache emptied)."""
        from recommendations import aggregates

        return self.measured(
            f"{name}, {cache} cache cold",
            url,
            before_each=aggregates.invalidate,
            runs=max(3, self.args.runs // 4),
        )

    def measured_api(self, name: str, url: str, kind: str, *, key: str, other_url: str) -> Row:
        """An API call against the hand-written floor view replaying the same SQL."""
        from benchmarks import floor

        row = Row(name, target="within 2x of the floor; fixed queries")
        count = self.query_count(lambda: self.get(url))
        other_count = self.query_count(lambda: self.get(other_url))
        row.queries = str(count) if count == other_count else f"{count} vs {other_count}"
        statements = self.captured(lambda: self.get(url))
        api_path, _, query = url.partition("?")
        floor.STATEMENTS[key] = {"path": api_path, "statements": floor.classify(statements)}
        floor_url = f"/floor/{kind}/{key}/" + (f"?{query}" if query else "")
        api_response, api_body = self.get(url)
        floor_response, floor_body = self.get(floor_url, client=self.floor_client)
        if api_body != floor_body or api_response["ETag"] != floor_response["ETag"]:
            at = next(
                (i for i, (a, b) in enumerate(zip(api_body, floor_body, strict=False)) if a != b),
                min(len(api_body), len(floor_body)),
            )
            raise RuntimeError(
                f"The floor of {name} does not answer what the API answers, from byte {at}:\n"
                f"API:   {api_body[max(0, at - 200) : at + 200]!r}\n"
                f"floor: {floor_body[max(0, at - 200) : at + 200]!r}\n"
                f"ETags: {api_response['ETag']} {floor_response['ETag']}"
            )
        timings, floor_timings = [], []
        for _ in range(2):
            self.get(url)
            self.get(floor_url, client=self.floor_client)
        gc.collect()
        # Alternated, so a slow moment of the machine weighs on both alike.
        for _ in range(self.args.runs):
            started = time.perf_counter()
            self.get(url)
            timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            self.get(floor_url, client=self.floor_client)
            floor_timings.append(time.perf_counter() - started)
        row.median_ms = statistics.median(timings) * 1000
        row.p95_ms = percentile(timings, 0.95) * 1000
        row.floor_ms = statistics.median(floor_timings) * 1000
        row.met = row.ratio <= 2 and count == other_count
        row.notes.append(f"{len(api_body):,} bytes, identical to the floor's")
        if count != other_count:
            row.notes.append("**query count grows with the page**")
        self.rows.append(row)
        return row

    # The operations -------------------------------------------------------------------------

    def samples(self) -> dict:
        """Parameters picked from the corpus itself, the same for the same corpus."""
        from django.db.models import Count

        from recommendations.models import Recommendation

        published = Recommendation.objects.published()
        total = published.count()
        # The moment after which about 3% of the recommendations changed: a day's sync.
        moment = published.order_by("-updated_at").values_list("updated_at", flat=True)[
            max(0, total * 3 // 100 - 1)
        ]
        detailed = (
            published.annotate(tags=Count("objective_links", distinct=True))
            .filter(tags__gte=2)
            .order_by("reference")
            .values_list("reference", flat=True)
            .first()
        ) or published.order_by("reference").values_list("reference", flat=True).first()
        return {
            "objective": self.args.objective,
            "status": "in_progress",
            "updated_after": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "reference": detailed,
            "search": self.args.search,
            "total": Recommendation.objects.count(),
            "published": total,
        }

    def wanted(self, operation: str) -> bool:
        return not self.args.only or operation in self.args.only

    def run_operations(self):

        s = self.samples()
        self.sample = s
        list_query = urlencode({"objective": s["objective"], "status": s["status"]})
        if self.wanted("list"):
            self.measured_api(
                "API list, objective and status (page of 50)",
                f"/api/v1/recommendations/?{list_query}",
                "list",
                key="list",
                other_url=f"/api/v1/recommendations/?{list_query}&page_size=200",
            )
        if self.wanted("sync"):
            self.measured_api(
                "API list, updated_after (sync page of 50)",
                f"/api/v1/recommendations/?{urlencode({'updated_after': s['updated_after']})}",
                "list",
                key="sync",
                other_url="/api/v1/recommendations/?"
                + urlencode({"updated_after": s["updated_after"], "page_size": 200}),
            )
        if self.wanted("detail"):
            self.measured_api(
                "API recommendation detail",
                f"/api/v1/recommendations/{s['reference']}/",
                "detail",
                key="detail",
                other_url=f"/api/v1/recommendations/{s['reference']}/",
            )
        if self.wanted("search"):
            search = f"/search/?{urlencode({'q': s['search']})}"
            self.measured(
                f"full-text search ({s['search']!r}, page of 20)",
                search,
                other_url=f"/search/?{urlencode({'q': s['search'].split()[0]})}",
                target="median < 100 ms",
                limit_ms=100,
            )
            self.measured_cold("full-text search", search, "counts")
        if self.wanted("objective"):
            objective = f"/objectives/{s['objective']}/"
            self.measured(
                f"objective page ({s['objective']})",
                objective,
                other_url="/objectives/23/",
                target="median < 100 ms",
                limit_ms=100,
            )
            self.measured_cold("objective page", objective, "counts")
        if self.wanted("home"):
            self.measured(
                "home page",
                "/",
                target="median < 100 ms",
                limit_ms=100,
            )
            self.measured_cold("home page", "/", "aggregates")
        if self.wanted("coverage"):
            self.measured("coverage page", "/coverage/", target="fixed queries")
            self.measured_cold("coverage page", "/coverage/", "aggregates")
        if self.wanted("export"):
            self.export()
        if self.wanted("import"):
            self.bulk_import()
            vacuum()

    def export(self):
        """The API's CSV of every recommendation, as an editor downloads it: time and memory."""
        from django.contrib.auth import get_user_model

        user, _ = get_user_model().objects.get_or_create(
            username=BENCH_ADMIN, defaults={"is_staff": True, "is_superuser": True}
        )
        self.client.force_login(user)
        url = "/api/v1/recommendations/?format=csv"
        expected = self.sample["total"]
        row = Row(f"CSV export ({expected:,} rows)", target="streams with flat memory")

        def stream(watch=None) -> int:
            response = self.client.get(url)
            if response.status_code != 200 or not response.streaming:
                raise RuntimeError(f"The CSV export answered {response.status_code}.")
            lines = 0
            for chunk in response.streaming_content:
                lines += chunk.count(b"\r\n")
                if watch:
                    watch(lines)
            response.close()
            return lines - 1

        try:
            row.queries = str(self.query_count(stream))
            runs = self.args.export_runs
            timings = []
            rss_growth = 0
            for _ in range(runs):
                gc.collect()
                with RssSampler() as sampler:
                    started = time.perf_counter()
                    written = stream()
                    timings.append(time.perf_counter() - started)
                rss_growth = max(rss_growth, sampler.growth)
            if written != expected:
                raise RuntimeError(f"The CSV export wrote {written} rows, not {expected}.")
            # Python's own allocations, traced apart from the timed runs (tracing slows it).
            peaks = {}
            tenth = max(1, expected // 10)

            def watch(lines):
                if lines >= tenth and "tenth" not in peaks:
                    peaks["tenth"] = tracemalloc.get_traced_memory()[1]

            gc.collect()
            tracemalloc.start()
            stream(watch)
            peaks["all"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            statements = self.captured(stream)
            floor = self.times(lambda: self.replay(statements), runs, warmup=0)
        finally:
            self.client.logout()
        row.median_ms = statistics.median(timings) * 1000
        row.p95_ms = percentile(timings, 0.95) * 1000
        row.floor_ms = statistics.median(floor) * 1000
        mib = 1024 * 1024
        flat = peaks["all"] <= peaks.get("tenth", peaks["all"]) * 1.5 + 4 * mib
        row.met = flat
        row.notes += [
            f"{expected / (row.median_ms / 1000):,.0f} rows/s",
            f"Python heap peak {peaks.get('tenth', 0) / mib:.1f} MiB after 10% of the rows, "
            f"{peaks['all'] / mib:.1f} MiB after all",
            f"RSS grew {rss_growth / mib:.1f} MiB",
            "floor: its SQL replayed",
        ]
        self.rows.append(row)

    def bulk_import(self):
        """The importer's plan and apply of new recommendations, rolled back after each run."""
        from django.db import transaction

        rows_wanted = self.args.import_rows
        row = Row(f"bulk import ({rows_wanted:,} rows)", target=">= 2,000 rows/s")
        try:
            from recommendations import imports
        except ImportError:
            row.notes.append("recommendations/imports.py is not in this tree: not measured")
            self.rows.append(row)
            return
        from django.contrib.auth import get_user_model

        data = import_sheet(rows_wanted)
        user, _ = get_user_model().objects.get_or_create(
            username=BENCH_ADMIN, defaults={"is_staff": True, "is_superuser": True}
        )

        class RolledBack(Exception):
            pass

        def run():
            try:
                with transaction.atomic():
                    plan = imports.plan_import(io.BytesIO(data), filename="bench.csv", user=user)
                    if plan.problems:
                        problems = "; ".join(str(p) for p in plan.problems[:3])
                        raise RuntimeError(f"The import plan has problems: {problems}")
                    imports.apply_import(plan, user=user)
                    raise RolledBack
            except RolledBack:
                pass

        count = self.query_count(run)
        row.queries = f"{count:,}"
        timings = self.times(run, self.args.import_runs, warmup=0)
        statements = self.captured(run)

        def floor():
            try:
                with transaction.atomic():
                    self.replay(statements)
                    raise RolledBack
            except RolledBack:
                pass

        floor_timings = self.times(floor, self.args.import_runs, warmup=0)
        row.median_ms = statistics.median(timings) * 1000
        row.p95_ms = percentile(timings, 0.95) * 1000
        row.floor_ms = statistics.median(floor_timings) * 1000
        rate = rows_wanted / statistics.median(timings)
        row.met = rate >= 2000
        row.notes += [
            f"{rate:,.0f} rows/s (plan and apply)",
            "floor: its SQL replayed",
        ]
        self.rows.append(row)

    # The load run ---------------------------------------------------------------------------

    def load(self):
        """gunicorn with gunicorn.conf.py on loopback, a bounded client, then stopped."""
        from django.db import connection

        s = self.sample
        port = self.args.port
        env = {**os.environ, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}"}
        if self.args.workers:
            env["WEB_CONCURRENCY"] = str(self.args.workers)
        log = open(self.args.gunicorn_log, "w")  # noqa: SIM115  (closed after the run)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "gcm_tracker.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(port, server)
            paths = load_mix(s)
            connection.close()
            result = load_run(
                port, paths, connections=self.args.connections, seconds=self.args.load_seconds
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        workers = env.get("WEB_CONCURRENCY", "default")
        row = Row(
            f"load: {self.args.connections} connections for {self.args.load_seconds} s",
            median_ms=result["p50"],
            p95_ms=result["p95"],
            target="no errors",
            met=result["errors"] == 0 and result["requests"] > 0,
        )
        row.notes += [
            f"{result['rps']:,.0f} requests/s",
            f"p99 {result['p99']:,.0f} ms, max {result['max']:,.0f} ms",
            f"{result['requests']:,} requests, {result['errors']} errors",
            f"gunicorn: {workers} workers x {env.get('GUNICORN_THREADS', '4')} threads",
            f"calls: {LOAD_MIX}",
        ]
        if result["error_samples"]:
            row.notes.append("errors: " + ", ".join(result["error_samples"][:3]))
        self.rows.append(row)


LOAD_MIX = "16 details : 3 list pages (objective and status) : 1 sync page, in turn"


def load_mix(sample: dict, size: int = 400) -> list[str]:
    """The API calls of the load run, in the proportions LOAD_MIX names."""
    from recommendations.models import Recommendation

    references = list(
        Recommendation.objects.published()
        .order_by("reference")
        .values_list("reference", flat=True)[:: max(1, sample["published"] // size)][:size]
    )
    paths = []
    for number in range(size):
        if number % 20 == 0:
            query = {"updated_after": sample["updated_after"]}
            paths.append(f"/api/v1/recommendations/?{urlencode(query)}")
        elif number % 5 == 0:
            query = {"objective": number % 23 + 1, "status": sample["status"]}
            paths.append(f"/api/v1/recommendations/?{urlencode(query)}")
        else:
            paths.append(f"/api/v1/recommendations/{references[number % len(references)]}/")
    return paths


def import_sheet(rows: int) -> bytes:
    """A CSV in the export format of `rows` new recommendations, copied from existing ones."""
    from recommendations import exports
    from recommendations.models import Recommendation

    first = Recommendation.objects.published().order_by("id").values_list("pk", flat=True)
    source = Recommendation.objects.filter(pk__in=list(first[:rows])).order_by("id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(exports.COLUMNS)
    position = {name: i for i, name in enumerate(exports.COLUMNS)}
    for number, cells in enumerate(exports.rows(source)):
        cells = list(cells)
        cells[position["reference"]] = f"{cells[position['event']]}-IMPORT-{number:05d}"
        # Synthetic people share names; the sheet names organizations and speakers by name,
        # and an ambiguous name is an error the import would rightly refuse.
        cells[position["speaker"]] = ""
        cells[position["organization"]] = ""
        cells[position["organization_kind"]] = ""
        cells[position["url"]] = ""
        cells[position["session"]] = ""
        cells[position["session_title"]] = ""
        cells[position["session_format"]] = ""
        cells[position["current_status"]] = ""
        cells[position["status_date"]] = ""
        cells[position["state"]] = "draft"
        writer.writerow(cells)
    return out.getvalue().encode()


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before it answered.")
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s.")


def load_run(port: int, paths: list[str], *, connections: int, seconds: float) -> dict:
    """`connections` threads, each a keep-alive client, asking `paths` in turn until time is up."""
    deadline = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors: list[list[str]] = [[] for _ in range(connections)]

    def client(number: int):
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        position = number * 7
        while time.monotonic() < deadline:
            path = paths[position % len(paths)]
            position += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[number].append(f"{response.status} {path}")
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except OSError as exc:
                errors[number].append(f"{type(exc).__name__} {path}")
                connection.close()
                continue
            latencies[number].append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    every = [value * 1000 for values in latencies for value in values]
    failed = [error for values in errors for error in values]
    if not every:
        every = [0.0]
    return {
        "requests": len(every) if latencies and any(latencies) else 0,
        "errors": len(failed),
        "error_samples": failed[:5],
        "rps": sum(len(values) for values in latencies) / elapsed,
        "p50": percentile(every, 0.5),
        "p95": percentile(every, 0.95),
        "p99": percentile(every, 0.99),
        "max": max(every),
    }


def prepare_database():
    """Migrate the corpus to this code and tidy it, so every run starts from the same state.

    The import operation's rolled-back writes leave dead rows behind; without a VACUUM they
    slow the next run's reads until autovacuum happens to pass.
    """
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    vacuum()


def vacuum():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def setup_database(database_url: str, recommendations: int, seed: int):
    """Create the benchmark database afresh, migrate it and generate the corpus."""
    import dj_database_url

    config = dj_database_url.parse(database_url)
    name = config["NAME"]
    if config["ENGINE"].endswith("postgresql"):
        admin = {**os.environ, "PGPASSWORD": config.get("PASSWORD") or ""}
        base = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432)]
        base += ["-U", config["USER"] or "postgres"]
        subprocess.run(["dropdb", "--if-exists", *base, name], check=True, env=admin)
        subprocess.run(["createdb", *base, name], check=True, env=admin)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], check=True, cwd=ROOT)
    subprocess.run(
        [
            *manage,
            "generate_synthetic_corpus",
            f"--recommendations={recommendations}",
            f"--seed={seed}",
        ],
        check=True,
        cwd=ROOT,
    )


OPERATIONS = [
    "list",
    "sync",
    "detail",
    "search",
    "objective",
    "home",
    "coverage",
    "export",
    "import",
    "load",
]


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
        help="the cache the web processes share in production (empty: per-process memory)",
    )
    parser.add_argument("--setup", action="store_true", help="recreate the database and corpus")
    parser.add_argument("--setup-only", action="store_true", help="only recreate them")
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--objective", type=int, default=7)
    parser.add_argument("--search", default="regularization of migrant workers")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: its config's)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--gunicorn-log", default=str(Path(tempfile.gettempdir()) / "gcm-bench-gunicorn.log")
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=OPERATIONS,
        help="measure only these operations (and no load run unless 'load' is named)",
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--load-only", action="store_true", help="only the load run")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when an operation misses its target"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    configure_environment(args.database_url, args.cache_url)
    if args.setup or args.setup_only:
        setup_database(args.database_url, args.recommendations, args.seed)
        if args.setup_only:
            return 0
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import override_settings

    # Templates name static files by their plain names: no collectstatic manifest is needed in
    # process (the load run only calls the API).
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    cache.clear()
    prepare_database()
    bench = Bench(args)
    started = time.perf_counter()
    if args.load_only:
        bench.sample = bench.samples()
    else:
        bench.run_operations()
    if not args.skip_load and (not args.only or "load" in args.only):
        bench.load()
    s = bench.sample
    print(
        f"\nCorpus: {s['total']:,} recommendations ({s['published']:,} published); "
        f"{args.runs} runs per operation after 2 warm-up runs; "
        f"took {time.perf_counter() - started:.0f} s.\n"
    )
    print(render_table(bench.rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "sample": s,
                    "rows": [dict(row.__dict__, ratio=row.ratio) for row in bench.rows],
                },
                indent=2,
                default=str,
            )
        )
    missed = [row.operation for row in bench.rows if row.met is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
