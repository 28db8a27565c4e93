"""Step 1: the entries each written name may stand for.

By exact key, then by one-typo variants (a B-tree table of each name with one character
left out), then by trigram similarity (pg_trgm) for what is further off.
"""

from __future__ import annotations

import math
from collections import defaultdict

from psycopg import sql

from ..keys import Form, form_score, typo_distance, typo_likeness, variants
from ..scope import Scope
from ._types import HIT_COLUMNS, NAME_SLOTS, Hit, Probe

__all__ = ["NameLookup"]

_TRIGRAM_LIMIT = 6
# One character replaced scores a little above one added or left out: a tie between
# 暨阳华苑 -> 暨阳花苑 and -> 暨阳苑 goes to the name of the same length.
_TYPO_SCORE = {0: 1.0, 1: 0.86, 2: 0.78}
_LENGTH_CHANGED = 0.99
_HOMOPHONE_BONUS = 0.02
_TRIGRAM_WEIGHT = 0.8  # times the square root of the similarity, which runs low for CJK


class NameLookup:
    """Step 1: the entries each written name may stand for."""

    def __init__(self, cur, scope: Scope):
        self.cur = cur
        self.scope = scope

    def resolve(self, probes: list[Probe]) -> None:
        self._exact(probes)
        unresolved = [p for p in probes if not p.anchors and p.slot in NAME_SLOTS]
        if unresolved:
            self._typos(unresolved)
        unresolved = [p for p in unresolved if not p.anchors]
        if unresolved:
            self._trigrams(unresolved)

    def _select(self, where: sql.Composable) -> list[tuple]:
        statement = sql.SQL(
            "SELECT n.key, n.form, {hit} FROM geocoding_name n "
            "JOIN geocoding_entry e ON e.id = n.entry_id WHERE {where} AND {scope}"
        ).format(hit=HIT_COLUMNS, where=where, scope=self.scope.where("e"))
        self.cur.execute(statement)
        return self.cur.fetchall()

    def _exact(self, probes: list[Probe]) -> None:
        keys = sorted({key for probe in probes for _, key in probe.forms})
        by_key = defaultdict(list)
        for key, form, *hit in self._select(sql.SQL("n.key = ANY({})").format(sql.Literal(keys))):
            by_key[key].append((Form(form), Hit(*hit)))
        for probe in probes:
            for query_form, key in probe.forms:
                for stored_form, hit in by_key.get(key, ()):
                    probe.offer(hit, form_score(query_form, stored_form))

    def _typos(self, probes: list[Probe]) -> None:
        wanted = defaultdict(list)  # variant -> probes
        for probe in probes:
            key = probe.forms[0][1]
            for variant in variants(key):
                wanted[variant].append(probe)
        rows = self._select(
            sql.SQL("n.id IN (SELECT name_id FROM geocoding_variant WHERE variant = ANY({}))").format(
                sql.Literal(sorted(wanted))
            )
        )
        for key, form, *hit in rows:
            hit = Hit(*hit)
            for probe in {id(p): p for v in variants(key) for p in wanted.get(v, ())}.values():
                written = probe.forms[0][1]
                distance = typo_distance(written, key)
                if distance is not None:
                    score = form_score(Form.NAME, Form(form)) * _TYPO_SCORE[distance]
                    if len(key) != len(written):
                        score *= _LENGTH_CHANGED
                    score *= 1 + _HOMOPHONE_BONUS * typo_likeness(written, key)
                    probe.offer(hit, score)

    def _trigrams(self, probes: list[Probe]) -> None:
        keys = [probe.forms[0][1] for probe in probes]
        statement = sql.SQL(
            "SELECT q.i, m.* FROM unnest({keys}::text[]) WITH ORDINALITY AS q(key, i) "
            "CROSS JOIN LATERAL (SELECT n.form, similarity(n.key, q.key), {hit} "
            "FROM geocoding_name n JOIN geocoding_entry e ON e.id = n.entry_id "
            "WHERE n.key % q.key AND {scope} "
            "ORDER BY similarity(n.key, q.key) DESC LIMIT {limit}) m"
        ).format(
            keys=sql.Literal(keys), hit=HIT_COLUMNS, scope=self.scope.where("e"),
            limit=sql.Literal(_TRIGRAM_LIMIT),
        )
        self.cur.execute(statement)
        for i, form, similarity, *hit in self.cur.fetchall():
            probe = probes[i - 1]
            score = form_score(Form.NAME, Form(form)) * math.sqrt(similarity) * _TRIGRAM_WEIGHT
            probe.offer(Hit(*hit), score)
