from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from consultations.models import (
    Event,
    Organization,
    Participation,
    Person,
    Session,
    TimeStampedModel,
)
from gcm_tracker.search import names_like, search
from objectives.models import GuidingPrinciple, Objective


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    FRENCH = "fr", _("French")


class Status(models.TextChoices):
    NO_INFORMATION = "no_information", _("No information yet")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    REGRESSED = "regressed", _("Regressed")

    @property
    def description(self) -> str:
        """What the status means, in plain language."""
        return STATUS_DESCRIPTIONS[self]


STATUS_DESCRIPTIONS = {
    Status.NO_INFORMATION: _("Nobody has yet recorded what happened after this was asked."),
    Status.NOT_STARTED: _("There is evidence that those asked to act have not begun to do so."),
    Status.IN_PROGRESS: _(
        "Those asked to act have begun: a plan, a bill or a programme is under way."
    ),
    Status.PARTIALLY_IMPLEMENTED: _("Part of what was asked has been done, but not all of it."),
    Status.IMPLEMENTED: _("What was asked has been done, as far as the evidence shows."),
    Status.REGRESSED: _("Things have moved backwards: an earlier step was undone or made worse."),
}
# Statuses under which an ask is still waiting for action.
OPEN_STATUSES = [
    Status.NO_INFORMATION,
    Status.NOT_STARTED,
    Status.IN_PROGRESS,
    Status.PARTIALLY_IMPLEMENTED,
    Status.REGRESSED,
]


class Addressee(TimeStampedModel):
    """A state, institution or actor that a recommendation asks to act."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addressed_as",
        help_text=_("When the addressee is one specific organization."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")

    def __str__(self):
        return self.name


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        """Recommendations the public may see."""
        return self.filter(state=Recommendation.State.PUBLISHED)

    def for_objective(self, number: int):
        """Recommendations tagged with the objective numbered `number`."""
        return self.filter(objective_links__objective__number=number)

    def for_event(self, code: str):
        """Recommendations made at the event with this code."""
        return self.filter(event__code=code)

    def in_year(self, year: int):
        """Recommendations made at events that started in `year`."""
        return self.filter(event__start_date__year=year)

    def with_status(self, *statuses: str):
        """Recommendations whose current follow-up status is one of `statuses`."""
        return self.filter(current_status__in=statuses)

    def open(self):
        """Recommendations still waiting for action (anything short of implemented)."""
        return self.with_status(*OPEN_STATUSES)

    def due(self, on: date | None = None):
        """Published recommendations whose next review date has come by `on` (default today)."""
        return self.published().filter(next_review_date__lte=on or timezone.localdate())

    def tagged(self, numbers=None, sources=None):
        """Recommendations with an objective tag among `numbers` and of one of `sources` (None: any)."""
        tags = RecommendationObjective.objects.all()
        if numbers:
            tags = tags.filter(objective__number__in=numbers)
        if sources:
            tags = tags.filter(source__in=sources)
        return self.filter(pk__in=tags.values("recommendation_id"))

    def created_by(self, user):
        """Recommendations whose first version `user` saved, as the change history records."""
        first_versions = Recommendation.history.filter(history_type="+", history_user=user)
        return self.filter(pk__in=first_versions.values("id"))

    def visible_to(self, user):
        """What `user` may read: all for editors; published ones and their own drafts otherwise."""
        if user is None or not user.is_authenticated:
            return self.published()
        if user.has_perm("recommendations.view_recommendation"):
            return self
        return self.filter(
            Q(state=Recommendation.State.PUBLISHED)
            | Q(pk__in=Recommendation.objects.created_by(user).values("pk"))
        )

    def with_source(self):
        """Joins the event, session, speaker and organization for display."""
        return self.select_related("event", "session", "speaker", "organization")

    def search(self, text: str):
        """Recommendations matching `text` in any of our languages, best first (annotated `rank`).

        Public speakers' and organizations' names match too, misspelt or not.
        """
        people = names_like(Person.objects.public(), text, ["name"])
        organizations = names_like(Organization.objects.all(), text, ["name", "acronym"])
        return search(
            self,
            text,
            vectors=["search_vector", "translations__search_vector"],
            fields=["reference", "short_title", "text", "translations__text"],
            phrase_fields={"reference": 8, "short_title": 4, "text": 2},
            extra=Q(speaker__in=people.values("pk"))
            | Q(organization__in=organizations.values("pk")),
        )

    def for_principle(self, slug: str):
        """Recommendations tagged with the guiding principle `slug`."""
        return self.filter(principles__slug=slug)

    def for_session(self, session: Session):
        """Recommendations made at `session`."""
        return self.filter(session=session)

    def by_organization(self, slug: str):
        """Recommendations made on behalf of the organization `slug`."""
        return self.filter(organization__slug=slug)

    def by_organization_kind(self, kind: str):
        """Recommendations made on behalf of an organization of this kind."""
        return self.filter(organization__kind=kind)

    def by_public_speakers(self):
        """Recommendations whose speaker spoke publicly (never a chat commenter only)."""
        return self.filter(speaker__in=Person.objects.public())

    def by_speaker(self, slug: str):
        """Recommendations made by the person `slug`, when that person spoke publicly."""
        return self.by_public_speakers().filter(speaker__slug=slug)

    def with_session_format(self, session_format: str):
        """Recommendations made at a session of this format."""
        return self.filter(session__format=session_format)

    def concerning_country(self, code: str):
        """Recommendations naming the country with this ISO code among the countries concerned."""
        # The field stores codes joined by commas; two-letter codes cannot straddle a comma.
        return self.filter(countries__contains=code.upper())

    def for_addressee(self, slug: str):
        """Recommendations addressed to the addressee `slug`."""
        return self.filter(addressees__slug=slug)

    def in_language(self, code: str):
        """Recommendations whose original text is in the language `code`."""
        return self.filter(language=code)

    def with_public_speaker(self, *, page: bool = False):
        """Annotates `speaker_is_public`, so a chat commenter's name is never shown.

        With `page`, for a page of a longer list: asked row by row of the rows read, where
        otherwise the database may first hash every public participation to answer them all.
        """
        # Asked of the participations directly (no join to people, no DISTINCT), so the
        # database answers it from the participation_person_role index.
        public_parts = Participation.objects.filter(
            person=models.OuterRef("speaker_id"), role__in=Participation.PUBLIC_ROLES
        )
        if page:
            # A scalar subquery, unlike EXISTS, is never turned into a hashed set of them all.
            return self.annotate(
                speaker_is_public=IsNull(models.Subquery(public_parts.values("pk")[:1]), False)
            )
        return self.annotate(speaker_is_public=models.Exists(public_parts))

    def for_listing(self):
        """Everything a row of a public list shows, in a fixed number of queries."""
        return (
            self.with_source()
            .with_public_speaker(page=True)
            .prefetch_related(
                models.Prefetch(
                    "objective_links",
                    queryset=RecommendationObjective.objects.select_related("objective"),
                )
            )
        )

    def with_detail(self):
        """Everything a recommendation's own page shows, published links only."""
        published = Recommendation.State.PUBLISHED
        return self.for_listing().prefetch_related(
            "principles",
            "addressees",
            "translations",
            models.Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.chronological().select_related("addressee", "corrects"),
            ),
            models.Prefetch(
                "links_to_earlier",
                queryset=RecommendationLink.objects.filter(to_recommendation__state=published)
                .select_related("to_recommendation__event")
                .order_by("to_recommendation__event__start_date", "to_recommendation__reference"),
            ),
            models.Prefetch(
                "links_to_later",
                queryset=RecommendationLink.objects.filter(from_recommendation__state=published)
                .select_related("from_recommendation__event")
                .order_by(
                    "from_recommendation__event__start_date", "from_recommendation__reference"
                ),
            ),
        )

    def in_status_order(self):
        """Ordered by follow-up status as the Status choices list them, then by reference."""
        position = models.Case(
            *(models.When(current_status=status, then=i) for i, status in enumerate(Status)),
            output_field=models.IntegerField(),
        )
        return self.order_by(position, "reference")

    def count_by(self, *fields: str):
        """One row per combination of `fields`, with `count` distinct recommendations."""
        return (
            self.order_by()
            .values(*fields)
            .annotate(count=models.Count("pk", distinct=True))
            .order_by(*fields)
        )

    def country_counts(self) -> dict[str, int]:
        """How many recommendations name each country code among the countries concerned."""
        counts: dict[str, int] = {}
        for codes in self.exclude(countries="").order_by().values_list("countries", flat=True):
            for code in filter(None, str(codes).split(",")):
                counts[code] = counts.get(code, 0) + 1
        return counts

    def asks(self) -> list:
        """These recommendations grouped into asks along accepted "repeats" links, in 2 queries."""
        from recommendations.recurring import build_asks, repeat_links

        return build_asks(self.select_related("event"), repeat_links(self))

    def ask_of(self, recommendation):
        """The ask `recommendation` belongs to among these, or None if it is not among them."""
        from recommendations.recurring import ask_containing

        return ask_containing(self, recommendation)

    def longest_standing_open(self, objective_number: int | None = None) -> list:
        """Open asks, longest-standing first; with a number, only those concerning that objective."""
        from recommendations.recurring import longest_standing_first

        asks = [ask for ask in self.asks() if ask.is_open]
        if objective_number is not None:
            concerned = set(self.for_objective(objective_number).values_list("pk", flat=True))
            asks = [a for a in asks if any(r.pk in concerned for r in a.recommendations)]
        return longest_standing_first(asks)


class Recommendation(TimeStampedModel):
    """An ask made of governments or other actors at a consultation, tracked from then on."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9]+(-[A-Z0-9]+)+$",
                _("Use capital letters, digits and hyphens, e.g. OAS2017-P2-03."),
            )
        ],
        help_text=_("Stable public reference, e.g. OAS2017-P2-03. Never reused or changed."),
    )
    short_title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("text as in the source"))
    language = models.CharField(
        _("original language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="recommendations"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    speaker = models.ForeignKey(
        Person,
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    source_location = models.CharField(
        _("place in the source"),
        max_length=200,
        blank=True,
        help_text=_('Where in the source document the text is, e.g. "Panel 2, recommendations".'),
    )
    objectives = models.ManyToManyField(
        Objective,
        through="RecommendationObjective",
        verbose_name=_("objectives"),
        related_name="recommendations",
    )
    principles = models.ManyToManyField(
        GuidingPrinciple,
        verbose_name=_("guiding principles"),
        blank=True,
        related_name="recommendations",
    )
    addressees = models.ManyToManyField(
        Addressee, verbose_name=_("addressees"), blank=True, related_name="recommendations"
    )
    countries = CountryField(_("countries concerned"), multiple=True, blank=True)
    state = models.CharField(
        _("editorial state"),
        max_length=12,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Derived from the latest follow-up update; only FollowUp recording writes these.
    current_status = models.CharField(
        _("current status"),
        max_length=24,
        choices=Status.choices,
        default=Status.NO_INFORMATION,
        editable=False,
        db_index=True,
    )
    status_date = models.DateField(_("status date"), null=True, blank=True, editable=False)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible curator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curated_recommendations",
        help_text=_("Who keeps this recommendation's follow-up up to date."),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the tracker's default interval."),
    )
    # Derived from the last follow-up (or publication) and the interval; see schedule_review().
    next_review_date = models.DateField(
        _("next review"), null=True, blank=True, editable=False, db_index=True
    )

    # Kept up to date by a database trigger on PostgreSQL; see gcm_tracker/search.py.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["current_status", "status_date", "next_review_date", "search_vector"]
    )
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        permissions = [("publish_recommendation", _("Can publish recommendations"))]
        indexes = [
            # Published ones of a status, ids only: lists and counts filtered by status are
            # answered from the index without reading the wide rows.
            models.Index(fields=["state", "current_status", "id"], name="rec_state_status_id"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.short_title}"

    def save(self, *args, **kwargs):
        # The review date follows publication, the interval and the follow-up on every save.
        self.schedule_review()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "next_review_date" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "next_review_date"]
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.session_id and self.event_id and self.session.event_id != self.event_id:
            errors["session"] = _("The session must belong to the recommendation's event.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        """Whether the public may see this recommendation."""
        return self.state == self.State.PUBLISHED

    @property
    def primary_objective(self):
        """The objective tagged as primary, or None."""
        for link in self.objective_links.all():
            if link.is_primary:
                return link.objective
        return None

    def publication_errors(self) -> list[str]:
        """Why this recommendation cannot be published yet; empty when it can."""
        links = list(self.objective_links.all())
        errors = []
        if not links:
            errors.append(
                _("A recommendation needs at least one objective before it is published.")
            )
        elif sum(link.is_primary for link in links) != 1:
            errors.append(_("Exactly one of its objectives must be marked primary."))
        return errors

    def refresh_status(self, save: bool = True):
        """Derive the current status, its date and the next review from the latest update."""
        latest = self.follow_ups.order_by("-date", "-recorded_at", "-id").first()
        self.current_status = latest.status if latest else Status.NO_INFORMATION
        self.status_date = latest.date if latest else None
        if save:
            self.save(
                update_fields=["current_status", "status_date", "next_review_date", "updated_at"]
            )

    @property
    def review_interval(self) -> timedelta:
        """How long after the last news this recommendation is due for review."""
        return timedelta(days=self.review_interval_days or settings.GCM_REVIEW_INTERVAL_DAYS)

    def schedule_review(self):
        """Set the next review date: an interval after the last update, or after publication."""
        if not self.is_published:
            self.next_review_date = None
            return
        published_on = timezone.localdate(self.published_at) if self.published_at else None
        start = max(filter(None, [self.status_date, published_on]), default=timezone.localdate())
        self.next_review_date = start + self.review_interval

    def is_due(self, on: date | None = None) -> bool:
        """Whether the next review date has come."""
        return bool(self.next_review_date and self.next_review_date <= (on or timezone.localdate()))

    @property
    def status_description(self) -> str:
        """Plain-language meaning of the current status."""
        return STATUS_DESCRIPTIONS[Status(self.current_status)]

    def get_absolute_url(self):
        return reverse("recommendations:detail", kwargs={"reference": self.reference})


class RecommendationObjective(models.Model):
    """The tag linking a recommendation to an objective, with who tagged it and how."""

    class Source(models.TextChoices):
        IN_SOURCE = "in_source", _("Named in the source")
        CURATOR = "curator", _("Tagged by a curator")
        SUGGESTION_REVIEWED = (
            "suggestion_reviewed",
            _("Suggested by the machine, reviewed by a person"),
        )

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="objective_links"
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.PROTECT,
        related_name="recommendation_links",
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    source = models.CharField(
        _("tagged how"), max_length=24, choices=Source.choices, default=Source.CURATOR
    )
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tagged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tagged_at = models.DateTimeField(_("tagged at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "objective__number"]
        verbose_name = _("objective tag")
        verbose_name_plural = _("objective tags")
        indexes = [
            # An objective's recommendations from the index alone (objective pages, filters).
            models.Index(
                fields=["objective", "recommendation"], name="tag_objective_recommendation"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "objective"], name="objective_tagged_once"
            ),
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(is_primary=True),
                name="one_primary_objective",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation.reference} → {self.objective.number}"


class RecommendationTranslation(models.Model):
    """A translation of a recommendation's text entered by a curator."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    short_title = models.CharField(_("short title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self):
        return f"{self.recommendation.reference} ({self.language})"


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a follow-up update."""


class FollowUpQuerySet(models.QuerySet):
    def public(self):
        """Updates on published recommendations."""
        return self.filter(recommendation__state=Recommendation.State.PUBLISHED)

    def chronological(self):
        """Oldest first, in the order the status was derived."""
        return self.order_by("date", "recorded_at", "id")

    def update(self, **kwargs):
        raise AppendOnlyError("Follow-up updates are append-only.")

    def delete(self):
        raise AppendOnlyError("Follow-up updates are append-only.")


class FollowUp(models.Model):
    """One entry in a recommendation's append-only follow-up history."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    date = models.DateField(_("date"), help_text=_("When the situation described was observed."))
    note = models.TextField(_("note"), blank=True)
    evidence_links = models.JSONField(
        _("evidence links"), default=list, blank=True, help_text=_("Web addresses of the evidence.")
    )
    addressee = models.ForeignKey(
        Addressee,
        verbose_name=_("addressee concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("The earlier update this one corrects; the earlier one stays in the history."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-recorded_at", "-id"]
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")
        indexes = [
            # The latest updates (home page, feeds) without sorting the whole history.
            models.Index(fields=["-date", "-recorded_at", "-id"], name="followup_newest_first"),
        ]

    def __str__(self):
        return f"{self.recommendation.reference}: {self.get_status_display()} ({self.date})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Follow-up updates are append-only: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Follow-up updates are append-only: record a correction instead.")

    def clean(self):
        from django.core.validators import URLValidator

        validate = URLValidator(schemes=["http", "https"])
        if not isinstance(self.evidence_links, list):
            raise ValidationError({"evidence_links": _("Give a list of web addresses.")})
        for link in self.evidence_links:
            try:
                validate(link)
            except ValidationError:
                raise ValidationError(
                    {"evidence_links": _("%(link)s is not a web address.") % {"link": link}}
                ) from None
        if self.corrects_id and self.corrects.recommendation_id != self.recommendation_id:
            raise ValidationError(
                {"corrects": _("A correction must concern the same recommendation.")}
            )


class RecommendationLink(TimeStampedModel):
    """A later recommendation making the same ask as an earlier one."""

    class Kind(models.TextChoices):
        REPEATS = "repeats", _("repeats")
        FOLLOWS_UP_ON = "follows_up_on", _("follows up on")

    from_recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("later recommendation"),
        on_delete=models.CASCADE,
        related_name="links_to_earlier",
    )
    to_recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("earlier recommendation"),
        on_delete=models.CASCADE,
        related_name="links_to_later",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["to_recommendation__reference"]
        verbose_name = _("link between recommendations")
        verbose_name_plural = _("links between recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["from_recommendation", "to_recommendation", "kind"], name="link_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_recommendation=models.F("to_recommendation")),
                name="link_not_to_itself",
            ),
        ]

    def __str__(self):
        return (
            f"{self.from_recommendation_id} {self.get_kind_display()} {self.to_recommendation_id}"
        )


class DigestDelivery(models.Model):
    """One curator's digest for one day: the row that makes sending it happen once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    day = models.DateField(_("day"))
    covers_since = models.DateTimeField(_("covers updates since"))
    covers_until = models.DateTimeField(_("covers updates until"))
    due_count = models.PositiveIntegerField(_("recommendations due"), default=0)
    update_count = models.PositiveIntegerField(_("follow-up updates"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day")
        ]

    def __str__(self):
        return f"{self.recipient} {self.day}"


class ExportJob(models.Model):
    """A download of the whole published data set, built in the background."""

    class Format(models.TextChoices):
        JSON = "json", _("JSON archive (zip)")
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows to write"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self):
        when = f" {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else ""
        return f"{self.get_format_display()}{when}"

    @property
    def progress(self) -> int:
        """Percentage of rows written."""
        if self.state == self.State.READY:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class RepeatProposalQuerySet(models.QuerySet):
    def pending(self):
        """Proposals nobody has decided on yet."""
        return self.filter(state=RepeatProposal.State.PROPOSED)


class RepeatProposal(models.Model):
    """The detector's guess that a later recommendation repeats an earlier one, for a curator."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    later = models.ForeignKey(
        Recommendation,
        verbose_name=_("later recommendation"),
        on_delete=models.CASCADE,
        related_name="repeat_proposals_as_later",
    )
    earlier = models.ForeignKey(
        Recommendation,
        verbose_name=_("earlier recommendation"),
        on_delete=models.CASCADE,
        related_name="repeat_proposals_as_earlier",
    )
    score = models.FloatField(
        _("similarity"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("How alike the two texts and their objectives are, from 0 to 1."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = RepeatProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("proposed repeat")
        verbose_name_plural = _("proposed repeats")
        constraints = [
            models.UniqueConstraint(fields=["later", "earlier"], name="repeat_proposed_once"),
            models.CheckConstraint(
                condition=~Q(later=models.F("earlier")), name="repeat_proposal_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.later_id} repeats {self.earlier_id}? ({self.score:.2f})"

    def clean(self):
        if self.later_id and self.earlier_id and self.later.event_id == self.earlier.event_id:
            raise ValidationError(_("A repeat is made at a later event, not at the same one."))
