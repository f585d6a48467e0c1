"""Full-text search shared by the public site and the API.

On PostgreSQL each searchable row keeps a stored, GIN-indexed tsvector, maintained by database
triggers (see recommendations/migrations/0005_full_text_search.py) in the row's own language,
accent-folded with unaccent, plus an unstemmed copy so words in any language still match. A
query is parsed with every language's configuration and the results are OR-ed, so "migración",
"migracion" and "migrations" find what they should. Names of people and organizations also match
by trigram similarity, so a misspelt name still finds them.

SQLite, used for development and the quick test run, has no text search: there every word's
stem (Snowball, in each of our languages) must appear, accent-folded, in one of the fields.
"""

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

import snowballstemmer
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, models
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_WORDS = 12
# The text-search configurations created by the migration, one per interface language.
CONFIGS = {"en": "gcm_en", "es": "gcm_es", "pt": "gcm_pt", "fr": "gcm_fr"}
UNSTEMMED_CONFIG = "gcm_simple"
STEMMERS = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french"}
NAME_SIMILARITY = 0.45
# The session's pg_trgm.word_similarity_threshold: a little below NAME_SIMILARITY, so the indexed
# operator (strictly above the threshold) keeps every name the exact test would.
TRIGRAM_THRESHOLD = 0.44
WORD = re.compile(r"\w+", re.UNICODE)
# The commonest short words of our four languages, which the SQLite fallback does not require.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "al",
        "con",
        "de",
        "del",
        "el",
        "en",
        "es",
        "la",
        "las",
        "lo",
        "los",
        "o",
        "para",
        "por",
        "que",
        "se",
        "su",
        "un",
        "una",
        "y",
        "ao",
        "as",
        "com",
        "da",
        "das",
        "do",
        "dos",
        "e",
        "em",
        "na",
        "nas",
        "no",
        "nos",
        "os",
        "ou",
        "um",
        "uma",
        "au",
        "aux",
        "ce",
        "dans",
        "des",
        "du",
        "et",
        "il",
        "le",
        "les",
        "par",
        "pour",
        "qui",
        "sur",
        "une",
    ]
)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Migración" -> "migracion"."""
    if text.isascii():
        return text.lower()  # nothing to decompose: the same, ten times sooner
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS[language])


@lru_cache(maxsize=512)
def stems(word: str) -> frozenset[str]:
    """The accent-folded stems of `word` in each of our languages (at least three letters)."""
    folded = fold(word)
    found = {_stemmer(language).stemWord(folded) for language in STEMMERS}
    return frozenset(stem if len(stem) >= 3 else folded for stem in found | {folded})


def words(text: str) -> list[str]:
    """The words of a query, at most MAX_WORDS."""
    return WORD.findall(text)[:MAX_WORDS]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@receiver(connection_created, dispatch_uid="gcm_tracker.search.sqlite_fold")
def _register_fold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        # The trigram indexes answer "word <% name" for similarities above this threshold: set
        # just below NAME_SIMILARITY, they find every candidate and the exact test keeps the rest.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(TRIGRAM_THRESHOLD)],
            )
    # SQLite compares case only for ASCII and never folds accents; teach it our fold().
    if connection.vendor == "sqlite":
        connection.connection.create_function("gcm_fold", 1, _fold_or_none, deterministic=True)
        connection.connection.create_function(
            "gcm_name_similarity", 2, name_similarity, deterministic=True
        )


def _fold_or_none(value):
    return fold(value) if isinstance(value, str) else value


class Fold(models.Func):
    function = "gcm_fold"
    output_field = models.TextField()


def _tsquery(text: str, search_type: str = "websearch"):
    query = SearchQuery(text, config=UNSTEMMED_CONFIG, search_type=search_type)
    for config in CONFIGS.values():
        query |= SearchQuery(text, config=config, search_type=search_type)
    return query


def search(
    queryset: models.QuerySet,
    text: str,
    *,
    vectors: list[str],
    fields: list[str],
    phrase_fields: dict[str, int],
    extra: Q | None = None,
) -> models.QuerySet:
    """`queryset` narrowed to rows matching `text`, annotated with `rank` (higher is better).

    `vectors` are the stored tsvector fields (PostgreSQL); `fields` the text fields the SQLite
    fallback looks in; `phrase_fields` the fields where the whole phrase weighs extra, in both;
    `extra` a condition that also makes a row match (such as a similar name).
    """
    query_words = words(text)
    if not query_words:
        return queryset.none().annotate(rank=models.Value(0.0, output_field=models.FloatField()))
    base = queryset
    phrase = " ".join(query_words)
    phrase_bonus = sum(
        (
            models.Case(models.When(Q(**{f"{name}__icontains": phrase}), then=weight), default=0)
            for name, weight in phrase_fields.items()
        ),
        models.Value(0),
    )
    if is_postgresql():
        query = _tsquery(phrase)
        # One id subquery per way of matching, joined by UNION, so each is answered from its own
        # index (a vector's GIN index, the ids of similar names): OR-ed across joined tables
        # they would make the database test every row.
        ways = [Q(**{vector: query}) for vector in vectors]
        if extra:
            # Alternatives (a similar speaker, or organization) are a subquery each, for the same
            # reason.
            alternatives = (
                extra.children if extra.connector == Q.OR and not extra.negated else [extra]
            )
            ways += [way if isinstance(way, Q) else Q(way) for way in alternatives]
        first, *others = [queryset.filter(way).order_by().values("pk") for way in ways]
        ids = first.union(*others) if others else first
        rank = SearchRank(models.F(vectors[0]), query) + phrase_bonus
    else:
        matches = Q()
        # PostgreSQL drops stop words; here a short word would match inside almost any text.
        for word in [w for w in query_words if fold(w) not in STOP_WORDS] or query_words:
            any_field = Q()
            for name in fields:
                for stem in stems(word):
                    any_field |= Q(**{f"_fold_{name.replace('__', '_')}__contains": stem})
            matches &= any_field
        if extra is not None:
            matches |= extra
        queryset = queryset.annotate(
            **{f"_fold_{name.replace('__', '_')}": Fold(name) for name in fields}
        )
        rank = phrase_bonus
        # Matching through joins (translations, names) could repeat a row; an id subquery cannot.
        ids = queryset.filter(matches).values("pk")
    return base.filter(pk__in=ids).annotate(
        rank=models.ExpressionWrapper(rank, output_field=models.FloatField())
    )


def names_like(queryset: models.QuerySet, text: str, fields: list[str]) -> models.QuerySet:
    """Rows of `queryset` whose name fields resemble `text`, even misspelt (PostgreSQL trigrams)."""
    query_words = words(text)
    if not query_words:
        return queryset.none()
    if is_postgresql():
        # Every word must be close to a word of the name: "detention children" must not find
        # the Major Group for Children and Youth.
        # Each word is first looked up in the names' trigram indexes ("word <% name", above the
        # session's threshold, which lies just below NAME_SIMILARITY); the exact similarity then
        # decides. Computed for every name instead, it would read every person at each search.
        for index, word in enumerate(query_words):
            candidates = Q()
            for name in fields:
                candidates |= Q(TrigramWordSimilar(models.F(name), word))
            similarities = [TrigramWordSimilarity(word, name) for name in fields]
            similarity = (
                similarities[0]
                if len(similarities) == 1
                else models.Func(*similarities, function="GREATEST")
            )
            queryset = (
                queryset.filter(candidates)
                .annotate(**{f"_name_similarity_{index}": similarity})
                .filter(**{f"_name_similarity_{index}__gte": NAME_SIMILARITY})
            )
        return queryset
    # SQLite has no trigrams: a function registered on each connection compares in Python.
    phrase = " ".join(query_words)
    similarities = [
        models.Func(
            models.Value(phrase),
            models.F(name),
            function="gcm_name_similarity",
            output_field=models.FloatField(),
        )
        for name in fields
    ]
    similarity = (
        similarities[0]
        if len(similarities) == 1
        else models.Func(*similarities, function="MAX", output_field=models.FloatField())
    )
    return queryset.annotate(_name_similarity=similarity).filter(
        _name_similarity__gte=NAME_SIMILARITY
    )


def name_similarity(query: str, name: str | None) -> float:
    """How close every word of `query` comes to a word of `name`, from 0 to 1 (SQLite's stand-in
    for trigram word similarity)."""
    name_words = WORD.findall(fold(name or ""))
    wanted = [fold(word) for word in WORD.findall(query or "")]
    if not name_words or not wanted:
        return 0.0
    return min(
        max(SequenceMatcher(None, word, candidate).ratio() for candidate in name_words)
        for word in wanted
    )


def highlight(text: str, query: str, *, around: int = 24) -> SafeString:
    """An escaped excerpt of `text` around the first word matching `query`, matches in <mark>."""
    wanted = set().union(*(stems(word) for word in words(query))) if words(query) else set()
    starts = tuple(wanted)
    tokens = list(WORD.finditer(text))
    hits = [index for index, token in enumerate(tokens) if fold(token.group()).startswith(starts)]
    if not tokens:
        return escape(text)
    first = hits[0] if hits else 0
    start_token = max(first - around // 3, 0)
    end_token = min(start_token + around, len(tokens)) - 1
    start = tokens[start_token].start() if start_token else 0
    end = tokens[end_token].end() if end_token < len(tokens) - 1 else len(text)
    hit_set = set(hits)
    pieces, cursor = [], start
    for index in range(start_token, end_token + 1):
        token = tokens[index]
        pieces.append(escape(text[cursor : token.start()]))
        word = escape(token.group())
        pieces.append(f"<mark>{word}</mark>" if index in hit_set else word)
        cursor = token.end()
    pieces.append(escape(text[cursor:end]))
    excerpt = "".join(pieces)
    return mark_safe(("… " if start else "") + excerpt + (" …" if end < len(text) else ""))  # noqa: S308
