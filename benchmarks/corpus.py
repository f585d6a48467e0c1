"""A synthetic corpus shaped like the seed corpus, at any size, identical for the same seed.

Counts scale with the number of recommendations from the shape issue 8 asks for at 100,000:
2,000 events, 10,000 sessions, 20,000 people, 5,000 organizations and 300,000 follow-up
updates. Objectives, languages, principles, addressees, countries, speakers, session formats,
roles and organization kinds follow the seed corpus, measured from fixtures/ on every run; text
is babbled from the seed's own words, so full-text search meets the vocabulary it will meet.

Rows go in with bulk_create in batches, with the generated timestamps (auto_now is held off
while loading), so 100,000 recommendations load into PostgreSQL in minutes. Nothing goes into
the change history: a bulk load is not an edit anybody made.
"""

import json
import math
import random
import re
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify
from django_countries import countries

from consultations.models import Event, Organization, Participation, Person, Session
from objectives.models import OBJECTIVE_COUNT, PRINCIPLE_COUNT, GuidingPrinciple, Objective
from recommendations import aggregates
from recommendations.models import (
    Addressee,
    FollowUp,
    Recommendation,
    RecommendationObjective,
    Status,
)
from recommendations.seed import FIXTURES_DIR, SeedReport, load_objectives

CODE_PREFIX = "SYN"
# Per 100,000 recommendations, as issue 8 sets the scale.
PER_RECOMMENDATION = {
    "events": 2_000 / 100_000,
    "sessions": 10_000 / 100_000,
    "people": 20_000 / 100_000,
    "organizations": 5_000 / 100_000,
    "addressees": 200 / 100_000,
    "follow_ups": 300_000 / 100_000,
}
# The seed corpus says nothing about these; a tracker in use looks roughly like this.
STATE_SHARES = {
    Recommendation.State.PUBLISHED: 95,
    Recommendation.State.IN_REVIEW: 2,
    Recommendation.State.DRAFT: 3,
}
DIRECTORY_DAY = date(2016, 1, 1)
FIRST_EVENT_DAY = date(2017, 1, 1)
LAST_EVENT_DAY = date(2026, 6, 30)
# Fixed, not today, so the same seed gives the same corpus on any day.
CORPUS_NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
NEXT_STATUSES = {
    Status.NO_INFORMATION: {Status.NOT_STARTED: 3, Status.IN_PROGRESS: 2},
    Status.NOT_STARTED: {Status.NOT_STARTED: 2, Status.IN_PROGRESS: 3},
    Status.IN_PROGRESS: {
        Status.IN_PROGRESS: 3,
        Status.PARTIALLY_IMPLEMENTED: 3,
        Status.IMPLEMENTED: 1,
        Status.REGRESSED: 1,
    },
    Status.PARTIALLY_IMPLEMENTED: {
        Status.PARTIALLY_IMPLEMENTED: 2,
        Status.IMPLEMENTED: 2,
        Status.IN_PROGRESS: 1,
        Status.REGRESSED: 1,
    },
    Status.IMPLEMENTED: {Status.IMPLEMENTED: 3, Status.REGRESSED: 1},
    Status.REGRESSED: {Status.REGRESSED: 1, Status.IN_PROGRESS: 2, Status.NOT_STARTED: 1},
}
ORGANIZATION_FORMS = [
    "Network",
    "Coalition",
    "Foundation",
    "Centre",
    "Association",
    "Institute",
    "Council",
    "Alliance",
    "Forum",
    "Observatory",
]
ORGANIZATION_AIMS = [
    "for Migrant Rights",
    "on Human Mobility",
    "of Migrant Workers",
    "for Refugees and Migrants",
    "for Migration Studies",
    "of Diaspora Communities",
    "against Trafficking",
    "for Children on the Move",
    "of Women Migrants",
    "for Decent Work",
]
WORD = re.compile(r"\S+")


@dataclass
class SeedShape:
    """The seed corpus's distributions, as counts of each value."""

    languages: Counter = field(default_factory=Counter)
    event_languages: Counter = field(default_factory=Counter)
    event_kinds: Counter = field(default_factory=Counter)
    objective_counts: Counter = field(default_factory=Counter)
    primary_objectives: Counter = field(default_factory=Counter)
    other_objectives: Counter = field(default_factory=Counter)
    tag_sources: Counter = field(default_factory=Counter)
    principle_counts: Counter = field(default_factory=Counter)
    principles: Counter = field(default_factory=Counter)
    addressee_counts: Counter = field(default_factory=Counter)
    country_counts: Counter = field(default_factory=Counter)
    with_speaker: Counter = field(default_factory=Counter)
    with_organization: Counter = field(default_factory=Counter)
    session_formats: Counter = field(default_factory=Counter)
    session_objective_counts: Counter = field(default_factory=Counter)
    participations_per_session: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)
    organization_kinds: Counter = field(default_factory=Counter)
    title_words: Counter = field(default_factory=Counter)
    text_words: Counter = field(default_factory=Counter)
    note_words: Counter = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)
    first_names: list[str] = field(default_factory=list)
    last_names: list[str] = field(default_factory=list)
    addressees: list[dict] = field(default_factory=list)

    def summary(self) -> dict[str, dict]:
        """The measured distributions worth printing, as shares of the whole."""
        wanted = [
            "languages",
            "objective_counts",
            "primary_objectives",
            "tag_sources",
            "principle_counts",
            "addressee_counts",
            "country_counts",
            "with_speaker",
            "roles",
        ]
        return {name: _shares(getattr(self, name)) for name in wanted}


def _shares(counter: Counter) -> dict:
    total = sum(counter.values()) or 1
    return {key: round(count / total, 3) for key, count in sorted(counter.items())}


def measure_seed(fixtures_dir: Path = FIXTURES_DIR) -> SeedShape:
    """Read fixtures/events/*.json and count how the seed corpus is distributed."""
    shape = SeedShape()
    people: dict[str, dict] = {}
    organizations: dict[str, dict] = {}
    addressees: dict[str, dict] = {}
    for path in sorted((fixtures_dir / "events").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        people.update({p["slug"]: p for p in data.get("people", [])})
        organizations.update({o["slug"]: o for o in data.get("organizations", [])})
        addressees.update({a["slug"]: a for a in data.get("addressees", [])})
        event = data["event"]
        shape.event_kinds[event["kind"]] += 1
        shape.event_languages[event.get("language") or "en"] += 1
        for session in event.get("sessions", []):
            shape.session_formats[session.get("format") or ""] += 1
            shape.session_objective_counts[len(session.get("objectives", []))] += 1
            shape.participations_per_session[len(session.get("participations", []))] += 1
            for participation in session.get("participations", []):
                shape.roles[participation["role"]] += 1
                if participation.get("notes"):
                    shape.note_words[len(WORD.findall(participation["notes"]))] += 1
                    shape.texts.append(participation["notes"])
        for entry in event.get("recommendations", []):
            shape.languages[entry.get("language") or "en"] += 1
            tags = entry.get("objectives", [])
            shape.objective_counts[len(tags)] += 1
            for tag in tags:
                bucket = shape.primary_objectives if tag.get("primary") else shape.other_objectives
                bucket[tag["number"]] += 1
                shape.tag_sources[tag.get("source") or "curator"] += 1
            shape.principle_counts[len(entry.get("principles", []))] += 1
            shape.principles.update(entry.get("principles", []))
            shape.addressee_counts[len(entry.get("addressees", []))] += 1
            shape.country_counts[len(entry.get("countries", []))] += 1
            shape.with_speaker[bool(entry.get("speaker"))] += 1
            shape.with_organization[bool(entry.get("organization"))] += 1
            shape.title_words[len(WORD.findall(entry["short_title"]))] += 1
            shape.text_words[len(WORD.findall(entry["text"]))] += 1
            shape.texts.append(entry["text"])
    shape.organization_kinds.update(o.get("kind") or "" for o in organizations.values())
    for person in people.values():
        first, _, last = person["name"].partition(" ")
        shape.first_names.append(first)
        shape.last_names.append(last or first)
    shape.addressees = sorted(addressees.values(), key=lambda a: a["slug"])
    # Smoothed by one, so an objective or principle the seed never tags still gets a few.
    shape.primary_objectives.update(range(1, OBJECTIVE_COUNT + 1))
    shape.other_objectives.update(range(1, OBJECTIVE_COUNT + 1))
    shape.principles.update(range(1, PRINCIPLE_COUNT + 1))
    return shape


class Sampler:
    """Draws values with the frequencies of a Counter (or given weights), from one Random."""

    def __init__(self, rng: random.Random, weights: Counter | dict):
        self.rng = rng
        self.values = sorted(weights, key=str)
        self.cumulative = list(accumulate(weights[value] for value in self.values))

    def __call__(self):
        point = self.rng.random() * self.cumulative[-1]
        return self.values[bisect_right(self.cumulative, point)]

    def distinct(self, count: int, exclude=()) -> list:
        """`count` different values (fewer if there are not enough), none of `exclude`."""
        chosen: list = []
        possible = len(set(self.values) - set(exclude))
        while len(chosen) < min(count, possible):
            value = self()
            if value not in chosen and value not in exclude:
                chosen.append(value)
        return chosen


class Babbler:
    """Text that reads like the seed's: a word-pair chain over its recommendations and notes."""

    def __init__(self, rng: random.Random, texts: list[str]):
        self.rng = rng
        self.starts: list[str] = []
        self.followers: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            words = WORD.findall(text)
            if not words:
                continue
            self.starts.append(words[0])
            for current, following in zip(words, words[1:], strict=False):
                self.followers[current].append(following)

    def words(self, count: int) -> str:
        out: list[str] = []
        word = self.rng.choice(self.starts)
        while len(out) < count:
            out.append(word)
            followers = self.followers.get(word)
            word = self.rng.choice(followers) if followers else self.rng.choice(self.starts)
        return " ".join(out)

    def title(self, count: int, limit: int = 200) -> str:
        text = self.words(count).strip(" .,;:")
        return (text[:1].upper() + text[1:])[:limit]

    def sentence(self, count: int) -> str:
        text = self.title(count, limit=10_000)
        return text if text.endswith((".", "!", "?")) else text + "."


def scaled_counts(recommendations: int) -> dict[str, int]:
    """How many of each kind of row a corpus of `recommendations` recommendations has."""
    counts = {
        name: max(1, round(recommendations * share)) for name, share in PER_RECOMMENDATION.items()
    }
    counts["sessions"] = max(counts["sessions"], counts["events"])
    counts["recommendations"] = recommendations
    return counts


@contextmanager
def keeping_timestamps(*models):
    """Let generated created/updated/recorded times through instead of now()."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _lognormal_weights(rng: random.Random, count: int, sigma: float = 1.0) -> list[float]:
    return [rng.lognormvariate(0, sigma) for _ in range(count)]


def _moment(day: date, rng: random.Random) -> datetime:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(8 * 3600, 20 * 3600)
    )
    return min(moment, CORPUS_NOW)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CorpusExists(Exception):
    """Raised when the database already holds a synthetic corpus."""


class _Generator:
    def __init__(self, *, recommendations: int, seed: int, batch_size: int, shape, log):
        self.rng = random.Random(seed)  # noqa: S311  (reproducible on purpose, never secret)
        self.shape = shape
        self.counts = scaled_counts(recommendations)
        self.batch_size = batch_size
        self.log = log
        self.written: Counter = Counter()
        self.babble = Babbler(self.rng, shape.texts)
        self.country_codes = sorted(country.code for country in countries)
        self.country_names = dict(countries)
        self.review_days = settings.GCM_REVIEW_INTERVAL_DAYS
        self.next_status = {
            status: Sampler(self.rng, nexts) for status, nexts in NEXT_STATUSES.items()
        }

    def pick(self, weights) -> Sampler:
        return Sampler(self.rng, weights)

    def insert(self, model, rows: list) -> list:
        """bulk_create `rows` in batches; they come back with their ids."""
        for batch in _batches(rows, self.batch_size):
            model.objects.bulk_create(batch, batch_size=self.batch_size)
        self.written[model._meta.verbose_name_plural] += len(rows)
        return rows

    def timed(self, what: str, step: Callable[[], None]):
        started = time.perf_counter()
        step()
        self.log(f"{what}: {time.perf_counter() - started:.1f} s")

    def run(self):
        self.objectives = {o.number: o.pk for o in Objective.objects.all()}
        self.principles = {p.number: p.pk for p in GuidingPrinciple.objects.all()}
        self.timed("organizations, people and addressees", self.directory)
        self.timed("events and sessions", self.events)
        self.timed("participations", self.participations)
        self.timed("recommendations, tags and follow-up updates", self.recommendations)

    def directory(self):
        kinds = self.pick(self.shape.organization_kinds)
        organizations = []
        for i in range(self.counts["organizations"]):
            country = self.rng.choice(self.country_codes) if self.rng.random() < 0.7 else ""
            name = f"{self.rng.choice(ORGANIZATION_FORMS)} {self.rng.choice(ORGANIZATION_AIMS)}" + (
                f", {self.country_names[country]}" if country else f" {i}"
            )
            acronym = "".join(word[0] for word in name.split() if word[0].isupper())[:10]
            organizations.append(
                Organization(
                    slug=f"syn-org-{i:05d}",
                    name=name,
                    acronym=acronym,
                    kind=kinds(),
                    country=country,
                    created_at=(entered := self.directory_moment()),
                    updated_at=entered,
                )
            )
        self.organizations = self.insert(Organization, organizations)
        people = []
        for i in range(self.counts["people"]):
            name = f"{self.rng.choice(self.shape.first_names)} {self.rng.choice(self.shape.last_names)}"
            organization = self.rng.choice(organizations) if self.rng.random() < 0.6 else None
            people.append(
                Person(
                    slug=f"{slugify(name)[:100]}-{i:05d}",
                    name=name,
                    affiliation=f"Coordinator, {organization.name}" if organization else "",
                    organization=organization,
                    created_at=(entered := self.directory_moment()),
                    updated_at=entered,
                )
            )
        self.people = self.insert(Person, people)
        self.person_weights = list(accumulate(_lognormal_weights(self.rng, len(people), 1.2)))
        existing = set(Addressee.objects.values_list("slug", flat=True))
        names = set(Addressee.objects.values_list("name", flat=True))
        addressees = [
            Addressee(slug=entry["slug"], name=entry["name"])
            for entry in self.shape.addressees
            if entry["slug"] not in existing and entry["name"] not in names
        ]
        names |= {a.name for a in addressees}
        for code in self.country_codes:
            if len(addressees) >= self.counts["addressees"]:
                break
            name = f"Government of {self.country_names[code]}"
            if name not in names:
                addressees.append(Addressee(slug=f"syn-government-{code.lower()}", name=name))
        for addressee in addressees:
            addressee.created_at = addressee.updated_at = CORPUS_NOW
        self.insert(Addressee, addressees)
        self.addressees = list(Addressee.objects.order_by("slug").values_list("pk", flat=True))
        self.addressee_pick = self.pick(
            dict(
                zip(
                    self.addressees, _lognormal_weights(self.rng, len(self.addressees)), strict=True
                )
            )
        )

    def directory_moment(self) -> datetime:
        # Entered before the first event, so a speaker's record never makes a recommendation
        # look recently changed; the recommendations' own history drives what sync sees.
        return _moment(DIRECTORY_DAY + timedelta(days=self.rng.randrange(365)), self.rng)

    def events(self):
        kinds = self.pick(self.shape.event_kinds)
        languages = self.pick(self.shape.event_languages)
        formats = self.pick(self.shape.session_formats)
        session_objectives = self.pick(self.shape.session_objective_counts)
        topics = self.pick(self.shape.primary_objectives)
        span = (LAST_EVENT_DAY - FIRST_EVENT_DAY).days
        events = []
        for i in range(self.counts["events"]):
            start = FIRST_EVENT_DAY + timedelta(days=self.rng.randrange(span))
            kind = kinds()
            events.append(
                Event(
                    code=f"{CODE_PREFIX}{i:05d}",
                    title=f"{Event.Kind(kind).label}: {self.babble.title(self.rng.randint(4, 9))}",
                    kind=kind,
                    start_date=start,
                    end_date=start + timedelta(days=self.rng.randint(0, 2)),
                    country=self.rng.choice(self.country_codes),
                    description=self.babble.sentence(self.rng.randint(20, 60)),
                    language=languages(),
                    created_at=_moment(start, self.rng),
                    updated_at=_moment(start + timedelta(days=30), self.rng),
                )
            )
        self.insert(Event, events)
        self.events_list = events
        organizers = [
            Event.organizers.through(event_id=event.pk, organization_id=organization.pk)
            for event in events
            for organization in self.rng.sample(self.organizations, self.rng.randint(1, 2))
        ]
        self.insert(Event.organizers.through, organizers)
        # Every event has a session; the rest go to events in proportion to their size.
        weights = list(accumulate(_lognormal_weights(self.rng, len(events))))
        owners = list(range(len(events))) + [
            bisect_right(weights, self.rng.random() * weights[-1])
            for _ in range(self.counts["sessions"] - len(events))
        ]
        per_event: Counter = Counter()
        sessions = []
        for index in sorted(owners):
            event = events[index]
            per_event[index] += 1
            order = per_event[index]
            sessions.append(
                Session(
                    event=event,
                    order=order,
                    code=f"S{order}",
                    title=self.babble.title(self.rng.randint(4, 10), limit=300),
                    format=formats(),
                    starts_at=_moment(event.start_date, self.rng),
                    description=self.babble.sentence(self.rng.randint(15, 40)),
                    rapporteur_summary=self.babble.sentence(self.rng.randint(20, 80)),
                    created_at=event.created_at,
                    updated_at=event.updated_at,
                )
            )
        self.sessions = self.insert(Session, sessions)
        links = [
            Session.objectives.through(session_id=session.pk, objective_id=self.objectives[number])
            for session in sessions
            for number in topics.distinct(session_objectives())
        ]
        self.insert(Session.objectives.through, links)

    def person(self) -> Person:
        point = self.rng.random() * self.person_weights[-1]
        return self.people[bisect_right(self.person_weights, point)]

    def participations(self):
        per_session = self.pick(self.shape.participations_per_session)
        roles = self.pick(self.shape.roles)
        note_words = self.pick(self.shape.note_words)
        participations = []
        self.speakers: dict[int, list[Person]] = {}
        for session in self.sessions:
            seen = set()
            for order in range(1, per_session() + 1):
                person, role = self.person(), roles()
                if (person.pk, role) in seen:
                    continue
                seen.add((person.pk, role))
                self.speakers.setdefault(session.pk, []).append(person)
                participations.append(
                    Participation(
                        session=session,
                        person=person,
                        role=role,
                        organization_id=person.organization_id,
                        order=order,
                        notes=self.babble.sentence(note_words()),
                        created_at=session.created_at,
                        updated_at=session.updated_at,
                    )
                )
        self.insert(Participation, participations)

    def recommendations(self):
        total = self.counts["recommendations"]
        states = self.pick(STATE_SHARES)
        state_of = [states() for _ in range(total)]
        published = [
            i for i, state in enumerate(state_of) if state == Recommendation.State.PUBLISHED
        ]
        # Follow-up gathers on some recommendations; many never get any.
        weights = list(accumulate(_lognormal_weights(self.rng, len(published), 1.5)))
        updates_of: Counter = Counter()
        if published:
            for _ in range(self.counts["follow_ups"]):
                point = self.rng.random() * weights[-1]
                updates_of[published[bisect_right(weights, point)]] += 1
        session_weights = list(accumulate(_lognormal_weights(self.rng, len(self.sessions))))
        owners = sorted(
            bisect_right(session_weights, self.rng.random() * session_weights[-1])
            for _ in range(total)
        )
        self.samplers = {
            "language": self.pick(self.shape.languages),
            "objective_count": self.pick(self.shape.objective_counts),
            "primary": self.pick(self.shape.primary_objectives),
            "other": self.pick(self.shape.other_objectives),
            "source": self.pick(self.shape.tag_sources),
            "principle_count": self.pick(self.shape.principle_counts),
            "principle": self.pick(self.shape.principles),
            "addressee_count": self.pick(self.shape.addressee_counts),
            "country_count": self.pick(self.shape.country_counts),
            "title_words": self.pick(self.shape.title_words),
            "text_words": self.pick(self.shape.text_words),
        }
        speaker_share = self.shape.with_speaker[True] / max(
            1, sum(self.shape.with_speaker.values())
        )
        organization_share = self.shape.with_organization[True] / max(
            1, sum(self.shape.with_organization.values())
        )
        batch: list[tuple] = []
        numbers: Counter = Counter()
        for index, session_index in enumerate(owners):
            session = self.sessions[session_index]
            numbers[session_index] += 1
            batch.append(
                self.recommendation(
                    session,
                    numbers[session_index],
                    state_of[index],
                    updates_of[index],
                    speaker_share,
                    organization_share,
                )
            )
            if len(batch) >= self.batch_size:
                self.write(batch)
                batch = []
        self.write(batch)

    def recommendation(self, session, number, state, update_count, speaker_share, org_share):
        s = self.samplers
        event = session.event
        speaker = None
        if self.rng.random() < speaker_share:
            heard = self.speakers.get(session.pk)
            speaker = self.rng.choice(heard) if heard and self.rng.random() < 0.8 else self.person()
        organization_id = None
        if self.rng.random() < org_share:
            organization_id = (speaker.organization_id if speaker else None) or self.rng.choice(
                self.organizations
            ).pk
        created = _moment(event.start_date + timedelta(days=self.rng.randint(1, 60)), self.rng)
        published_at = None
        if state == Recommendation.State.PUBLISHED:
            published_at = min(created + timedelta(days=self.rng.randint(1, 120)), CORPUS_NOW)
        updates = self.follow_ups(published_at, update_count)
        last_status, last_day, last_recorded = (
            updates[-1] if updates else (Status.NO_INFORMATION, None, None)
        )
        updated = max(filter(None, [created, published_at, last_recorded]))
        next_review = None
        if published_at:
            start = max(filter(None, [last_day, published_at.date()]))
            next_review = start + timedelta(days=self.review_days)
        recommendation = Recommendation(
            reference=f"{event.code}-{session.code}-{number:02d}",
            short_title=self.babble.title(s["title_words"]()),
            text=self.babble.sentence(s["text_words"]()),
            language=s["language"](),
            event_id=event.pk,
            session_id=session.pk,
            speaker_id=speaker.pk if speaker else None,
            organization_id=organization_id,
            source_location=f"Session {session.code}, recommendation {number}",
            countries=[self.rng.choice(self.country_codes) for _ in range(s["country_count"]())],
            state=state,
            published_at=published_at,
            current_status=last_status,
            status_date=last_day,
            next_review_date=next_review,
            created_at=created,
            updated_at=updated,
        )
        primary = s["primary"]()
        tags = [(primary, True)] + [
            (number, False) for number in s["other"].distinct(s["objective_count"]() - 1, {primary})
        ]
        principles = s["principle"].distinct(s["principle_count"]())
        addressees = self.addressee_pick.distinct(s["addressee_count"]())
        return recommendation, tags, principles, addressees, updates

    def follow_ups(self, published_at: datetime | None, count: int) -> list[tuple]:
        """(status, date, recorded_at) of `count` updates after publication, oldest first."""
        if not published_at or not count:
            return []
        first = published_at.date()
        span = max(1, (CORPUS_NOW.date() - first).days)
        days = sorted(first + timedelta(days=self.rng.randrange(span)) for _ in range(count))
        status, updates, recorded = Status.NO_INFORMATION, [], published_at
        for day in days:
            status = self.next_status[status]()
            recorded = max(
                recorded, _moment(day + timedelta(days=self.rng.randint(0, 3)), self.rng)
            )
            updates.append((status, day, recorded))
        return updates

    def write(self, batch: list[tuple]):
        if not batch:
            return
        source = self.samplers["source"]
        recommendations = self.insert(Recommendation, [item[0] for item in batch])
        tags, principles, addressees, follow_ups = [], [], [], []
        for recommendation, (_r, tag_list, principle_list, addressee_list, updates) in zip(
            recommendations, batch, strict=True
        ):
            tags += [
                RecommendationObjective(
                    recommendation_id=recommendation.pk,
                    objective_id=self.objectives[number],
                    is_primary=is_primary,
                    source=source(),
                    tagged_at=recommendation.created_at,
                )
                for number, is_primary in tag_list
            ]
            principles += [
                Recommendation.principles.through(
                    recommendation_id=recommendation.pk, guidingprinciple_id=self.principles[number]
                )
                for number in principle_list
            ]
            addressees += [
                Recommendation.addressees.through(
                    recommendation_id=recommendation.pk, addressee_id=addressee
                )
                for addressee in addressee_list
            ]
            for status, day, recorded in updates:
                note = (
                    self.babble.sentence(self.rng.randint(8, 30)) if self.rng.random() < 0.6 else ""
                )
                links = (
                    [f"https://example.org/evidence/{recommendation.reference.lower()}/{day}"]
                    if self.rng.random() < 0.3
                    else []
                )
                follow_ups.append(
                    FollowUp(
                        recommendation_id=recommendation.pk,
                        status=status,
                        date=day,
                        note=note,
                        evidence_links=links,
                        addressee_id=self.rng.choice(addressee_list)
                        if addressee_list and self.rng.random() < 0.25
                        else None,
                        recorded_at=recorded,
                    )
                )
        self.insert(RecommendationObjective, tags)
        self.insert(Recommendation.principles.through, principles)
        self.insert(Recommendation.addressees.through, addressees)
        self.insert(FollowUp, follow_ups)
        self.log(f"  {self.written['recommendations']:,} recommendations written")


def ensure_objectives(fixtures_dir: Path = FIXTURES_DIR):
    """Load the 23 objectives and 10 principles from the seed when they are not there yet."""
    if (
        Objective.objects.count() < OBJECTIVE_COUNT
        or GuidingPrinciple.objects.count() < PRINCIPLE_COUNT
    ):
        data = json.loads((fixtures_dir / "objectives.json").read_text(encoding="utf-8"))
        load_objectives(data, SeedReport())


def generate(
    *,
    recommendations: int = 100_000,
    seed: int = 1,
    batch_size: int = 5_000,
    fixtures_dir: Path = FIXTURES_DIR,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Write a synthetic corpus of `recommendations` recommendations; returns rows per table."""
    if Event.objects.filter(code__startswith=CODE_PREFIX).exists():
        raise CorpusExists(
            "This database already holds a synthetic corpus; generate into a fresh database."
        )
    shape = measure_seed(fixtures_dir)
    generator = _Generator(
        recommendations=recommendations, seed=seed, batch_size=batch_size, shape=shape, log=log
    )
    with (
        transaction.atomic(),
        keeping_timestamps(
            Organization,
            Person,
            Addressee,
            Event,
            Session,
            Participation,
            Recommendation,
            RecommendationObjective,
            FollowUp,
        ),
    ):
        ensure_objectives(fixtures_dir)
        generator.run()
    # bulk_create sends no signals: the cached counts of the home and coverage pages are stale.
    aggregates.invalidate()
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, and (outside a transaction) the visibility map
        # that lets index-only scans skip the table, as autovacuum would in a while.
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement)
        log(f"{statement}: {time.perf_counter() - started:.1f} s")
    return dict(generator.written)


def shape_report(fixtures_dir: Path = FIXTURES_DIR) -> str:
    """The seed's measured distributions, one line each, as the command prints them."""
    lines = []
    for name, shares in measure_seed(fixtures_dir).summary().items():
        shown = ", ".join(
            f"{key}: {math.floor(share * 1000) / 10}%" for key, share in shares.items()
        )
        lines.append(f"{name}: {shown}")
    return "\n".join(lines)
