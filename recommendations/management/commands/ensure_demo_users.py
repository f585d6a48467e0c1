from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from recommendations.roles import CURATOR, RAPPORTEUR

# Development logins printed by `make run`; refused outside DEBUG so they never reach production.
DEMO_USERS = [
    ("admin", "gcm-admin-demo", None),
    ("curator", "gcm-curator-demo", CURATOR),
    ("rapporteur", "gcm-rapporteur-demo", RAPPORTEUR),
]


class Command(BaseCommand):
    help = "Create the admin, curator and rapporteur demo logins (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for development only (DJANGO_DEBUG=1).")
        User = get_user_model()
        for username, password, group in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": group is None}
            )
            if created:
                user.set_password(password)
                user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"  {username:<11} password {password}")
