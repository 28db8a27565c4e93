"""Where a house number stands between its neighbours on the same side of a road."""

from __future__ import annotations

import shapely

__all__ = ["between"]

# A number this far past the last one known on its side is not guessed at.
_MAX_EXTRAPOLATION = 10


def between(n: int, low, high, road) -> tuple[tuple[float, float], bool] | None:
    """Where number ``n`` stands between its neighbours ``(number, x, y)`` on its side.

    Along the road line when there is one, keeping the neighbours' distance from it;
    otherwise on the straight line between them. With one neighbour, its point.
    """
    low_n, *low_xy = low
    high_n, *high_xy = high
    if low_n is None and high_n is None:
        return None
    if low_n is None or high_n is None or low_n == high_n:
        known_n, known = (low_n, low_xy) if low_n is not None else (high_n, high_xy)
        if abs(n - known_n) > _MAX_EXTRAPOLATION:
            return None
        return tuple(known), low_n == high_n
    t = (n - low_n) / (high_n - low_n)
    line = _line_near(road, low_xy, high_xy)
    if line is None:
        x = low_xy[0] + (high_xy[0] - low_xy[0]) * t
        y = low_xy[1] + (high_xy[1] - low_xy[1]) * t
        return (x, y), True
    a, b = shapely.Point(low_xy), shapely.Point(high_xy)
    fa, fb = line.project(a), line.project(b)
    on_a, on_b = line.interpolate(fa), line.interpolate(fb)
    base = line.interpolate(fa + (fb - fa) * t)
    dx = (a.x - on_a.x) * (1 - t) + (b.x - on_b.x) * t
    dy = (a.y - on_a.y) * (1 - t) + (b.y - on_b.y) * t
    return (base.x + dx, base.y + dy), True


def _line_near(road, a, b):
    """The single line of ``road`` closest to both points, if the road has lines."""
    if road is None or shapely.get_dimensions(road) != 1:
        return None
    lines = list(getattr(road, "geoms", [road]))
    pa, pb = shapely.Point(a), shapely.Point(b)
    return min(lines, key=lambda line: line.distance(pa) + line.distance(pb))
