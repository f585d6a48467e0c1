"""Recommendations that keep coming back: the same ask made again at later events.

The detector only proposes: each pair it finds is stored as a RepeatProposal, and a curator
accepts it (which creates the "repeats" link) or rejects it. Asks are then read from the
accepted links: a recommendation and every repeat of it, when it was first made, how many times
since, and what the latest follow-up says.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from consultations.models import Event
from recommendations.models import (
    OPEN_STATUSES,
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
    RepeatProposal,
    Status,
)
from recommendations.suggestions import LANGUAGES, NUMBERS, TextFeatures, recommendation_text

# Set on the seed corpus: above it, most pairs read as the same ask to a person; below it, as
# neighbouring asks on the same theme.
DEFAULT_MIN_SCORE = 0.12
# A recommendation rarely repeats more than a few earlier ones; more would bury curators.
PER_RECOMMENDATION = 3
_YEAR_IN_CODE = re.compile(r"(?:19|20)\d\d")


def when_held(event: Event) -> date | None:
    """When an event was held: its start date, else its end date, else the year in its code.

    Event codes carry the year by convention (OAS2017); a source that gives no date still
    places its event in time that way, on 1 January of that year.
    """
    if event.start_date or event.end_date:
        return event.start_date or event.end_date
    match = _YEAR_IN_CODE.search(event.code)
    return date(int(match.group()), 1, 1) if match else None


@dataclass(frozen=True)
class RepeatCandidate:
    """A later recommendation that may repeat an earlier one, with how alike they are."""

    later: Recommendation
    earlier: Recommendation
    score: float
    text_similarity: float
    shared_objectives: tuple[int, ...]


def _versions(recommendations: list[Recommendation]) -> tuple[list[str], list[str], list[int]]:
    """Every text of each recommendation (original and translations), grouped by owner."""
    texts, languages, starts = [], [], []
    for recommendation in recommendations:
        starts.append(len(texts))
        texts.append(recommendation_text(recommendation.short_title, recommendation.text))
        languages.append(recommendation.language if recommendation.language in LANGUAGES else "en")
        for translation in recommendation.translations.all():
            if translation.language in LANGUAGES and translation.text.strip():
                texts.append(recommendation_text(translation.short_title, translation.text))
                languages.append(translation.language)
    return texts, languages, starts


def _text_similarity(recommendations: list[Recommendation]) -> np.ndarray:
    """Cosine similarity of each pair, the best over their texts in the same or any language."""
    texts, languages, starts = _versions(recommendations)
    features = TextFeatures().fit(texts, languages)
    vectors = features.transform(texts, languages)
    by_version = (vectors @ vectors.T).toarray()
    by_row = np.maximum.reduceat(by_version, starts, axis=0)
    return np.maximum.reduceat(by_row, starts, axis=1)


def _objective_overlap(recommendations: list[Recommendation]) -> tuple[np.ndarray, list[set]]:
    """Jaccard overlap of each pair's objectives; 0.5, neither for nor against, if one has none."""
    index = {r.pk: i for i, r in enumerate(recommendations)}
    tags: list[set[int]] = [set() for _ in recommendations]
    for recommendation_id, number in RecommendationObjective.objects.filter(
        recommendation_id__in=index
    ).values_list("recommendation_id", "objective__number"):
        tags[index[recommendation_id]].add(number)
    matrix = np.array([[n in t for n in NUMBERS] for t in tags], dtype=float).reshape(
        len(tags), len(NUMBERS)
    )
    shared = matrix @ matrix.T
    sizes = matrix.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - shared
    overlap = np.divide(shared, union, out=np.full_like(shared, 0.5), where=union > 0)
    untagged = sizes == 0
    overlap[untagged, :] = 0.5
    overlap[:, untagged] = 0.5
    return overlap, tags


def find_repeat_candidates(
    recommendations=None,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    per_recommendation: int = PER_RECOMMENDATION,
) -> list[RepeatCandidate]:
    """Pairs from different events that look like the same ask, earlier → later, best first.

    The score is the texts' TF-IDF cosine similarity, scaled by how far their objectives
    overlap: from half of it when they share none to all of it when they share all. Pairs whose
    events cannot be put in order (same day, or no date at all) are left out.
    """
    if recommendations is None:
        recommendations = Recommendation.objects.all()
    rows = list(
        recommendations.select_related("event").prefetch_related("translations").order_by("pk")
    )
    if len(rows) < 2:
        return []
    similarity = _text_similarity(rows)
    overlap, tags = _objective_overlap(rows)
    scores = similarity * (1 + overlap) / 2
    held = [when_held(r.event) for r in rows]
    ordinal = np.array([d.toordinal() if d else np.nan for d in held])
    # earlier_than[i, j]: row i comes from an event held before row j's.
    earlier_than = ordinal[:, None] < ordinal[None, :]
    candidates = []
    for j, later in enumerate(rows):
        earlier_rows = np.flatnonzero(earlier_than[:, j] & (scores[:, j] >= min_score))
        best = earlier_rows[np.argsort(-scores[earlier_rows, j], kind="stable")]
        for i in best[:per_recommendation]:
            candidates.append(
                RepeatCandidate(
                    later=later,
                    earlier=rows[i],
                    score=round(float(scores[i, j]), 4),
                    text_similarity=round(float(similarity[i, j]), 4),
                    shared_objectives=tuple(sorted(tags[i] & tags[j])),
                )
            )
    candidates.sort(key=lambda c: (-c.score, c.later.reference, c.earlier.reference))
    return candidates


def store_repeat_proposals(candidates: list[RepeatCandidate]) -> list[RepeatProposal]:
    """Save the candidates not yet proposed nor linked either way; running it again adds none."""
    known: set[tuple[int, int]] = set()
    for later_id, earlier_id in RepeatProposal.objects.values_list("later_id", "earlier_id"):
        known |= {(later_id, earlier_id), (earlier_id, later_id)}
    for from_id, to_id in RecommendationLink.objects.values_list(
        "from_recommendation_id", "to_recommendation_id"
    ):
        known |= {(from_id, to_id), (to_id, from_id)}
    new = []
    for candidate in candidates:
        pair = (candidate.later.pk, candidate.earlier.pk)
        if pair in known:
            continue
        known.add(pair)
        proposal = RepeatProposal(
            later=candidate.later, earlier=candidate.earlier, score=candidate.score
        )
        proposal.full_clean()
        new.append(proposal)
    return RepeatProposal.objects.bulk_create(new)


@dataclass
class Ask:
    """One ask as made again and again: a recommendation and its accepted repeats, oldest first."""

    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def first(self) -> Recommendation:
        """The recommendation where the ask was first made."""
        return self.recommendations[0]

    @property
    def latest(self) -> Recommendation:
        """The most recent time the ask was made."""
        return self.recommendations[-1]

    @property
    def first_made(self) -> date | None:
        """When the event where it was first made was held, as far as known."""
        return when_held(self.first.event)

    @property
    def times_made(self) -> int:
        """How many times the ask was made, the first time included."""
        return len(self.recommendations)

    @property
    def times_repeated(self) -> int:
        """How many times it was made again after the first."""
        return len(self.recommendations) - 1

    @property
    def status(self) -> str:
        """The follow-up status with the most recent evidence among its recommendations."""
        followed = [r for r in self.recommendations if r.status_date]
        if not followed:
            return Status.NO_INFORMATION
        return max(followed, key=lambda r: r.status_date).current_status

    @property
    def status_label(self) -> str:
        """The status in words, in the active language."""
        return Status(self.status).label

    @property
    def is_open(self) -> bool:
        """Whether the ask is still waiting for action."""
        return self.status in OPEN_STATUSES


def _chronological(recommendation: Recommendation):
    held = when_held(recommendation.event)
    return (held is None, held or date.min, recommendation.reference)


def build_asks(recommendations, links) -> list[Ask]:
    """Group recommendations into asks along "repeats" links, given as (later id, earlier id)."""
    by_id = {r.pk: r for r in recommendations}
    parent = {pk: pk for pk in by_id}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for later_id, earlier_id in links:
        if later_id in by_id and earlier_id in by_id:
            parent[root(later_id)] = root(earlier_id)
    groups: dict[int, list[Recommendation]] = {}
    for pk, recommendation in by_id.items():
        groups.setdefault(root(pk), []).append(recommendation)
    return [Ask(sorted(group, key=_chronological)) for group in groups.values()]


def repeat_links(recommendations) -> list[tuple[int, int]]:
    """The "repeats" links between recommendations of the queryset, as (later id, earlier id)."""
    ids = recommendations.values("pk")
    return list(
        RecommendationLink.objects.filter(
            kind=RecommendationLink.Kind.REPEATS,
            from_recommendation__in=ids,
            to_recommendation__in=ids,
        ).values_list("from_recommendation_id", "to_recommendation_id")
    )


def ask_containing(recommendations, recommendation: Recommendation) -> Ask | None:
    """The ask `recommendation` belongs to, among `recommendations`, in 2 queries."""
    links = repeat_links(recommendations)
    neighbours: dict[int, set[int]] = {}
    for later_id, earlier_id in links:
        neighbours.setdefault(later_id, set()).add(earlier_id)
        neighbours.setdefault(earlier_id, set()).add(later_id)
    reached, frontier = {recommendation.pk}, [recommendation.pk]
    while frontier:
        for pk in neighbours.get(frontier.pop(), ()):
            if pk not in reached:
                reached.add(pk)
                frontier.append(pk)
    members = list(recommendations.filter(pk__in=reached).select_related("event"))
    if all(r.pk != recommendation.pk for r in members):
        return None
    return Ask(sorted(members, key=_chronological))


def longest_standing_first(asks: list[Ask]) -> list[Ask]:
    """Asks ordered by when first made (unknown last), then the most repeated first."""
    return sorted(
        asks,
        key=lambda a: (
            a.first_made is None,
            a.first_made or date.min,
            -a.times_made,
            a.first.reference,
        ),
    )
