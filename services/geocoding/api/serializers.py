"""Shapes of the geocoding API's requests and answers, for validation and the OpenAPI schema."""

from rest_framework import serializers

from layers.models import JobStatus

from ..models import BatchJob, Level

__all__ = [
    "BatchRequestSerializer",
    "BatchResponseSerializer",
    "CandidateSerializer",
    "JobSerializer",
    "JobUploadSerializer",
    "ReverseResponseSerializer",
    "SearchResponseSerializer",
    "SuggestResponseSerializer",
    "VerifyRequestSerializer",
    "VerifyResponseSerializer",
]

LEVELS = [level.api_name for level in Level]


class _PointSerializer(serializers.Serializer):
    lon = serializers.FloatField(help_text="CGCS2000 (EPSG:4490) longitude")
    lat = serializers.FloatField(help_text="CGCS2000 (EPSG:4490) latitude")
    x = serializers.FloatField(required=False, help_text="x in the requested crs, if one was named")
    y = serializers.FloatField(required=False, help_text="y in the requested crs, if one was named")


class CandidateSerializer(_PointSerializer):
    address = serializers.CharField(help_text="the standardised address")
    level = serializers.ChoiceField(LEVELS, help_text="how deep the match goes")
    score = serializers.FloatField(help_text="0 to 1; 1 is an exact match at the level asked for")
    interpolated = serializers.BooleanField(
        help_text="a house number placed between its neighbours on the same side of the road"
    )
    components = serializers.DictField(child=serializers.CharField())
    layer = serializers.CharField(help_text="the layer the entry comes from")


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    parsed = serializers.DictField(child=serializers.CharField(), help_text="the address's parts")
    crs = serializers.CharField()
    results = CandidateSerializer(many=True)


class _DivisionSerializer(serializers.Serializer):
    level = serializers.ChoiceField(LEVELS[:5])
    name = serializers.CharField()
    code = serializers.CharField(help_text="GB/T 2260 code, if known")


class _NearestSerializer(_PointSerializer):
    address = serializers.CharField()
    level = serializers.ChoiceField(LEVELS)
    distance_m = serializers.FloatField()
    components = serializers.DictField(child=serializers.CharField())
    layer = serializers.CharField()


class ReverseResponseSerializer(serializers.Serializer):
    crs = serializers.CharField()
    result = _NearestSerializer(allow_null=True)
    divisions = _DivisionSerializer(many=True, help_text="broadest first")


class _SuggestionSerializer(_PointSerializer):
    text = serializers.CharField()
    level = serializers.ChoiceField(LEVELS)
    address = serializers.CharField()


class SuggestResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    suggestions = _SuggestionSerializer(many=True)


class BatchRequestSerializer(serializers.Serializer):
    addresses = serializers.ListField(child=serializers.CharField(), max_length=1000)
    crs = serializers.CharField(required=False)


class _BatchItemSerializer(serializers.Serializer):
    query = serializers.CharField()
    result = CandidateSerializer(allow_null=True)
    error = serializers.CharField(required=False, help_text="why this address was not looked up")


class BatchResponseSerializer(serializers.Serializer):
    crs = serializers.CharField()
    results = _BatchItemSerializer(many=True)


class VerifyRequestSerializer(serializers.Serializer):
    address = serializers.CharField(required=False)
    addresses = serializers.ListField(
        child=serializers.CharField(), max_length=1000, required=False
    )


class _VerdictSerializer(serializers.Serializer):
    query = serializers.CharField()
    exists = serializers.BooleanField(help_text="the address is in the gazetteer as written")
    level = serializers.ChoiceField(LEVELS, allow_null=True, help_text="deepest level found")
    score = serializers.FloatField()
    error = serializers.CharField(required=False)


class VerifyResponseSerializer(serializers.Serializer):
    results = _VerdictSerializer(many=True)


class JobUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv (UTF-8 or GBK) or .xlsx, with a header row")
    column = serializers.CharField(help_text="the header of the address column")
    encoding = serializers.CharField(required=False, help_text="e.g. GBK; detected if left out")


class JobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = BatchJob
        fields = [
            "id",
            "url",
            "source_name",
            "column",
            "status",
            "progress",
            "rows",
            "matched",
            "message",
            "result_url",
            "created",
            "started",
            "finished",
        ]

    def get_url(self, job) -> str:
        return self.context["request"].build_absolute_uri(f"/api/geocoding/jobs/{job.pk}")

    def get_result_url(self, job) -> str | None:
        if job.status != JobStatus.DONE:
            return None
        return self.context["request"].build_absolute_uri(f"/api/geocoding/jobs/{job.pk}/result")
