"""Two schema texts side by side, line by line, with what changed marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One line pair: `kind` is same, changed, removed (left only) or added (right only)."""

    left: str | None
    right: str | None
    kind: str


def side_by_side(left: str, right: str) -> list[DiffRow]:
    """The rows of a two-column diff of `left` and `right`."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow(x, y, "same") for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for n in range(max(len(olds), len(news))):
            old = olds[n] if n < len(olds) else None
            new = news[n] if n < len(news) else None
            kind = "changed" if old is not None and new is not None else "removed"
            rows.append(DiffRow(old, new, "added" if old is None else kind))
    return rows


def changed_lines(rows: list[DiffRow]) -> int:
    """How many rows differ."""
    return sum(1 for r in rows if r.kind != "same")
