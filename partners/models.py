import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def hash_token(raw: str) -> str:
    """The sha256 hex digest under which a raw token is kept."""
    return hashlib.sha256(raw.encode()).hexdigest()


class PartnerTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that have not been revoked."""
        return self.filter(revoked_at__isnull=True)


class PartnerToken(models.Model):
    """A secret a partner tool sends as `Authorization: Bearer …`; only its hash is kept."""

    class Scope(models.TextChoices):
        READ = "read", _("Read: published data, with a larger rate limit")
        WRITE = "write", _("Write: also create draft recommendations and record follow-up")

    name = models.CharField(
        _("name"), max_length=120, help_text=_("What the token is for, e.g. “Observatory sync”.")
    )
    partner = models.CharField(_("partner organization"), max_length=200)
    contact = models.CharField(
        _("contact (private)"),
        max_length=200,
        blank=True,
        help_text=_("Who to tell when the token is revoked or misused."),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    hashed = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    # The account the token acts as, so follow-up "recorded by" and the change history
    # name the partner; it has no password and no permissions of its own.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="partner_token",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = PartnerTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner token")
        verbose_name_plural = _("partner tokens")

    def __str__(self):
        return f"{self.name} ({self.partner}, {self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Whether the token still authenticates."""
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        """Whether the token may create drafts and record follow-up."""
        return self.is_active and self.scope == self.Scope.WRITE


class IdempotentRequest(models.Model):
    """A write sent with an Idempotency-Key, and its answer, so a retry is answered the same."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    key = models.CharField(_("idempotency key"), max_length=255, editable=False)
    # A digest of the method, path and parsed body: a key sent again with another request is
    # a mistake, not a retry.
    fingerprint = models.CharField(max_length=64, editable=False)
    status_code = models.PositiveSmallIntegerField(editable=False)
    body = models.JSONField(editable=False)
    headers = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_caller")
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"
