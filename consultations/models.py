from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from gcm_tracker.search import names_like, search
from objectives.models import Objective


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Organization(TimeStampedModel):
    """A civil-society group, government body, agency or other actor that took part or was addressed."""

    class Kind(models.TextChoices):
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        GOVERNMENT = "government", _("Government")
        UN_AGENCY = "un_agency", _("UN agency")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental body")
        ACADEMIA = "academia", _("Academia")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        TRADE_UNION = "trade_union", _("Trade union")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        INTERNATIONAL_MOVEMENT = "international_movement", _("International movement")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, blank=True)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("consultations:organization", kwargs={"slug": self.slug})


class PersonQuerySet(models.QuerySet):
    def public(self):
        """People who spoke publicly: at least one participation in a public role."""
        return self.filter(participations__role__in=Participation.PUBLIC_ROLES).distinct()


class Person(TimeStampedModel):
    """Somebody who spoke, moderated or reported at a session. Contact details are never public."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(
        _("public affiliation"),
        max_length=300,
        blank=True,
        help_text=_("Position and organization as the person is publicly presented."),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    # Private: contact details are for curators only and never leave the admin.
    email = models.EmailField(_("e-mail (private)"), blank=True)
    phone = models.CharField(_("phone (private)"), max_length=50, blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    PRIVATE_FIELDS = ("email", "phone", "private_notes")

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consultations:person", kwargs={"slug": self.slug})


class EventQuerySet(models.QuerySet):
    def in_year(self, year: int):
        """Events that started in `year`."""
        return self.filter(start_date__year=year)

    def with_published_count(self):
        """Annotates `published_count`, the published recommendations made at each event."""
        # Imported here: recommendations.models imports this module.
        from recommendations.models import Recommendation

        published = Q(recommendations__state=Recommendation.State.PUBLISHED)
        return self.annotate(
            published_count=models.Count("recommendations", filter=published, distinct=True)
        )


class Event(TimeStampedModel):
    """A consultation event where civil society and states met: a forum, review, webinar."""

    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum")
        REGIONAL_REVIEW = "regional_review", _("Regional review")
        WEBINAR = "webinar", _("Webinar")
        CONSULTATION = "consultation", _("Consultation")

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_(
            "Short stable code used as the prefix of recommendation references, e.g. OAS2017."
        ),
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    organizers = models.ManyToManyField(
        Organization, verbose_name=_("organizers"), blank=True, related_name="organized_events"
    )
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the source"), max_length=8, blank=True, help_text=_("e.g. en, es")
    )
    source_document = models.CharField(
        _("source document"),
        max_length=200,
        blank=True,
        help_text=_("File name or reference of the document this event was curated from."),
    )
    source_url = models.URLField(_("source URL"), blank=True)

    history = HistoricalRecords()
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="event_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:event", kwargs={"code": self.code})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("An event cannot end before it starts.")})

    @property
    def year(self) -> int | None:
        """The year the event started, when known."""
        return self.start_date.year if self.start_date else None


def _given(**lookups) -> dict:
    """The lookups whose value was given: None or "" means no filter."""
    return {key: value for key, value in lookups.items() if value not in (None, "")}


class SessionQuerySet(models.QuerySet):
    def narrowed(self, *, event: str | None = None, year=None, session_format: str | None = None):
        """Sessions of the event `event`, in `year` and of `session_format`, where given."""
        return self.filter(
            **_given(event__code=event, event__start_date__year=year, format=session_format)
        )

    def search(self, text: str):
        """Sessions whose title, description or summary match `text`, best first (`rank`)."""
        return search(
            self,
            text,
            vectors=["search_vector"],
            fields=["title", "description", "rapporteur_summary"],
            phrase_fields={"title": 4, "rapporteur_summary": 2, "description": 1},
        )


def validate_time_zone(value: str):
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a known time zone.") % {"value": value}) from None


class Session(TimeStampedModel):
    """A panel, round table or other session of an event."""

    class Format(models.TextChoices):
        PANEL = "panel", _("Panel")
        ROUND_TABLE = "round_table", _("Round table")
        KNOWLEDGE_CAFE = "knowledge_cafe", _("Knowledge café")
        PLENARY = "plenary", _("Plenary")
        WORKING_GROUP = "working_group", _("Working group")
        STATEMENT = "statement", _("Statement")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20, help_text=_('e.g. "2a" or "T1"'))
    title = models.CharField(_("title"), max_length=300)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Where the session was held, e.g. America/Panama; times are shown in it."),
    )
    objectives = models.ManyToManyField(
        Objective, verbose_name=_("objectives discussed"), blank=True, related_name="sessions"
    )
    description = models.TextField(_("description"), blank=True)
    rapporteur_summary = models.TextField(_("rapporteur's summary"), blank=True)
    # Kept up to date by a database trigger on PostgreSQL; see gcm_tracker/search.py.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["event", "order", "code"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="session_code_unique_in_event")
        ]

    def __str__(self):
        return f"{self.event.code} {self.code}: {self.title}"

    def get_absolute_url(self):
        return reverse(
            "consultations:session", kwargs={"code": self.event.code, "session": self.code}
        )

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A session cannot end before it starts.")})

    @property
    def local_starts_at(self):
        """The start time in the session's own time zone."""
        if self.starts_at and self.time_zone:
            return self.starts_at.astimezone(ZoneInfo(self.time_zone))
        return self.starts_at


class GuidingQuestion(models.Model):
    """One of the ordered questions a session set out to answer."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="guiding_questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")

    def __str__(self):
        return self.text[:80]


class ParticipationQuerySet(models.QuerySet):
    def narrowed(
        self,
        *,
        event: str | None = None,
        year=None,
        session_format: str | None = None,
        speaker: str | None = None,
    ):
        """Participations at `event`, in `year`, in sessions of `session_format`, by `speaker`."""
        return self.filter(
            **_given(
                session__event__code=event,
                session__event__start_date__year=year,
                session__format=session_format,
                person__slug=speaker,
            )
        )

    def public(self):
        """Participations in a public role: chat comments are never shown."""
        return self.filter(role__in=Participation.PUBLIC_ROLES)

    def for_display(self):
        """With the person, organization, session and event a listing shows."""
        return self.select_related("person", "organization", "session__event")

    def search(self, text: str):
        """Public participations whose notes match `text`, or whose speaker's name does."""
        people = names_like(Person.objects.public(), text, ["name"])
        return search(
            self.public(),
            text,
            vectors=["search_vector"],
            fields=["notes"],
            phrase_fields={"notes": 2},
            extra=Q(person__in=people.values("pk")),
        )


class Participation(TimeStampedModel):
    """A person's part in a session, with the notes of what they said."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        RAPPORTEUR = "rapporteur", _("Rapporteur")
        PANELIST = "panelist", _("Panelist")
        PRESENTER = "presenter", _("Presenter")
        CLOSING_SPEAKER = "closing_speaker", _("Closing speaker")
        DISCUSSANT = "discussant", _("Discussant")
        CHAT_COMMENTER = "chat_commenter", _("Chat commenter")
        STATEMENT = "statement", _("Statement")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    notes = models.TextField(_("notes of what they said"), blank=True)
    # Kept up to date by a database trigger on PostgreSQL; see gcm_tracker/search.py.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = ParticipationQuerySet.as_manager()

    # A chat comment is not a public intervention: chat commenters are never shown publicly.
    PUBLIC_ROLES = (
        Role.MODERATOR,
        Role.RAPPORTEUR,
        Role.PANELIST,
        Role.PRESENTER,
        Role.CLOSING_SPEAKER,
        Role.DISCUSSANT,
        Role.STATEMENT,
    )

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "role"], name="one_role_per_person_per_session"
            )
        ]
        indexes = [
            # Whether a person ever spoke in public, from the index alone: every list asks it
            # of each speaker it shows.
            models.Index(fields=["person", "role"], name="participation_person_role"),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()} ({self.session})"

    @property
    def is_public(self) -> bool:
        """Whether this intervention may be shown on the public site."""
        return self.role in self.PUBLIC_ROLES
