from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from objectives.translation import TranslatedModel

OBJECTIVE_COUNT = 23
PRINCIPLE_COUNT = 10


class ObjectiveQuerySet(models.QuerySet):
    def numbered(self, numbers):
        """Objectives whose numbers are in `numbers`."""
        return self.filter(number__in=numbers)

    def with_status_counts(self):
        """Annotates `published_count` and `<status>_count` for each follow-up status."""
        # Imported here: recommendations.models imports this module.
        from recommendations.models import Recommendation, Status

        published = models.Q(
            recommendation_links__recommendation__state=Recommendation.State.PUBLISHED
        )
        by_status = {
            f"{status}_count": models.Count(
                "recommendation_links",
                filter=published
                & models.Q(recommendation_links__recommendation__current_status=status),
            )
            for status in Status
        }
        return self.annotate(
            published_count=models.Count("recommendation_links", filter=published), **by_status
        )


class Objective(TranslatedModel):
    """One of the 23 objectives of the Global Compact (A/RES/73/195, paragraph 16)."""

    number = models.PositiveSmallIntegerField(
        _("number"),
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(OBJECTIVE_COUNT)],
    )
    paragraph = models.PositiveSmallIntegerField(
        _("paragraph of A/RES/73/195"),
        help_text=_("The paragraph of the resolution that sets out this objective's commitment."),
    )
    short_title_en = models.CharField(_("short title (English)"), max_length=120)
    short_title_es = models.CharField(_("short title (Spanish)"), max_length=120, blank=True)
    short_title_pt = models.CharField(_("short title (Portuguese)"), max_length=120, blank=True)
    short_title_fr = models.CharField(_("short title (French)"), max_length=120, blank=True)
    title_en = models.CharField(_("official title (English)"), max_length=300)
    title_es = models.CharField(_("official title (Spanish)"), max_length=300, blank=True)
    title_pt = models.CharField(_("official title (Portuguese)"), max_length=300, blank=True)
    title_fr = models.CharField(_("official title (French)"), max_length=300, blank=True)
    summary_en = models.TextField(_("commitment summary (English)"))
    summary_es = models.TextField(_("commitment summary (Spanish)"), blank=True)
    summary_pt = models.TextField(_("commitment summary (Portuguese)"), blank=True)
    summary_fr = models.TextField(_("commitment summary (French)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=OBJECTIVE_COUNT),
                name="objective_number_1_to_23",
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.short_title}"

    @property
    def short_title(self) -> str:
        """The short title in the active language."""
        return self.localized("short_title")

    @property
    def title(self) -> str:
        """The official title in the active language."""
        return self.localized("title")

    @property
    def summary(self) -> str:
        """The commitment summary in the active language."""
        return self.localized("summary")

    def get_absolute_url(self):
        return reverse("objectives:detail", kwargs={"number": self.number})


class GuidingPrincipleQuerySet(models.QuerySet):
    def with_published_count(self):
        """Annotates `published_count`, the published recommendations tagged with each."""
        # Imported here: recommendations.models imports this module.
        from recommendations.models import Recommendation

        return self.annotate(
            published_count=models.Count(
                "recommendations",
                filter=models.Q(recommendations__state=Recommendation.State.PUBLISHED),
            )
        )


class GuidingPrinciple(TranslatedModel):
    """One of the ten cross-cutting guiding principles of the Global Compact (paragraph 15)."""

    number = models.PositiveSmallIntegerField(
        _("number"),
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(PRINCIPLE_COUNT)],
    )
    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    name_pt = models.CharField(_("name (Portuguese)"), max_length=120, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"))
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_pt = models.TextField(_("description (Portuguese)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = GuidingPrincipleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=PRINCIPLE_COUNT),
                name="principle_number_1_to_10",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.localized("name")

    @property
    def description(self) -> str:
        """The description in the active language."""
        return self.localized("description")

    def get_absolute_url(self):
        return reverse("objectives:principle", kwargs={"slug": self.slug})
