"""Answers of the geocoding API as JSON-ready dicts."""

from __future__ import annotations

import dataclasses

from ..address import ParsedAddress
from ..matcher import Candidate
from ..reverse import ReverseResult
from ..suggest import Suggestion
from .params import Output

__all__ = ["candidate", "parsed", "reverse_result", "suggestion"]


def parsed(value: ParsedAddress) -> dict:
    return {k: v for k, v in dataclasses.asdict(value).items() if v}


def candidate(value: Candidate, out: Output) -> dict:
    return {
        "address": value.address,
        "level": value.level.api_name,
        "score": value.score,
        **out.point(value.lon, value.lat),
        "interpolated": value.interpolated,
        "components": value.components,
        "layer": value.layer,
    }


def suggestion(value: Suggestion, out: Output) -> dict:
    return {
        "text": value.text,
        "level": value.level.api_name,
        "address": value.address,
        **out.point(value.lon, value.lat),
    }


def reverse_result(value: ReverseResult, out: Output) -> dict:
    nearest = None
    if value.nearest is not None:
        nearest = {
            "address": value.nearest.address,
            "level": value.nearest.level.api_name,
            "distance_m": round(value.distance_m, 1),
            **out.point(value.nearest.lon, value.nearest.lat),
            "components": value.nearest.components,
            "layer": value.nearest.layer,
        }
    return {
        "result": nearest,
        "divisions": [
            {"level": d.level.api_name, "name": d.name, "code": d.code} for d in value.divisions
        ],
    }
