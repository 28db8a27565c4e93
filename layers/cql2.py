"""CQL2 text parsing: pygeofilter's grammar with three defects mended.

pygeofilter 0.4's CQL2 grammar (a) needs property names of two or more ASCII characters,
so ``n = 1`` and ``名称 = '张'`` fail; (b) cannot read a quote doubled inside a string
('O''Brien', OGC 21-065 §7.3.2); (c) cannot read TIMESTAMP('…')/DATE('…') because its
string terminal swallows the quotes; (d) knows only the infix form of temporal predicates,
not CQL2's T_AFTER(a, b). We load its grammar, mend those rules, and keep its
transformer and AST, so the rest of pygeofilter works unchanged.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

from lark import Lark, v_args
from pygeofilter import values
from pygeofilter.parsers.cql2_text import parser as _pygeofilter_cql2
from pygeofilter.util import parse_date, parse_datetime

# pygeofilter sets lark's logger to DEBUG on import, which floods the log on every parse.
logging.getLogger("lark").setLevel(logging.WARNING)

__all__ = ["parse"]

_MENDS = {
    "attribute: /[a-zA-Z][a-zA-Z_:0-9.]+/": "attribute: /[^\\W\\d][\\w:.]*/",
    "SINGLE_QUOTED: \"'\" /.*?/ \"'\"": "SINGLE_QUOTED: /'(?:[^']|'')*'/",
    "?timestamp: \"TIMESTAMP\" \"(\" \"'\" DATETIME \"'\" \")\"":
        "timestamp: \"TIMESTAMP\"i \"(\" SINGLE_QUOTED \")\"",
    "?interval: \"INTERVAL\" \"(\"  \"'\" DATETIME \"'\" \",\" \"'\" DATETIME \"'\" \")\"":
        "interval: \"INTERVAL\"i \"(\" SINGLE_QUOTED \",\" SINGLE_QUOTED \")\"",
    "?date: \"DATE\" \"(\" \"'\" DATE \"'\" \")\"": "date: \"DATE\"i \"(\" SINGLE_QUOTED \")\"",
    "?temporal_predicate: expression _binary_temporal_predicate_func expression "
    "-> binary_temporal_predicate":
        "?temporal_predicate: expression _binary_temporal_predicate_func expression "
        "-> binary_temporal_predicate\n"
        "    | _binary_temporal_predicate_func \"(\" expression \",\" expression \")\" "
        "-> temporal_function",
}


@v_args(meta=False, inline=True)
class _Transformer(_pygeofilter_cql2.CQLTransformer):
    def SINGLE_QUOTED(self, token):
        return str(token)[1:-1].replace("''", "'")

    def timestamp(self, text):
        return parse_datetime(text)

    def date(self, text):
        return parse_date(text)

    def temporal_function(self, op, lhs, rhs):
        return self.binary_temporal_predicate(lhs, op, rhs)

    def interval(self, start, end):
        return values.Interval(_instant(start), _instant(end))


def _instant(text: str):
    return parse_date(text) if len(text) <= 10 else parse_datetime(text)


@cache
def _parser() -> Lark:
    directory = Path(_pygeofilter_cql2.__file__).parent
    grammar = (directory / "grammar.lark").read_text()
    for old, new in _MENDS.items():
        if old not in grammar:
            raise RuntimeError(f"pygeofilter's CQL2 grammar changed; cannot mend {old!r}")
        grammar = grammar.replace(old, new)
    return Lark(
        grammar, parser="lalr", maybe_placeholders=False, transformer=_Transformer(),
        import_paths=[os.fspath(directory.parent)],
    )


def parse(text: str):
    """The pygeofilter AST of a CQL2 text expression."""
    return _parser().parse(text)
