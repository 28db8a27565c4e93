"""Tile matrix sets, vector tiles and the tile cache."""
