"""Suggests the GCM objectives a recommendation most likely concerns, with a confidence for each.

The model learns from two sources, both kept in the database: the objective tags people gave
recommendations (the seed corpus first), and the objectives' own short titles, titles and
commitment summaries in English, Spanish, Portuguese and French. The tagged corpus is English,
so Spanish, Portuguese and French text is understood only through the objectives' translated
texts, accent folding, per-language stemming and shared character n-grams.

Two scorers are blended: a logistic regression over TF-IDF features (stemmed words and word
pairs, plus character n-grams) trained on tagged recommendations and objective texts, and the
best cosine similarity to any one language's version of each objective's text. See
docs/suggestions.md for how well it does on events it has not seen.
"""

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import snowballstemmer
from django.db.models import Count, Max, Prefetch
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from consultations.models import Event
from objectives.models import OBJECTIVE_COUNT, Objective
from recommendations.models import (
    Recommendation,
    RecommendationObjective,
    RecommendationTranslation,
)

NUMBERS = tuple(range(1, OBJECTIVE_COUNT + 1))
LANGUAGES = ("en", "es", "pt", "fr")
_STEMMERS = {
    code: snowballstemmer.stemmer(name)
    for code, name in (
        ("en", "english"),
        ("es", "spanish"),
        ("pt", "portuguese"),
        ("fr", "french"),
    )
}
# The commonest function words of each language: enough to tell four languages apart in a
# sentence or two, which is all the stemmer needs to know.
_FUNCTION_WORDS = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the and of to in for that with is are be should their on by as this from",
        "es": "el la los las de y que en para con por del se una su sus es como al",
        "pt": "o os as de e que em para com por do da dos das uma seu sua não ao na no",
        "fr": "le la les de et des que en pour avec par du une sur au aux est dans",
    }.items()
}
_stemming = threading.Lock()
_WORD = re.compile(r"[^\W\d_]+")
_OBJECTIVE_MENTION = re.compile(
    r"\b(?:objectives?|objetivos?|objectifs?)\s+((?:n[o.]*\s*)?\d{1,2}"
    r"(?:\s*(?:,|and|y|e|et|or|o|ou|&)\s*\d{1,2})*)"
)

# Chosen by leave-one-event-out cross-validation on the seed corpus (evaluate_suggestions);
# results moved little for neighbouring values, so these are round numbers, not a fine fit.
CLASSIFIER_SHARE = 0.4
OBJECTIVE_TEXT_WEIGHT = 2.0
SECONDARY_TAG_WEIGHT = 0.5
REGULARISATION_C = 30.0
MENTION_MARGIN = 1.0
# A text that shares next to nothing with any objective's text has similarities that differ by
# chance only; standardising them as they are would turn that noise into confident guesses.
# A typical recommendation's similarities spread by about 0.03.
SIMILARITY_LEAST_SPREAD = 0.03
_OBJECTIVE_FIELDS = ("short_title", "title", "summary")
# Turns blended scores into confidences that add up to 1; set so that, across held-out events,
# the mean confidence of the first suggestion is close to how often it is the primary objective.
TEMPERATURE = 0.75


# The longest text read for suggestions; beyond it a request is more likely abuse than use.
MAX_TEXT_CHARACTERS = 5000


@dataclass(frozen=True)
class Suggestion:
    """One objective with the model's confidence, in [0, 1], that it is the one concerned."""

    number: int
    score: float


@dataclass(frozen=True)
class Example:
    """A training text and the objectives it was tagged with, the primary one first."""

    text: str
    language: str
    objectives: tuple[int, ...]


def fold(text: str) -> str:
    """Lower-case `text` without accents, so "migración" and "migracion" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def detect_language(text: str) -> str:
    """The likeliest of en/es/pt/fr for `text`, by counting common function words."""
    words = _WORD.findall(text.lower())
    counts = {code: sum(w in _FUNCTION_WORDS[code] for w in words) for code in LANGUAGES}
    return max(LANGUAGES, key=lambda code: counts[code])


@functools.lru_cache(maxsize=50_000)
def _stem(word: str, language: str) -> str:
    # A Snowball stemmer keeps the word it works on in itself, so two threads must take turns.
    with _stemming:
        stem = _STEMMERS[language].stemWord(word)
    # Stem before folding: the Snowball rules for es/pt/fr expect the accents.
    return fold(stem)


def stems(text: str, language: str) -> list[str]:
    """Accent-folded word stems of `text` in `language`, with each pair of neighbouring stems."""
    single = [_stem(w, language) for w in _WORD.findall(text.lower()) if len(w) > 2]
    return single + [f"{a} {b}" for a, b in zip(single, single[1:], strict=False)]


def mentioned_objectives(text: str) -> set[int]:
    """Objective numbers the text names outright, e.g. "objectives 4, 15 and 22"."""
    found = set()
    for match in _OBJECTIVE_MENTION.finditer(fold(text)):
        found.update(int(n) for n in re.findall(r"\d{1,2}", match.group(1)))
    return found & set(NUMBERS)


def _language(text: str, language: str | None) -> str:
    return language if language in LANGUAGES else detect_language(text)


def _one_thread():
    # The matrices are small: BLAS threads only contend with the web server's own for the CPU,
    # which made training ten times slower on a busy two-core machine.
    return threadpool_limits(limits=1)


class TextFeatures:
    """Stemmed-word and character n-gram TF-IDF, each half L2-normalised, then the whole."""

    def __init__(self):
        self.words = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold, sublinear_tf=True
        )

    def fit(self, texts: Sequence[str], languages: Sequence[str]):
        self.words.fit([stems(t, lang) for t, lang in zip(texts, languages, strict=True)])
        self.chars.fit(texts)
        return self

    def transform(self, texts: Sequence[str], languages: Sequence[str]) -> csr_matrix:
        words = self.words.transform(
            [stems(t, lang) for t, lang in zip(texts, languages, strict=True)]
        )
        return normalize(hstack([normalize(words), normalize(self.chars.transform(texts))]).tocsr())


class _SpanLogisticRegression:
    """L2-regularised multinomial logistic regression over sparse rows, solved in their span.

    The penalised optimum's weights are a combination of the training rows (the representer
    theorem), so fitting on each row's coordinates in that span gives exactly the same model
    with a few hundred unknowns per class instead of tens of thousands: a fraction of a second
    to train instead of several seconds.
    """

    def fit(self, rows: csr_matrix, labels: np.ndarray, weights: np.ndarray):
        self.rows = rows
        kernel = (rows @ rows.T).toarray()
        eigenvalues, eigenvectors = np.linalg.eigh(kernel)
        # Repeated rows (one per tag of a recommendation) leave directions of zero variance.
        kept = eigenvalues > eigenvalues.max() * 1e-10
        self.projection = eigenvectors[:, kept] / np.sqrt(eigenvalues[kept])
        self.model = LogisticRegression(C=REGULARISATION_C, max_iter=3000)
        self.model.fit(kernel @ self.projection, labels, sample_weight=weights)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, vectors: csr_matrix) -> np.ndarray:
        return self.model.predict_proba((vectors @ self.rows.T).toarray() @ self.projection)


def _standardise(scores: np.ndarray, least_spread: float = 1e-9) -> np.ndarray:
    spread = np.maximum(scores.std(axis=1, keepdims=True), least_spread)
    return (scores - scores.mean(axis=1, keepdims=True)) / spread


class ObjectiveSuggester:
    """Ranks all 23 objectives for a text; `fit` on tagged recommendations and objective texts."""

    def fit(self, tagged: Iterable[Example], objective_texts: Iterable[Example]):
        """Train on tagged recommendations and on each objective's text in each language."""
        with _one_thread():
            return self._fit(list(tagged), list(objective_texts))

    def _fit(self, tagged: list[Example], objective_texts: list[Example]):
        everything = tagged + objective_texts
        self.known = np.array([any(n in e.objectives for e in everything) for n in NUMBERS])
        self.classifier = None
        if not self.known.any():
            return self
        self.features = TextFeatures().fit(
            [e.text for e in everything], [e.language for e in everything]
        )
        self._fit_objective_texts(objective_texts)
        self._fit_classifier(tagged, objective_texts)
        return self

    def _fit_objective_texts(self, objective_texts: list[Example]):
        self.objective_matrix = self._vectors(objective_texts)
        self.objective_columns = [
            [i for i, e in enumerate(objective_texts) if e.objectives[0] == n] for n in NUMBERS
        ]

    def _fit_classifier(self, tagged: list[Example], objective_texts: list[Example]):
        rows, labels, weights = [], [], []
        tagged_matrix = self._vectors(tagged) if tagged else None
        for row, example in enumerate(tagged):
            for position, number in enumerate(example.objectives):
                rows.append(row)
                labels.append(number)
                weights.append(1.0 if position == 0 else SECONDARY_TAG_WEIGHT)
        matrix_rows = [tagged_matrix[rows]] if rows else []
        for row, example in enumerate(objective_texts):
            matrix_rows.append(self.objective_matrix[row])
            labels.append(example.objectives[0])
            weights.append(OBJECTIVE_TEXT_WEIGHT)
        if len(set(labels)) > 1:
            self.classifier = _SpanLogisticRegression().fit(
                vstack(matrix_rows), np.array(labels), np.array(weights)
            )

    def _vectors(self, examples: Sequence[Example]) -> csr_matrix:
        return self.features.transform([e.text for e in examples], [e.language for e in examples])

    def scores(self, texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
        """A (texts × 23) array of confidences; each row adds up to 1 (0 where nothing is known)."""
        with _one_thread():
            return self._scores(texts, languages)

    def _scores(self, texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
        if not self.known.any():
            return np.zeros((len(texts), len(NUMBERS)))
        languages = [_language(t, lang) for t, lang in zip(texts, languages, strict=True)]
        vectors = self.features.transform(texts, languages)
        similarity = np.zeros((len(texts), len(NUMBERS)))
        if self.objective_matrix.shape[0]:
            by_document = (vectors @ self.objective_matrix.T).toarray()
            for column, documents in enumerate(self.objective_columns):
                if documents:
                    similarity[:, column] = by_document[:, documents].max(axis=1)
        blended = _standardise(similarity, SIMILARITY_LEAST_SPREAD)
        if self.classifier is not None:
            probabilities = np.zeros_like(similarity)
            columns = [n - 1 for n in self.classifier.classes_]
            probabilities[:, columns] = self.classifier.predict_proba(vectors)
            blended = (1 - CLASSIFIER_SHARE) * blended + CLASSIFIER_SHARE * _standardise(
                probabilities
            )
        for row, text in enumerate(texts):
            # A text that names an objective by its number is about that objective: lift the
            # ones named above all others, keeping their order among themselves.
            named = [number - 1 for number in mentioned_objectives(text)]
            if named:
                blended[row, named] += (
                    blended[row].max() - blended[row, named].min() + MENTION_MARGIN
                )
        blended = np.where(self.known, blended / TEMPERATURE, -np.inf)
        exponentials = np.exp(blended - blended.max(axis=1, keepdims=True))
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def suggest_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[list[Suggestion]]:
        """For each text, all 23 objectives ranked by confidence, highest first."""
        if not texts:
            return []
        table = self.scores(texts, languages or [None] * len(texts))
        return [
            sorted(
                (
                    Suggestion(number, float(round(score, 4)))
                    for number, score in zip(NUMBERS, row, strict=True)
                ),
                key=lambda s: (-s.score, s.number),
            )
            for row in table
        ]

    def suggest(self, text: str, *, language: str | None = None) -> list[Suggestion]:
        """All 23 objectives ranked by confidence for one text, highest first."""
        return self.suggest_many([text], [language])[0]


def objective_examples(objectives: Iterable[Objective] | None = None) -> list[Example]:
    """One training text per objective and language: its short title, title and summary."""
    if objectives is None:
        objectives = Objective.objects.order_by("number")
    examples = []
    for objective in objectives:
        for code in LANGUAGES:
            parts = [getattr(objective, f"{field}_{code}") for field in _OBJECTIVE_FIELDS]
            text = ". ".join(p.strip() for p in parts if p and p.strip())
            if text:
                examples.append(Example(text, code, (objective.number,)))
    return examples


def recommendation_text(short_title: str, text: str) -> str:
    """The text the model reads for a recommendation: its short title, then its text."""
    return ". ".join(p.strip() for p in (short_title, text) if p and p.strip())


def tagged_examples(recommendations=None) -> list[Example]:
    """Every tagged recommendation (and each of its translations) as a training example."""
    # Every source recorded today is a person's judgement; a purely machine-made tag, if one is
    # ever added, must stay out, or the model would learn from its own guesses.
    sources = [choice.value for choice in RecommendationObjective.Source]
    if recommendations is None:
        recommendations = Recommendation.objects.all()
    tags: dict[int, list[tuple[bool, int]]] = {}
    for recommendation_id, number, is_primary in RecommendationObjective.objects.filter(
        recommendation__in=recommendations, source__in=sources
    ).values_list("recommendation_id", "objective__number", "is_primary"):
        tags.setdefault(recommendation_id, []).append((not is_primary, number))
    examples = []
    tagged = (
        recommendations.filter(pk__in=tags)
        .order_by("pk")
        .prefetch_related("translations")
        .only("pk", "short_title", "text", "language")
    )
    for recommendation in tagged:
        numbers = tuple(number for _secondary, number in sorted(tags[recommendation.pk]))
        examples.append(
            Example(
                recommendation_text(recommendation.short_title, recommendation.text),
                recommendation.language if recommendation.language in LANGUAGES else "en",
                numbers,
            )
        )
        for translation in recommendation.translations.all():
            if translation.language in LANGUAGES and translation.text.strip():
                text = recommendation_text(translation.short_title, translation.text)
                examples.append(Example(text, translation.language, numbers))
    return examples


def training_state() -> tuple:
    """What the trained model depends on; when it changes, the model is trained again."""
    tags = RecommendationObjective.objects.aggregate(n=Count("pk"), last=Max("pk"))
    # The history table catches a tag edited in place, which neither the count nor the ids show.
    tag_history = RecommendationObjective.history.aggregate(last=Max("history_id"))
    texts = Recommendation.objects.filter(objective_links__isnull=False).aggregate(
        last=Max("updated_at")
    )
    translations = RecommendationTranslation.history.aggregate(last=Max("history_id"))
    objectives = Objective.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (
        tags["n"],
        tags["last"],
        tag_history["last"],
        texts["last"],
        translations["last"],
        objectives["n"],
        objectives["last"],
    )


_lock = threading.Lock()
_cached: tuple[tuple, ObjectiveSuggester] | None = None


def current_suggester() -> ObjectiveSuggester:
    """The model trained on the database as it is now, trained again only when tags changed."""
    global _cached
    state = training_state()
    with _lock:
        if _cached is None or _cached[0] != state:
            model = ObjectiveSuggester().fit(tagged_examples(), objective_examples())
            _cached = (state, model)
        return _cached[1]


def suggest_objectives(text: str, *, language: str | None = None) -> list[Suggestion]:
    """All 23 objectives ranked for `text`, each with a confidence in [0, 1], highest first."""
    return current_suggester().suggest(text, language=language)


@dataclass(frozen=True)
class HeldOutScore:
    """How the model did on one event's recommendations when trained without that event."""

    event_code: str
    event_title: str
    count: int
    top1: float
    top3: float
    primary_top1: float
    primary_top3: float
    mean_confidence: float


def _held_out_score(
    event, model: ObjectiveSuggester, tested, with_short_title: bool
) -> HeldOutScore:
    texts = [recommendation_text(r.short_title if with_short_title else "", r.text) for r in tested]
    ranked = model.suggest_many(texts, [r.language for r in tested])
    hits = {"top1": 0, "top3": 0, "primary_top1": 0, "primary_top3": 0}
    confidence = 0.0
    for recommendation, suggestions in zip(tested, ranked, strict=True):
        tags = {link.objective.number for link in recommendation.objective_links.all()}
        primary = next(
            (
                link.objective.number
                for link in recommendation.objective_links.all()
                if link.is_primary
            ),
            None,
        )
        first_three = [s.number for s in suggestions[:3]]
        hits["top1"] += first_three[0] in tags
        hits["top3"] += bool(tags & set(first_three))
        hits["primary_top1"] += first_three[0] == primary
        hits["primary_top3"] += primary in first_three
        confidence += suggestions[0].score
    count = len(tested)
    return HeldOutScore(
        event.code,
        event.title,
        count,
        **{name: value / count for name, value in hits.items()},
        mean_confidence=confidence / count,
    )


def evaluate_leaving_out_events(
    *, learn_from_tags: bool = True, with_short_title: bool = True
) -> list[HeldOutScore]:
    """Accuracy on each event's tagged recommendations, trained on every other event only."""
    tagged = Recommendation.objects.filter(objective_links__isnull=False).distinct()
    events = Event.objects.filter(recommendations__in=tagged).distinct().order_by("start_date")
    objective_texts = objective_examples()
    scores = []
    for event in events:
        training = tagged_examples(tagged.exclude(event=event)) if learn_from_tags else []
        model = ObjectiveSuggester().fit(training, objective_texts)
        tested = list(
            tagged.filter(event=event)
            .order_by("reference")
            .prefetch_related(
                Prefetch(
                    "objective_links",
                    queryset=RecommendationObjective.objects.select_related("objective"),
                )
            )
        )
        scores.append(_held_out_score(event, model, tested, with_short_title))
    return scores
