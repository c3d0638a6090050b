"""The lookup both rule sets share: entries by id, found by any of their names, with data derived from them.

The license catalog and the model registry are both built from one YAML file per entry, later folders
(--rules) overriding earlier ones by id, and looked up by id or alias. Each says how its names compare
(`alias_key`); what is derived from the whole set (the compiled identification index) is kept here and
dropped when an entry is added, so it never outlives the entries it was built from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar


class Entry(Protocol):
    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=Entry)
D = TypeVar("D")


class Index(Generic[E]):
    def __init__(self, entries: Iterable[E] = ()):
        self._by_id: dict[str, E] = {}
        self._alias: dict[str, str] = {}
        self._derived: dict[str, Any] = {}
        for entry in entries:
            self.add(entry)

    def names_of(self, entry: E) -> list[str]:
        """Every name the entry is found by (its id first)."""
        return [entry.id]

    @staticmethod
    def alias_key(name: str) -> str:
        return name.lower()

    def add(self, entry: E) -> None:
        """Add `entry`; one with the same id (a --rules folder's own version) replaces the earlier one."""
        self._by_id[entry.id] = entry
        for name in self.names_of(entry):
            self._alias[self.alias_key(name)] = entry.id
        self._derived.clear()

    def __iter__(self) -> Iterator[E]:
        return iter(self.derived("entries-by-id", lambda: sorted(self._by_id.values(), key=lambda entry: entry.id)))

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, key: str) -> E | None:
        """The entry `key` (already normalised by `alias_key`) names, or None."""
        entry_id = self._alias.get(key)
        return self._by_id.get(entry_id) if entry_id else None

    def derived(self, name: str, build: Callable[[], D]) -> D:
        """`build()` once for the current entries: the result is kept until an entry is added."""
        if name not in self._derived:
            self._derived[name] = build()
        return self._derived[name]
