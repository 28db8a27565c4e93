"""What pygeoapi's providers need to know about the request that pygeoapi does not pass.

pygeoapi instantiates a provider from its definition alone (``load_plugin``), so the
caller's principal and the parameters our views have already parsed and validated travel
in a context variable, set around each call into pygeoapi by ``views.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from geoshare.access import policy

__all__ = ["RequestScope", "request_scope", "current"]


@dataclass(frozen=True)
class RequestScope:
    principal: policy.Principal
    parsed: dict = field(default_factory=dict)  # typed parameters from params.py

    def grant(self, layer_name: str) -> policy.Grant:
        """The caller's terms for one layer; LayerNotFoundError as for an unknown name."""
        return policy.grant_for(self.principal, layer_name)


_scope: ContextVar[RequestScope | None] = ContextVar("ogcapi_request_scope", default=None)


@contextmanager
def request_scope(principal: policy.Principal, **parsed) -> Iterator[RequestScope]:
    scope = RequestScope(principal, parsed)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current() -> RequestScope:
    """The scope of the request being answered; outside one, nobody is asking (anonymous)."""
    return _scope.get() or RequestScope(policy.Principal.anonymous())
