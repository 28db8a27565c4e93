"""A table of names that finds every known name starting at a position in a text."""

from typing import Generic, TypeVar

__all__ = ["NameTable"]

Item = TypeVar("Item")


class NameTable(Generic[Item]):
    """Names, each with a list of items, looked up by prefix.

    Keeping every prefix of every name in a set stops the scan at the first
    character no name continues with, so a look-up costs a few set probes
    rather than one probe per name length.
    """

    def __init__(self) -> None:
        self._items: dict[str, list[Item]] = {}
        self._prefixes: set[str] = set()

    def add(self, name: str, item: Item) -> None:
        self._items.setdefault(name, []).append(item)
        self._prefixes.update(name[:length] for length in range(1, len(name) + 1))

    def get(self, name: str) -> list[Item]:
        return self._items.get(name, [])

    def starting_at(self, text: str, start: int) -> list[tuple[int, list[Item]]]:
        """``(end, items)`` of each name that begins at ``start``, longest first."""
        prefixes, items = self._prefixes, self._items
        found = []
        end = start + 1
        while end <= len(text):
            prefix = text[start:end]
            if prefix not in prefixes:
                break
            if prefix in items:
                found.append((end, items[prefix]))
            end += 1
        found.reverse()
        return found

    def sort_items(self, key) -> None:
        for items in self._items.values():
            items.sort(key=key)
