"""The state of one comparison: differences found so far and the pairs being compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from compat.jsonschema._model import Node

Path = tuple[str, ...]


@dataclass(slots=True)
class Context:
    """Differences found under one comparison; `sub()` starts a trial comparison."""

    compatible: frozenset[str]
    active: set[tuple[int, int]]
    #: Differences of pairs already compared, with paths relative to the pair.
    done: dict[tuple[int, int], list[tuple[str, Path]]] = field(default_factory=dict)
    #: How often a pair was met again while still being compared (shared, one element).
    cuts: list[int] = field(default_factory=lambda: [0])
    found: list[tuple[str, Path]] = field(default_factory=list)

    def add(self, kind: str, path: Path) -> None:
        """Record one difference."""
        self.found.append((kind, path))

    def sub(self) -> Context:
        """A fresh context for a comparison whose differences may be kept or dropped."""
        return Context(self.compatible, self.active, self.done, self.cuts)

    def is_compatible(self) -> bool:
        """Whether every difference found so far is a compatible one."""
        return all(kind in self.compatible for kind, _ in self.found)


Compare = Callable[[Context, Path, "Node | None", "Node | None"], None]


def add_limit_change(
    ctx: Context, path: Path, name: str, keyword: str, old: float | None, new: float | None
) -> None:
    """A bound: `name`_ADDED/_REMOVED/_INCREASED/_DECREASED at `path/keyword`."""
    if old == new:
        return
    where = (*path, keyword)
    if old is None:
        ctx.add(f"{name}_ADDED", where)
    elif new is None:
        ctx.add(f"{name}_REMOVED", where)
    elif new > old:
        ctx.add(f"{name}_INCREASED", where)
    else:
        ctx.add(f"{name}_DECREASED", where)
