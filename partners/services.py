"""Issuing and revoking partner tokens: the raw secret exists only in what `issue_token` returns."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from partners.models import PREFIX_LENGTH, PartnerToken, hash_token

# Marks the string as a tracker token, so secret scanners and people recognise it.
TOKEN_MARK = "gcm"  # noqa: S105


@transaction.atomic
def issue_token(
    *, token: PartnerToken, created_by: AbstractBaseUser | None
) -> tuple[PartnerToken, str]:
    """Save a new token with a fresh secret; returns it and the raw value to hand over once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    while PartnerToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    raw = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    user = get_user_model()(username=f"partner-{prefix}", first_name=token.name[:150])
    user.set_unusable_password()
    user.is_active = False  # Never logs in; the token carries its scope itself.
    user.save()
    token.prefix = prefix
    token.hashed = hash_token(raw)
    token.user = user
    token.created_by = created_by
    token.save()
    return token, raw


def revoke_token(token: PartnerToken) -> PartnerToken:
    """Stop the token from authenticating; the record stays for the audit trail."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_active_token(raw: str) -> PartnerToken | None:
    """The active token whose secret is `raw`, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or len(parts[1]) != PREFIX_LENGTH:
        return None
    token = PartnerToken.objects.active().select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.hashed, hash_token(raw)):
        return None
    return token
