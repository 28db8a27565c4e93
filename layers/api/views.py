from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from geoshare.access import policy
from layers.api.serializers import LayerSerializer


def _catalog(principal):
    """The visible layers with what the serializer reads, ``downloadable`` in the same query."""
    downloadable = policy.visible_layers(principal, policy.Action.DOWNLOAD).filter(pk=OuterRef("pk"))
    return (
        policy.visible_layers(principal)
        .select_related("department")
        .prefetch_related("styles")
        .annotate(downloadable=Exists(downloadable))
    )


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="words in name, title, abstract or keywords"),
        OpenApiParameter("kind", str, enum=["basemap", "geocoding", "emap", "thematic"]),
        OpenApiParameter("department", str, description="owner department code"),
    ]
)
class _GrantedLayers(generics.GenericAPIView):
    """Hands the serializer the caller's grants on the layers it is about to show.

    The public holds no grants: what it sees, it sees whole.
    """

    def get_serializer(self, instance=None, *args, **kwargs):
        serializer = super().get_serializer(instance, *args, **kwargs)
        principal = self.request.principal
        if instance is not None and not principal.is_anonymous:
            layers = instance if kwargs.get("many") else [instance]
            serializer.context["grants"] = policy.grants_for(principal, [layer.name for layer in layers])
        return serializer


class LayerList(_GrantedLayers, generics.ListAPIView):
    """The layers the caller may see, with their metadata."""

    serializer_class = LayerSerializer

    def get_queryset(self):
        layers = _catalog(self.request.principal).order_by("kind", "name")
        params = self.request.query_params
        if q := params.get("q", "").strip():
            layers = layers.filter(
                Q(name__icontains=q) | Q(title__icontains=q) | Q(title_en__icontains=q)
                | Q(abstract__icontains=q) | Q(keywords__contains=[q])
            )
        if kind := params.get("kind"):
            layers = layers.filter(kind=kind)
        if department := params.get("department"):
            layers = layers.filter(department__code=department)
        return layers


class LayerDetail(_GrantedLayers, generics.RetrieveAPIView):
    """One layer the caller may see; 404 for layers that are hidden or do not exist."""

    serializer_class = LayerSerializer
    lookup_field = "name"

    def get_queryset(self):
        return _catalog(self.request.principal)
