"""Recommendations and their follow-up history.

Everyone reads published recommendations. Editors signed in to the admin (rapporteurs,
curators) also read drafts; a write-scoped partner token reads the drafts it created and no
others. Who may change what is decided here, before the services do the writing.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gcm_tracker.api.conditional import Versioned, set_validators
from gcm_tracker.api.csv import stream_csv
from gcm_tracker.api.exceptions import Conflict
from gcm_tracker.api.filters import PAGING_PARAMETERS
from gcm_tracker.api.idempotency import idempotent
from gcm_tracker.api.pagination import ListPages
from gcm_tracker.api.views import ConditionalReadMixin, TrackerAPIMixin, TrackerReadOnlyViewSet
from objectives.models import Objective
from partners.authentication import request_token
from recommendations import exports
from recommendations.filters import FollowUpFilter, RecommendationFilter
from recommendations.models import (
    FollowUp,
    Language,
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
)
from recommendations.recurring import longest_standing_first
from recommendations.serializers import (
    FollowUpInputSerializer,
    FollowUpSerializer,
    RecommendationSerializer,
    RecommendationWriteSerializer,
)
from recommendations.services import can_publish, delete_recommendation, publish_recommendation
from recommendations.suggestions import (
    MAX_TEXT_CHARACTERS,
    recommendation_text,
    suggest_objectives,
)


def _own_draft(request, recommendation) -> bool:
    return (
        not recommendation.is_published
        and Recommendation.objects.created_by(request.user).filter(pk=recommendation.pk).exists()
    )


def may_create(request) -> bool:
    token = request_token(request)
    if token is not None:
        return token.can_write
    return request.user.has_perm("recommendations.add_recommendation")


def may_edit(request, recommendation) -> bool:
    """Write tokens edit their own drafts; rapporteurs any draft; curators also published ones."""
    token = request_token(request)
    if token is not None:
        return token.can_write and _own_draft(request, recommendation)
    if recommendation.is_published:
        return can_publish(request.user)
    return request.user.has_perm("recommendations.change_recommendation")


def may_delete(request, recommendation) -> bool:
    token = request_token(request)
    if token is not None:
        return token.can_write and _own_draft(request, recommendation)
    return request.user.has_perm("recommendations.delete_recommendation")


def may_record_follow_up(request) -> bool:
    token = request_token(request)
    if token is not None:
        return token.can_write
    return request.user.has_perm("recommendations.add_followup")


def _visible_links(name: str, other_end: str, user) -> Prefetch:
    visible = Recommendation.objects.visible_to(user)
    return Prefetch(
        name,
        queryset=RecommendationLink.objects.filter(**{f"{other_end}__in": visible}).select_related(
            other_end
        ),
        to_attr=f"visible_{name}",
    )


def recommendations_for(request):
    """The recommendations the caller may see, with everything their representation shows."""
    return (
        Recommendation.objects.visible_to(request.user)
        .with_source()
        .with_public_speaker()
        .select_related("session__event")
        .prefetch_related(
            "translations",
            Prefetch(
                "objective_links",
                queryset=RecommendationObjective.objects.select_related("objective"),
            ),
            "principles",
            "addressees",
            _visible_links("links_to_earlier", "to_recommendation", request.user),
            _visible_links("links_to_later", "from_recommendation", request.user),
        )
    )


class RecommendationVersioned(Versioned):
    version_fields = (
        "event__updated_at",
        "session__updated_at",
        "speaker__updated_at",
        "organization__updated_at",
    )

    def embedded_versions(self):
        # A link added in the admin changes both ends' representation without saving them.
        latest_link = (
            RecommendationLink.objects.filter(
                Q(from_recommendation=OuterRef("pk")) | Q(to_recommendation=OuterRef("pk"))
            )
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        return [*super().embedded_versions(), Subquery(latest_link)]

    def embedded_changes(self, moment):
        links = RecommendationLink.objects.filter(updated_at__gt=moment).order_by()
        return [links.values("from_recommendation"), links.values("to_recommendation")]

    def item_response(self, recommendation, status_code=status.HTTP_200_OK) -> Response:
        """The recommendation as a reader sees it now, with its new ETag."""
        fresh = (
            recommendations_for(self.request)
            .annotate(api_version=self.version_expression())
            .get(pk=recommendation.pk)
        )
        data = RecommendationSerializer(fresh, context={"request": self.request}).data
        etag = self.item_etag(self.request, fresh, fresh.api_version)
        return set_validators(Response(data, status=status_code), etag, fresh.api_version)


def _locked(recommendation) -> Recommendation:
    """The row, fresh and locked until the transaction ends, so no write slips in after the
    If-Match check; the services then work on it without the display prefetches."""
    return Recommendation.objects.select_for_update().get(pk=recommendation.pk)


def _base_url(request) -> str:
    """The site root for the CSV's url column, or "" while recommendation pages do not exist."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            reverse("recommendations:detail", kwargs={"reference": "A-1"})
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri("/").rstrip("/")


@extend_schema_view(
    list=extend_schema(
        summary="Recommendations",
        description="The recommendations you may see (the public: published ones), filtered "
        "and paged. With updated_after, pages follow the order items changed in, for "
        "incremental sync (see docs/api.md).",
    ),
    retrieve=extend_schema(summary="One recommendation, by reference"),
    create=extend_schema(
        summary="Create a draft recommendation",
        description="Write tokens, rapporteurs and curators. It is created as a draft (or in "
        "review); only a curator publishes it, with POST …/publish/.",
        request=RecommendationWriteSerializer,
        responses={201: RecommendationSerializer},
    ),
    update=extend_schema(
        summary="Replace a recommendation's editable fields",
        request=RecommendationWriteSerializer,
        responses={200: RecommendationSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some of a recommendation's fields",
        description="Needs If-Match. Lists given (objectives, principles, addressees, "
        "countries) replace the current ones.",
        request=RecommendationWriteSerializer,
        responses={200: RecommendationSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a draft that was never published",
        description="Needs If-Match. A reference that was ever published is kept forever (409).",
    ),
)
class RecommendationViewSet(RecommendationVersioned, ConditionalReadMixin, viewsets.ModelViewSet):
    """Recommendations, with their objectives, principles, source, addressees, status and links."""

    filterset_class = RecommendationFilter
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    prebuilt_serializers = (RecommendationSerializer,)

    def get_queryset(self):
        return recommendations_for(self.request)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return RecommendationWriteSerializer
        return RecommendationSerializer

    def csv_response(self, queryset):
        base_url = _base_url(self.request)

        def rows():
            # The url column holds the canonical (default-language) address of each page.
            with translation.override(settings.LANGUAGE_CODE):
                yield from exports.rows(queryset.prefetch_related(None), base_url)

        return stream_csv(exports.COLUMNS, rows(), "recommendations")

    def create(self, request, *args, **kwargs):
        if not may_create(request):
            raise PermissionDenied(_("Creating recommendations needs a write token or an editor."))
        serializer = RecommendationWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        recommendation = serializer.save(user=request.user)
        response = self.item_response(recommendation, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("recommendation-detail", kwargs={"reference": recommendation.reference})
        )
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            recommendation = self.get_object()
            if not may_edit(request, recommendation):
                raise PermissionDenied(_("You may not change this recommendation."))
            locked = _locked(recommendation)
            self.check_if_match(request, locked)
            serializer = RecommendationWriteSerializer(
                locked,
                data=request.data,
                partial=partial,
                context=self.get_serializer_context(),
            )
            serializer.is_valid(raise_exception=True)
            serializer.save(user=request.user)
        return self.item_response(recommendation)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            recommendation = self.get_object()
            if not may_delete(request, recommendation):
                raise PermissionDenied(_("You may not delete this recommendation."))
            if recommendation.published_at is not None:
                raise Conflict(_("A recommendation that was published keeps its reference."))
            locked = _locked(recommendation)
            self.check_if_match(request, locked)
            delete_recommendation(recommendation=locked, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublishRecommendationView(RecommendationVersioned, TrackerAPIMixin, generics.GenericAPIView):
    """Publish a draft recommendation (curators only). Needs If-Match with its current ETag."""

    requires_if_match = True
    detail = True
    lookup_field = "reference"
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        return recommendations_for(self.request)

    @extend_schema(
        summary="Publish a recommendation",
        request=None,
        responses={200: RecommendationSerializer},
    )
    def post(self, request, reference):
        with transaction.atomic():
            recommendation = self.get_object()
            if not can_publish(request.user):
                raise PermissionDenied(_("Only curators can publish recommendations."))
            locked = _locked(recommendation)
            self.check_if_match(request, locked)
            publish_recommendation(recommendation=locked, user=request.user)
        return self.item_response(recommendation)


class FollowUpVersioned(Versioned):
    # Updates are append-only: recorded_at is when each one last (and first) changed.
    updated_field = "recorded_at"


@extend_schema_view(
    get=extend_schema(
        summary="A recommendation's follow-up history",
        description="Oldest first unless ordering is given; the same filters as /follow-ups/.",
        responses={200: FollowUpSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Record a follow-up update",
        description="Write tokens and curators. Appends to the history and re-derives the "
        "recommendation's current status; earlier updates are never changed (send `corrects`).",
        request=FollowUpInputSerializer,
        responses={201: FollowUpSerializer},
    ),
)
class RecommendationFollowUpsView(FollowUpVersioned, ConditionalReadMixin, generics.GenericAPIView):
    filterset_class = FollowUpFilter
    accepts_idempotency_key = True
    csv_filename = "follow-ups"

    def get_recommendation(self):
        return get_object_or_404(
            Recommendation.objects.visible_to(self.request.user), reference=self.kwargs["reference"]
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()  # Schema generation: there is no recommendation.
        return (
            FollowUp.objects.filter(recommendation=self.get_recommendation())
            .select_related("recommendation", "addressee")
            .chronological()
        )

    def get_serializer_class(self):
        return FollowUpInputSerializer if self.request.method == "POST" else FollowUpSerializer

    def get(self, request, reference):
        return self.list(request)

    def post(self, request, reference):
        if not may_record_follow_up(request):
            raise PermissionDenied(_("Recording follow-up needs a write token or a curator."))
        return idempotent(request, lambda: self.record(request))

    def record(self, request):
        recommendation = self.get_recommendation()
        serializer = FollowUpInputSerializer(
            data=request.data, context={"request": request, "recommendation": recommendation}
        )
        serializer.is_valid(raise_exception=True)
        follow_up = serializer.save(user=request.user)
        response = Response(
            FollowUpSerializer(follow_up, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
        response["Location"] = request.build_absolute_uri(
            reverse("follow-up-detail", kwargs={"pk": follow_up.pk})
        )
        return set_validators(
            response,
            self.item_etag(request, follow_up, follow_up.recorded_at),
            follow_up.recorded_at,
        )


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up updates",
        description="Updates on the recommendations you may see, oldest first. With "
        "updated_after (compared with when each update was recorded), pages follow the order "
        "updates were recorded in, for incremental sync.",
    ),
    retrieve=extend_schema(summary="One follow-up update, by id"),
)
class FollowUpViewSet(FollowUpVersioned, TrackerReadOnlyViewSet):
    """The append-only follow-up history of recommendations."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    lookup_value_regex = r"[0-9]+"
    csv_filename = "follow-ups"

    def get_queryset(self):
        visible = Recommendation.objects.visible_to(self.request.user)
        return (
            FollowUp.objects.filter(recommendation__in=visible)
            .select_related("recommendation", "addressee")
            .chronological()
        )


class SuggestObjectivesInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_TEXT_CHARACTERS, help_text="The recommendation's text."
    )
    short_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Its short title, if any."
    )
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="The text's language; guessed from the text when left out.",
    )


class SuggestedObjective(serializers.Serializer):
    number = serializers.IntegerField(help_text="The objective's number, 1 to 23.")
    short_title = serializers.CharField(help_text="Its short title, in the request's language.")
    score = serializers.FloatField(
        help_text="Confidence that it is the objective concerned, 0 to 1."
    )


class SuggestObjectivesView(TrackerAPIMixin, APIView):
    """All 23 objectives ranked for a text, each with a confidence: the same model as the admin's."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Suggest objectives for a text",
        request=SuggestObjectivesInput,
        responses={200: SuggestedObjective(many=True)},
        examples=[
            OpenApiExample(
                "A recommendation on remittances",
                request_only=True,
                value={"text": "Reduce the cost of sending remittances to below three per cent."},
            )
        ],
    )
    def post(self, request):
        given = SuggestObjectivesInput(data=request.data)
        given.is_valid(raise_exception=True)
        text = recommendation_text(
            given.validated_data.get("short_title", ""), given.validated_data["text"]
        )
        titles = {o.number: o.short_title for o in Objective.objects.all()}
        ranked = [
            {
                "number": s.number,
                "short_title": titles.get(s.number, ""),
                "score": round(s.score, 4),
            }
            for s in suggest_objectives(text, language=given.validated_data.get("language"))
        ]
        return Response(SuggestedObjective(ranked, many=True).data)


class AskSerializer(serializers.Serializer):
    first_made = serializers.DateField(allow_null=True, help_text="When the ask was first made.")
    times_made = serializers.IntegerField(help_text="How many times, the first included.")
    status = serializers.CharField(help_text="The follow-up status with the latest evidence.")
    is_open = serializers.BooleanField(help_text="Still waiting for action.")
    recommendations = serializers.ListField(
        child=serializers.CharField(), help_text="References, first made first."
    )


class AskPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many asks in all.")
    next = serializers.URLField(allow_null=True, help_text="The next page, if any.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, if any.")
    results = AskSerializer(many=True)


ASK_PARAMETERS = {"objective", "open", "format", *PAGING_PARAMETERS}


class AsksView(TrackerAPIMixin, APIView):
    """Published asks made again and again: when first made, how often since, and their status."""

    @extend_schema(
        summary="Recurring asks, longest-standing first",
        parameters=[
            OpenApiParameter("objective", int, description="Only asks concerning this objective."),
            OpenApiParameter("open", bool, description="Only open asks (default true)."),
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Asks per page, 1 to 200 (50)."),
        ],
        responses={200: AskPageSerializer},
    )
    def get(self, request):
        errors = {
            name: [_("Unknown parameter.")]
            for name in request.query_params
            if name not in ASK_PARAMETERS
        }
        objective = request.query_params.get("objective")
        if objective is not None and not (objective.isdigit() and 1 <= int(objective) <= 23):
            errors["objective"] = [_("Give an objective number from 1 to 23.")]
        only_open = request.query_params.get("open", "true").lower()
        if only_open not in ("true", "false", "1", "0"):
            errors["open"] = [_("Give true or false.")]
        if errors:
            raise ValidationError(errors)
        published = Recommendation.objects.published()
        if only_open in ("true", "1"):
            asks = published.longest_standing_open(int(objective) if objective else None)
        else:
            asks = longest_standing_first(published.asks())
            if objective:
                concerned = set(
                    published.for_objective(int(objective)).values_list("pk", flat=True)
                )
                asks = [a for a in asks if any(r.pk in concerned for r in a.recommendations)]
        paginator = ListPages()
        page = paginator.paginate_queryset(asks, request, view=self)
        rows = [
            {
                "first_made": ask.first_made,
                "times_made": ask.times_made,
                "status": ask.status,
                "is_open": ask.is_open,
                "recommendations": [r.reference for r in ask.recommendations],
            }
            for ask in page
        ]
        return paginator.get_paginated_response(AskSerializer(rows, many=True).data)
