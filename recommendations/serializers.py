from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from consultations.models import Event, Organization, Person, Session
from consultations.serializers import (
    EventSummarySerializer,
    OrganizationSummarySerializer,
    PersonSummarySerializer,
    SessionSummarySerializer,
)
from gcm_tracker.api.fields import ChangedAtField, PublicUrlField
from gcm_tracker.api.prebuilt import represent
from objectives.models import OBJECTIVE_COUNT, GuidingPrinciple, Objective
from recommendations.models import (
    Addressee,
    FollowUp,
    Language,
    Recommendation,
    RecommendationObjective,
    RecommendationTranslation,
    Status,
)
from recommendations.services import record_follow_up, save_recommendation


class ObjectiveTagSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="objective.number", read_only=True)
    short_title = serializers.CharField(source="objective.short_title_en", read_only=True)
    title = serializers.CharField(
        source="objective.title_en", read_only=True, help_text="Official title, in English."
    )
    primary = serializers.BooleanField(source="is_primary", read_only=True)
    tagging_source = serializers.ChoiceField(
        source="source",
        choices=RecommendationObjective.Source.choices,
        read_only=True,
        help_text="How the tag was made: named in the source, by a curator, or a reviewed "
        "machine suggestion.",
    )
    url = PublicUrlField(of="objective")

    class Meta:
        model = RecommendationObjective
        fields = ["number", "short_title", "title", "primary", "tagging_source", "url"]


class PrincipleSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="name_en", read_only=True, help_text="Name in English.")
    url = PublicUrlField()

    class Meta:
        model = GuidingPrinciple
        fields = ["number", "slug", "name", "url"]


class AddresseeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Addressee
        fields = ["slug", "name"]


class TranslationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecommendationTranslation
        fields = ["language", "short_title", "text"]


class LinkedRecommendationSerializer(serializers.ModelSerializer):
    url = PublicUrlField()

    class Meta:
        model = Recommendation
        fields = ["reference", "short_title", "url"]


class SourceSerializer(serializers.Serializer):
    """Where the recommendation was made, and by whom."""

    event = EventSummarySerializer(read_only=True)
    session = SessionSummarySerializer(read_only=True, allow_null=True)
    speaker = serializers.SerializerMethodField(
        help_text="Who made it, when that person spoke in public; otherwise null."
    )
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    location = serializers.CharField(
        source="source_location", read_only=True, help_text="Where in the source document."
    )

    @extend_schema_field(PersonSummarySerializer(allow_null=True))
    def get_speaker(self, recommendation):
        # A chat commenter is never named publicly, even as the source of a recommendation.
        if recommendation.speaker is None or not recommendation.speaker_is_public:
            return None
        return represent(PersonSummarySerializer, recommendation.speaker, self.context)


def _linked(attribute: str, end: str, kind: str, help_text: str):
    @extend_schema_field(LinkedRecommendationSerializer(many=True))
    def method(self, recommendation):
        return [
            represent(LinkedRecommendationSerializer, getattr(link, end), self.context)
            for link in getattr(recommendation, attribute)
            if link.kind == kind
        ]

    return method, serializers.SerializerMethodField(help_text=help_text)


class LinksSerializer(serializers.Serializer):
    """Recommendations this one repeats or follows up on, and those that repeat or follow it up."""

    get_repeats, repeats = _linked(
        "visible_links_to_earlier", "to_recommendation", "repeats", "Earlier asks this repeats."
    )
    get_follows_up_on, follows_up_on = _linked(
        "visible_links_to_earlier",
        "to_recommendation",
        "follows_up_on",
        "Earlier asks this follows up on.",
    )
    get_repeated_by, repeated_by = _linked(
        "visible_links_to_later", "from_recommendation", "repeats", "Later asks repeating this."
    )
    get_followed_up_by, followed_up_by = _linked(
        "visible_links_to_later",
        "from_recommendation",
        "follows_up_on",
        "Later asks following this up.",
    )


EXAMPLE = {
    "id": 38,
    "reference": "LAC2021-T2-15",
    "short_title": "Special commission to investigate disappearances and massacres of migrants",
    "text": "It is necessary to create a special Commission for the investigation of cases of "
    "disappearances and massacres that occurred in Mexico, with a transnational vision of "
    "state responsibility.",
    "language": "en",
    "translations": [],
    "objectives": [
        {
            "number": 8,
            "short_title": "Save lives and missing migrants",
            "title": "Save lives and establish coordinated international efforts on missing "
            "migrants",
            "primary": True,
            "tagging_source": "curator",
            "url": "https://tracker.example.org/objectives/8/",
        },
        {
            "number": 10,
            "short_title": "Eradicate trafficking in persons",
            "title": "Prevent, combat and eradicate trafficking in persons in the context of "
            "international migration",
            "primary": False,
            "tagging_source": "curator",
            "url": "https://tracker.example.org/objectives/10/",
        },
    ],
    "principles": [
        {
            "number": 6,
            "slug": "human-rights",
            "name": "Human rights",
            "url": "https://tracker.example.org/objectives/principles/human-rights/",
        }
    ],
    "source": {
        "event": {
            "code": "LAC2021",
            "title": "Regional Review of the Global Compact: Consultation with Civil Society",
            "year": 2021,
            "url": "https://tracker.example.org/events/LAC2021/",
        },
        "session": {
            "id": 8,
            "code": "T2",
            "title": "Thematic round table 2",
            "format": "round_table",
            "url": "https://tracker.example.org/events/LAC2021/sessions/T2/",
        },
        "speaker": None,
        "organization": None,
        "location": "Round table 2, recommendations",
    },
    "addressees": [{"slug": "mexico", "name": "Mexico"}],
    "countries": ["MX"],
    "current_status": "in_progress",
    "status_date": "2023-05-02",
    "state": "published",
    "published_at": "2024-02-12T10:31:07.512000Z",
    "links": {"repeats": [], "follows_up_on": [], "repeated_by": [], "followed_up_by": []},
    "follow_ups_url": "https://tracker.example.org/api/v1/recommendations/LAC2021-T2-15/follow-ups/",
    "url": "https://tracker.example.org/recommendations/LAC2021-T2-15/",
    "created_at": "2024-02-12T10:30:55.204000Z",
    "updated_at": "2024-06-30T08:12:41.907000Z",
}


@extend_schema_serializer(
    examples=[OpenApiExample("A published recommendation", value=EXAMPLE, response_only=True)]
)
class RecommendationSerializer(serializers.ModelSerializer):
    updated_at = ChangedAtField()
    translations = TranslationSerializer(many=True, read_only=True)
    objectives = ObjectiveTagSerializer(
        source="objective_links", many=True, read_only=True, help_text="Primary one first."
    )
    principles = PrincipleSummarySerializer(many=True, read_only=True)
    source = SourceSerializer(source="*", read_only=True)
    addressees = AddresseeSerializer(many=True, read_only=True)
    countries = serializers.SerializerMethodField(
        help_text="ISO 3166-1 alpha-2 codes of the countries concerned."
    )
    current_status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text="Derived from the latest follow-up update.",
    )
    status_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date of that update."
    )
    state = serializers.ChoiceField(
        choices=Recommendation.State.choices,
        read_only=True,
        help_text="Editorial state; only editors and the token that drafted it see drafts.",
    )
    links = LinksSerializer(source="*", read_only=True)
    follow_ups_url = serializers.SerializerMethodField(
        help_text="Its follow-up history, oldest first, in this API."
    )
    url = PublicUrlField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "reference",
            "short_title",
            "text",
            "language",
            "translations",
            "objectives",
            "principles",
            "source",
            "addressees",
            "countries",
            "current_status",
            "status_date",
            "state",
            "published_at",
            "links",
            "follow_ups_url",
            "url",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, recommendation):
        return [country.code for country in recommendation.countries]

    @extend_schema_field(serializers.URLField())
    def get_follow_ups_url(self, recommendation):
        from django.urls import reverse

        path = reverse("recommendation-follow-ups", kwargs={"reference": recommendation.reference})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ObjectiveTagInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=OBJECTIVE_COUNT)
    primary = serializers.BooleanField(default=False)
    tagging_source = serializers.ChoiceField(
        choices=RecommendationObjective.Source.choices,
        default=RecommendationObjective.Source.CURATOR,
    )

    def validate_number(self, number):
        objective = Objective.objects.filter(number=number).first()
        if objective is None:
            raise serializers.ValidationError(_("There is no objective %(n)d.") % {"n": number})
        return objective


class RecommendationWriteSerializer(serializers.Serializer):
    """A draft as a partner or rapporteur sends it; related items are named by code or slug."""

    reference = serializers.CharField(
        max_length=40,
        validators=[
            RegexValidator(
                r"^[A-Z0-9]+(-[A-Z0-9]+)+$",
                _("Use capital letters, digits and hyphens, e.g. OAS2017-P2-03."),
            )
        ],
        help_text="Stable public reference, e.g. OAS2017-P2-03; set once, never changed.",
    )
    short_title = serializers.CharField(max_length=200)
    text = serializers.CharField(help_text="The text as in the source.")
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    event = serializers.SlugRelatedField(
        slug_field="code", queryset=Event.objects.all(), help_text="Event code, e.g. OAS2017."
    )
    session = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=20,
        help_text="Code of a session of that event, e.g. P2.",
    )
    speaker = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Person.objects.public(),
        required=False,
        allow_null=True,
        help_text="Slug of a person who spoke in public.",
    )
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the organization it was made on behalf of.",
    )
    source_location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    objectives = ObjectiveTagInputSerializer(
        many=True, required=False, help_text="At most one marked primary."
    )
    principles = serializers.SlugRelatedField(
        slug_field="slug", queryset=GuidingPrinciple.objects.all(), many=True, required=False
    )
    addressees = serializers.SlugRelatedField(
        slug_field="slug", queryset=Addressee.objects.all(), many=True, required=False
    )
    countries = serializers.ListField(
        child=serializers.ChoiceField(choices=list(countries)), required=False, max_length=250
    )
    state = serializers.ChoiceField(
        choices=[
            (Recommendation.State.DRAFT, Recommendation.State.DRAFT.label),
            (Recommendation.State.IN_REVIEW, Recommendation.State.IN_REVIEW.label),
        ],
        required=False,
        help_text="draft or in_review; publishing is POST …/publish/ by a curator.",
    )

    def validate_reference(self, reference):
        if self.instance is not None and reference != self.instance.reference:
            raise serializers.ValidationError(_("A reference is never changed once given."))
        if self.instance is None and Recommendation.objects.filter(reference=reference).exists():
            raise serializers.ValidationError(_("This reference is already taken."))
        return reference

    def validate_objectives(self, tags):
        numbers = [tag["number"].number for tag in tags]
        if len(set(numbers)) != len(numbers):
            raise serializers.ValidationError(_("Tag each objective once."))
        if sum(tag.get("primary", False) for tag in tags) > 1:
            raise serializers.ValidationError(_("Mark at most one objective as primary."))
        return tags

    def validate(self, data):
        if data.get("session"):
            event = data.get("event") or self.instance.event
            session = Session.objects.filter(event=event, code=data["session"]).first()
            if session is None:
                raise serializers.ValidationError(
                    {
                        "session": [
                            _("Event %(event)s has no session %(code)s.")
                            % {"event": event.code, "code": data["session"]}
                        ]
                    }
                )
            data["session"] = session
        elif "session" in data:
            data["session"] = None
        return data

    def save(self, *, user):
        data = dict(self.validated_data)
        tags = data.pop("objectives", None)
        principles = data.pop("principles", None)
        addressees = data.pop("addressees", None)
        recommendation = self.instance or Recommendation()
        for name, value in data.items():
            setattr(recommendation, name, value)
        self.instance = save_recommendation(
            recommendation=recommendation,
            user=user,
            objective_tags=None
            if tags is None
            else [
                (
                    tag["number"],
                    tag.get("primary", False),
                    tag.get("tagging_source", RecommendationObjective.Source.CURATOR),
                )
                for tag in tags
            ],
            principles=principles,
            addressees=addressees,
        )
        return self.instance


class FollowUpSerializer(serializers.ModelSerializer):
    recommendation = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, help_text="Reference of the recommendation."
    )
    addressee = AddresseeSerializer(read_only=True, allow_null=True)
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Id of the earlier update this one corrects."
    )
    url = PublicUrlField(of="recommendation")
    created_at = serializers.DateTimeField(source="recorded_at", read_only=True)
    updated_at = serializers.DateTimeField(
        source="recorded_at", read_only=True, help_text="Updates are append-only: never changes."
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "recommendation",
            "status",
            "date",
            "note",
            "evidence_links",
            "addressee",
            "corrects",
            "url",
            "created_at",
            "updated_at",
        ]


class FollowUpInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    date = serializers.DateField(help_text="When the situation described was observed.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    evidence_links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, default=list, max_length=50
    )
    addressee = serializers.SlugRelatedField(
        slug_field="slug", queryset=Addressee.objects.all(), required=False, allow_null=True
    )
    corrects = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of an earlier update of this recommendation."
    )

    def validate_corrects(self, pk):
        if pk is None:
            return None
        earlier = FollowUp.objects.filter(
            pk=pk, recommendation=self.context["recommendation"]
        ).first()
        if earlier is None:
            raise serializers.ValidationError(
                _("This recommendation has no follow-up update %(id)d.") % {"id": pk}
            )
        return earlier

    def save(self, *, user):
        data = dict(self.validated_data)
        return record_follow_up(
            recommendation=self.context["recommendation"], recorded_by=user, **data
        )
