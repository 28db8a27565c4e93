"""Forward geocoding: addresses to ranked gazetteer entries, many addresses at a time.

Each step runs one SQL statement for the whole batch, so a thousand addresses cost
about as many round trips as one:

1. names written in the addresses (roads, compounds, POIs, divisions) are looked up
   by exact key, then by one-typo variants, then by trigram similarity (pg_trgm);
2. house numbers, buildings, units and rooms are looked up on the names found, by
   exact keys;
3. a house number that is not in the gazetteer is interpolated between its
   neighbours on the same side of the same road.

Every statement carries the caller's ``Scope``: entries the caller may not see take
no part, not even as a name to hang a number on.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from ..parsers import parser_for
from ..scope import Scope
from ._lookup import NameLookup
from ._numbers import NumberLookup
from ._probes import read_probes
from ._scoring import candidate_of, ranked
from ._types import HIT_COLUMNS, Bias, Candidate, Found, Hit, Match, Query

__all__ = ["Bias", "Candidate", "Match", "geocode", "HIT_COLUMNS", "Hit", "entry_candidate"]


def geocode(
    texts: Sequence[str], scope: Scope, *, limit: int = 5, bias: Bias | None = None
) -> list[Match]:
    """Geocode each text; one ``Match`` per text, in order, with at most ``limit`` candidates.

    Texts are expected to be within the parser's length limit (the API checks).
    """
    parser = parser_for(scope)
    queries = [Query(text, parser.parse(text)) for text in texts]
    if scope.is_empty:
        return [Match(q.text, q.parsed, ()) for q in queries]
    for index, query in enumerate(queries):
        query.probes = read_probes(index, query.parsed, query.text)
    probes = [probe for query in queries for probe in query.probes]
    with connection.cursor() as cur:
        NameLookup(cur, scope).resolve(probes)
        NumberLookup(cur, scope, queries).find()
    return [Match(q.text, q.parsed, ranked(q, scope, limit, bias or Bias())) for q in queries]


def entry_candidate(hit: Hit, anchor_name: str, scope: Scope, score: float = 1.0) -> Candidate:
    """The candidate one gazetteer entry (a row of ``HIT_COLUMNS``) stands for, with the
    name of the road or compound its number hangs on."""
    found = Found(score, hit.level, False, hit.id, hit.x, hit.y, hit, anchor_name, None)
    return candidate_of(found, score, scope)
