"""Key-value-pair requests: case-insensitive names, typed and bounded values."""

from __future__ import annotations

from collections.abc import Mapping

from geoshare.errors import InvalidParameterError, MissingParameterError

__all__ = ["Kvp"]

_MAX_VALUE_LENGTH = 64 * 1024


class Kvp:
    """The parameters of one OGC KVP request. Names match case-insensitively (OGC 06-121r9 §11.5.2)."""

    def __init__(self, params: Mapping[str, str], repeated: Mapping[str, list[str]] | None = None):
        self._params: dict[str, str] = {}
        self._repeated: dict[str, list[str]] = {}
        for name, value in params.items():
            self._params[name.upper()] = _checked(name, value)
        for name, values in (repeated or {}).items():
            self._repeated[name.upper()] = [_checked(name, v) for v in values]

    @classmethod
    def from_request(cls, request) -> Kvp:
        params = {k: request.GET.get(k) for k in request.GET}
        sources = [request.GET]
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            params.update({k: request.POST.get(k) for k in request.POST})
            sources.append(request.POST)
        repeated: dict[str, list[str]] = {}
        for source in sources:
            for name, values in source.lists():
                repeated.setdefault(name.upper(), []).extend(values)
        return cls(params, {k: v for k, v in repeated.items() if len(v) > 1})

    def __contains__(self, name: str) -> bool:
        return name.upper() in self._params

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._params.get(name.upper())
        return default if value is None or value == "" else value

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise MissingParameterError(f"{name} is required", name)
        return value

    def integer(self, name: str, default: int | None = None, minimum: int | None = None,
                maximum: int | None = None, required: bool = False) -> int | None:
        raw = self.required(name) if required else self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise InvalidParameterError(f"{name} must be an integer, got {raw[:80]!r}", name) from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            low = minimum if minimum is not None else "-∞"
            high = maximum if maximum is not None else "∞"
            raise InvalidParameterError(f"{name} must be from {low} to {high}, got {value}", name)
        return value

    def number(self, name: str, default: float | None = None, minimum: float | None = None,
               maximum: float | None = None) -> float | None:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = float(raw.strip())
        except ValueError:
            raise InvalidParameterError(f"{name} must be a number, got {raw[:80]!r}", name) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidParameterError(f"{name} must be a finite number, got {raw[:80]!r}", name)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise InvalidParameterError(f"{name} must be from {minimum} to {maximum}, got {value}", name)
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None,
               case_sensitive: bool = False) -> str | None:
        raw = self.get(name)
        if raw is None:
            return default
        for choice in choices:
            if raw == choice or (not case_sensitive and raw.lower() == choice.lower()):
                return choice
        raise InvalidParameterError(
            f"{name} {raw[:80]!r} is not supported; use one of {', '.join(choices)}", name
        )

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.get(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise InvalidParameterError(f"{name} must be TRUE or FALSE, got {raw[:80]!r}", name)

    def repeated(self, name: str) -> list[str]:
        """Every value of a parameter given more than once (WCS 2.0 SUBSET), else its one value."""
        if name.upper() in self._repeated:
            return list(self._repeated[name.upper()])
        value = self.get(name)
        return [] if value is None else [value]

    def list(self, name: str, separator: str = ",") -> list[str]:
        raw = self.get(name)
        return [] if raw is None else [part.strip() for part in raw.split(separator)]


def _checked(name: str, value: str) -> str:
    if len(value) > _MAX_VALUE_LENGTH:
        raise InvalidParameterError(f"{name} is longer than {_MAX_VALUE_LENGTH} characters", name)
    if "\x00" in value:
        raise InvalidParameterError(f"{name} contains a NUL character", name)
    return value
