from rest_framework import serializers

from layers.models import Layer


class LayerSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    tier = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    bbox = serializers.SerializerMethodField(help_text="[west, south, east, north] in CGCS2000")
    styles = serializers.SerializerMethodField()
    downloadable = serializers.BooleanField(
        read_only=True, help_text="whether the caller may download this layer's data"
    )

    class Meta:
        model = Layer
        fields = [
            "name", "title", "title_en", "abstract", "keywords", "kind", "kind_display", "tier",
            "department", "department_code", "storage", "srid", "geometry_type", "fields",
            "feature_count", "bbox", "scale_denominator", "lineage", "data_updated", "contact",
            "styles", "downloadable", "modified",
        ]

    def to_representation(self, layer):
        """The layer as the caller's grant shows it (``context["grants"]``, by layer name).

        Hidden attributes are not listed; under a row filter or area limit the whole
        layer's feature count would tell what is hidden, and its box where: the count is
        left out and the box is the part inside the area.
        """
        data = super().to_representation(layer)
        grant = self.context.get("grants", {}).get(layer.name)
        if grant is None or grant.is_unrestricted:
            return data
        data["fields"] = [f for f in data["fields"] if f["name"] not in grant.hidden_fields]
        if grant.row_filter is not None or grant.area_limit is not None:
            data["feature_count"] = None
        if grant.area_limit is not None and layer.extent:
            part = layer.extent.intersection(grant.area_limit.transform(4490, clone=True))
            data["bbox"] = None if part.empty else list(part.extent)
        return data

    def get_tier(self, layer) -> str:
        return {1: "public", 2: "egov", 3: "internal"}[layer.tier]

    def get_bbox(self, layer) -> list[float] | None:
        return list(layer.extent.extent) if layer.extent else None

    def get_styles(self, layer) -> list[dict]:
        return [
            {"name": s.name, "title": s.title, "default": s.is_default} for s in layer.styles.all()
        ]
