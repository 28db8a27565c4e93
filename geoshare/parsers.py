"""Request body parsers for the REST APIs."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's recursion limit is malformed JSON.

    ``json`` raises RecursionError on such a body ("[[[[…" a few kilobytes long), which
    DRF does not catch: it would be a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
