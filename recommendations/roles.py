"""The two editorial roles, kept as Django groups and re-synced after every migrate."""

from django.contrib.auth.models import Group, Permission

RAPPORTEUR = "Rapporteur"
CURATOR = "Curator"

_READ_ONLY = [
    "objectives.view_objective",
    "objectives.view_guidingprinciple",
    "recommendations.view_followup",
    "recommendations.view_recommendationlink",
]
_NOTES = [
    f"{app}.{action}_{model}"
    for app, model in [
        ("consultations", "event"),
        ("consultations", "session"),
        ("consultations", "guidingquestion"),
        ("consultations", "participation"),
        ("consultations", "person"),
        ("consultations", "organization"),
        ("recommendations", "recommendation"),
        ("recommendations", "recommendationobjective"),
        ("recommendations", "recommendationtranslation"),
        ("recommendations", "addressee"),
    ]
    for action in ("view", "add", "change")
]
# Inline rows a rapporteur may need to remove while entering notes.
_NOTE_ROWS = [
    "consultations.delete_guidingquestion",
    "consultations.delete_participation",
    "recommendations.delete_recommendationobjective",
    "recommendations.delete_recommendationtranslation",
]
ROLE_PERMISSIONS = {
    RAPPORTEUR: _READ_ONLY + _NOTES + _NOTE_ROWS,
    CURATOR: _READ_ONLY
    + _NOTES
    + _NOTE_ROWS
    + [
        "recommendations.publish_recommendation",
        "recommendations.delete_recommendation",
        "recommendations.add_followup",
        "recommendations.add_recommendationlink",
        "recommendations.change_recommendationlink",
        "recommendations.delete_recommendationlink",
        "recommendations.delete_addressee",
        "consultations.delete_event",
        "consultations.delete_session",
        "consultations.delete_person",
        "consultations.delete_organization",
        "objectives.change_objective",
        "objectives.change_guidingprinciple",
        "recommendations.add_exportjob",
        "recommendations.view_exportjob",
        "recommendations.view_digestdelivery",
        "webhooks.view_endpoint",
        "webhooks.add_endpoint",
        "webhooks.change_endpoint",
        "webhooks.view_delivery",
        "webhooks.change_delivery",
        "webhooks.view_attempt",
        "recommendations.view_repeatproposal",
        "recommendations.change_repeatproposal",
        "partners.view_partnertoken",
        "partners.add_partnertoken",
        "partners.change_partnertoken",
    ],
}


def sync_roles(**kwargs):
    """Create the Rapporteur and Curator groups and give them exactly their permissions."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                return  # Not every app is migrated yet; the last post_migrate completes it.
            permissions.append(permission)
        group.permissions.set(permissions)
