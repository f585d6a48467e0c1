from drf_spectacular.utils import extend_schema, extend_schema_view

from gcm_tracker.api.views import TrackerReadOnlyViewSet
from objectives.filters import ObjectiveFilter, PrincipleFilter
from objectives.models import GuidingPrinciple, Objective
from objectives.serializers import ObjectiveSerializer, PrincipleSerializer


@extend_schema_view(
    list=extend_schema(summary="The 23 objectives of the Global Compact"),
    retrieve=extend_schema(summary="One objective, by number"),
)
class ObjectiveViewSet(TrackerReadOnlyViewSet):
    queryset = Objective.objects.all()
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"
    csv_filename = "objectives"


@extend_schema_view(
    list=extend_schema(summary="The 10 guiding principles"),
    retrieve=extend_schema(summary="One guiding principle, by slug"),
)
class PrincipleViewSet(TrackerReadOnlyViewSet):
    queryset = GuidingPrinciple.objects.all()
    serializer_class = PrincipleSerializer
    filterset_class = PrincipleFilter
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    csv_filename = "principles"
