"""The /api/geocoding/ views: parse and validate, ask the policy, call the engine, encode.

Only this module sees requests. Errors become problem details (RFC 7807) in
``GeocodingView.handle_exception``; no view catches one itself.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from geoshare.access import audit, policy
from geoshare.errors import (
    GeoshareError,
    InvalidParameterError,
    LimitExceededError,
    MissingParameterError,
)
from geoshare.parsers import JSONParser
from layers.jobs import store_upload
from layers.models import JobStatus

from .. import batch
from ..matcher import Match, geocode
from ..models import BatchJob, Level
from ..reverse import reverse
from ..scope import scope_for
from ..suggest import MAX_SUGGEST_LENGTH, suggest
from . import encode, params
from .serializers import (
    BatchRequestSerializer,
    BatchResponseSerializer,
    JobSerializer,
    JobUploadSerializer,
    ReverseResponseSerializer,
    SearchResponseSerializer,
    SuggestResponseSerializer,
    VerifyRequestSerializer,
    VerifyResponseSerializer,
)

__all__ = ["Batch", "Index", "Job", "JobResult", "Jobs", "Reverse", "Search", "Suggest", "Verify"]

_TAG = ["geocoding"]
_CRS = OpenApiParameter(
    "crs",
    str,
    description="CRS of coordinates in the request and, as x/y, in the answer: "
    "EPSG:4490 (default), EPSG:4549, EPSG:4326, EPSG:3857 or CRS:84",
)
_PROBLEM = OpenApiResponse(description="problem details (RFC 7807): parameter, value, what works")
# What an address must have been matched at to count as existing, when verifying.
_EXISTS_SCORE = 0.8


class JobNotReadyError(GeoshareError):
    client_fault = True
    http_status = 409


class JobNotFoundError(GeoshareError):
    client_fault = True
    http_status = 404


class GeocodingView(APIView):
    """Base of the geocoding views: GeoshareErrors answer as problem details."""

    def handle_exception(self, exc):
        if isinstance(exc, GeoshareError) and exc.client_fault:
            body = {"status": exc.http_status, "detail": exc.message}
            if exc.locator:
                body["parameter"] = exc.locator
            return Response(body, status=exc.http_status, content_type="application/problem+json")
        response = super().handle_exception(exc)
        if isinstance(exc, APIException):  # DRF's own: malformed JSON, wrong method…
            response.data = {"status": response.status_code, "detail": str(exc.detail)}
            response.content_type = "application/problem+json"
        return response

    def scope(self, action: policy.Action = policy.Action.VIEW):
        return scope_for(self.request.principal, action)

    def note(self, items: int, layers=(), **fields) -> None:
        audit.note(self.request._request, items=items, layers=sorted(set(layers)), **fields)


class Index(GeocodingView):
    """The geocoding API's operations."""

    @extend_schema(tags=_TAG, responses={200: dict})
    def get(self, request):
        base = request.build_absolute_uri("/api/geocoding/")
        return Response(
            {
                "search": f"{base}search?q=",
                "reverse": f"{base}reverse?lon=&lat=",
                "suggest": f"{base}suggest?q=",
                "batch": f"{base}batch",
                "verify": f"{base}verify",
                "jobs": f"{base}jobs",
                "documentation": request.build_absolute_uri("/api/docs/"),
            }
        )


class Search(GeocodingView):
    """Forward geocoding: an address to ranked candidates with points."""

    @extend_schema(
        tags=_TAG,
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="the address, e.g. 杨舍镇人民中路88号"
            ),
            OpenApiParameter("limit", int, description="candidates, 1 to 50 (default 5)"),
            OpenApiParameter("bbox", str, description="prefer candidates in minx,miny,maxx,maxy"),
            OpenApiParameter("near", str, description="prefer candidates near x,y"),
            _CRS,
        ],
        responses={200: SearchResponseSerializer, 400: _PROBLEM},
    )
    def get(self, request):
        query = request.query_params
        text = params.address_text(query.get("q"))
        out = params.output(query)
        limit = params.integer(query, "limit", 5, 1, 50)
        bias = params.bias(query, out)
        match = geocode([text], self.scope(), limit=limit, bias=bias)[0]
        self.note(len(match.candidates), (c.layer for c in match.candidates), crs=out.name)
        return Response(
            {
                "query": text,
                "parsed": encode.parsed(match.parsed),
                "crs": out.name,
                "results": [encode.candidate(c, out) for c in match.candidates],
            }
        )


class Reverse(GeocodingView):
    """Reverse geocoding: the nearest address to a point, with distance and divisions."""

    @extend_schema(
        tags=_TAG,
        parameters=[
            OpenApiParameter("lon", float, required=True, description="x (longitude) in crs"),
            OpenApiParameter("lat", float, required=True, description="y (latitude) in crs"),
            OpenApiParameter("radius", float, description="metres searched, 1 to 10000 (1000)"),
            _CRS,
        ],
        responses={200: ReverseResponseSerializer, 400: _PROBLEM},
    )
    def get(self, request):
        query = request.query_params
        out = params.output(query)
        lon, lat = params.point(query, out)
        radius = params.number(query, "radius", 1000.0, 1.0, 10_000.0)
        result = reverse(lon, lat, self.scope(), radius_m=radius)
        layers = [result.nearest.layer] if result.nearest else []
        self.note(len(layers), layers, crs=out.name)
        return Response({"crs": out.name, **encode.reverse_result(result, out)})


class Suggest(GeocodingView):
    """Autocomplete: names by prefix or pinyin initials (ysz → 杨舍镇), house numbers by prefix."""

    @extend_schema(
        tags=_TAG,
        parameters=[
            OpenApiParameter("q", str, required=True, description="what was typed so far"),
            OpenApiParameter("limit", int, description="suggestions, 1 to 20 (default 10)"),
            _CRS,
        ],
        responses={200: SuggestResponseSerializer, 400: _PROBLEM},
    )
    def get(self, request):
        query = request.query_params
        text = query.get("q")
        if text is not None and len(text) > MAX_SUGGEST_LENGTH:
            raise LimitExceededError(
                f"q must be at most {MAX_SUGGEST_LENGTH} characters, got {len(text)}", "q"
            )
        text = params.address_text(text)
        out = params.output(query)
        limit = params.integer(query, "limit", 10, 1, 20)
        found = suggest(text, self.scope(), limit)
        self.note(len(found), (s.layer for s in found))
        return Response({"query": text, "suggestions": [encode.suggestion(s, out) for s in found]})


class Batch(GeocodingView):
    """Up to 1,000 addresses at once, the best candidate of each; larger files: /jobs."""

    parser_classes = [JSONParser]

    @extend_schema(
        tags=_TAG,
        request=BatchRequestSerializer,
        responses={200: BatchResponseSerializer, 400: _PROBLEM},
    )
    def post(self, request):
        body = _object(request.data)
        texts = params.text_list(body.get("addresses"), "addresses")
        out = params.output(body)
        matches = _geocode_each(texts, self.scope(policy.Action.DOWNLOAD))  # results to keep
        results = []
        for text, outcome in zip(texts, matches):
            if isinstance(outcome, Match):
                best = outcome.best
                results.append({"query": text, "result": best and encode.candidate(best, out)})
            else:
                results.append({"query": text, "result": None, "error": outcome})
        found = [m.best for m in matches if isinstance(m, Match) and m.best]
        self.note(len(found), (c.layer for c in found), crs=out.name)
        return Response({"crs": out.name, "results": results})


class Verify(GeocodingView):
    """Whether addresses exist and at which level, without coordinates.

    For departments that may compare their registers with the gazetteer but not take
    its data: the answer carries no point and no address text of the gazetteer's.
    """

    parser_classes = [JSONParser]

    @extend_schema(
        tags=_TAG,
        request=VerifyRequestSerializer,
        responses={200: VerifyResponseSerializer, 400: _PROBLEM},
    )
    def post(self, request):
        body = _object(request.data)
        if "address" in body:
            texts = [params.address_text(body["address"], "address")]
        elif "addresses" in body:
            texts = params.text_list(body["addresses"], "addresses")
        else:
            raise MissingParameterError("give address (one text) or addresses (a list)", "address")
        matches = _geocode_each(texts, self.scope())
        results = [_verdict(text, outcome) for text, outcome in zip(texts, matches)]
        self.note(sum(r["exists"] for r in results), operation="verify")
        return Response({"results": results})


class Jobs(GeocodingView):
    """Batch geocoding jobs: upload a CSV or Excel file; a worker geocodes it."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=_TAG,
        request={"multipart/form-data": JobUploadSerializer},
        responses={202: JobSerializer, 400: _PROBLEM},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise MissingParameterError("file is required: a .csv or .xlsx file", "file")
        limit_mb = settings.GEOSHARE_GEOCODING_BATCH_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise LimitExceededError(
                f"file must be at most {limit_mb} MB (GEOSHARE_GEOCODING_BATCH_MAX_UPLOAD_MB), "
                f"got {upload.size / 1024 / 1024:.0f} MB",
                "file",
            )
        column = (request.data.get("column") or "").strip()
        if not column:
            raise MissingParameterError(
                "column is required: the header of the address column", "column"
            )
        directory = settings.UPLOAD_DIR / "geocoding" / uuid.uuid4().hex
        path = store_upload(upload, directory, default_name="upload.csv")
        try:
            encoding = ""
            if path.suffix.lower() != ".xlsx":
                encoding = batch.detect_encoding(path, (request.data.get("encoding") or "").strip())
            batch.column_index(batch.read_header(path, encoding), column)
        except GeoshareError:
            path.unlink(missing_ok=True)
            raise
        job = batch.submit_batch(path, column, encoding, request.user)
        self.note(0, operation="submit")
        body = JobSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["url"]})


class Job(GeocodingView):
    """A batch job's state and progress."""

    @extend_schema(tags=_TAG, responses={200: JobSerializer, 404: _PROBLEM})
    def get(self, request, job_id):
        job = _job(request, job_id)
        return Response(JobSerializer(job, context={"request": request}).data)


class JobResult(GeocodingView):
    """The result file of a finished job: the original columns plus lon, lat, level, score…"""

    @extend_schema(tags=_TAG, responses={200: bytes, 404: _PROBLEM, 409: _PROBLEM})
    def get(self, request, job_id):
        job = _job(request, job_id)
        if job.status != JobStatus.DONE:
            raise JobNotReadyError(
                f"job {job.pk} is {job.status}; the result is there once it is done", "job"
            )
        path = Path(job.result_path)
        if not path.exists():
            raise JobNotFoundError(f"the result of job {job.pk} is no longer kept", "job")
        self.note(job.rows or 0, operation="result")
        name = Path(job.source_name).stem + "_geocoded" + path.suffix
        return FileResponse(open(path, "rb"), as_attachment=True, filename=name)


def _object(data) -> dict:
    if not isinstance(data, dict):
        raise InvalidParameterError("the request body must be a JSON object", "body")
    return data


def _geocode_each(texts: list[str], scope) -> list[Match | str]:
    """Matches for the valid texts; for the others, why they were not looked up."""
    outcomes: list[Match | str] = []
    valid = []
    for n, text in enumerate(texts):
        try:
            valid.append((n, params.address_text(text, f"addresses[{n}]")))
            outcomes.append("")
        except GeoshareError as e:
            outcomes.append(e.message)
    for (n, _), match in zip(valid, geocode([t for _, t in valid], scope, limit=1)):
        outcomes[n] = match
    return outcomes


def _verdict(text: str, outcome: Match | str) -> dict:
    if not isinstance(outcome, Match):
        return {"query": text, "exists": False, "level": None, "score": 0.0, "error": outcome}
    best = outcome.best
    if best is None:
        return {"query": text, "exists": False, "level": None, "score": 0.0}
    asked = _asked_level(outcome)
    exists = not best.interpolated and best.level >= asked and best.score >= _EXISTS_SCORE
    return {
        "query": text,
        "exists": exists,
        "level": best.level.api_name if not best.interpolated else Level.ROAD.api_name,
        "score": best.score,
    }


def _asked_level(match: Match) -> Level:
    parsed = match.parsed
    for level, field in (
        (Level.ROOM, "room"),
        (Level.UNIT, "unit"),
        (Level.BUILDING, "building"),
        (Level.HOUSE_NUMBER, "number"),
        (Level.COMPOUND, "compound"),
        (Level.POI, "poi"),
        (Level.ROAD, "road"),
        (Level.COMMUNITY, "community"),
        (Level.TOWN, "town"),
    ):
        if getattr(parsed, field):
            return level
    return Level.DISTRICT


def _job(request, job_id) -> BatchJob:
    job = BatchJob.objects.filter(pk=job_id).first()
    user = request.user
    visible = job is not None and (
        job.user_id is None
        or (user.is_authenticated and (user.pk == job.user_id or user.is_superuser))
    )
    if not visible:
        raise JobNotFoundError(f"no job {str(job_id)[:40]!r}", "job")
    return job
