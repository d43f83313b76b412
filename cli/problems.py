"""What a compatibility finding means for people running producers and consumers.

A finding from the engine (or parsed from a registry's verbose message) says which rule broke
and where. `Problem` adds the two things a person needs to act: who breaks (which readers
cannot read which writers' data) and a concrete hint for that kind of difference; the wording
itself lives in `compat.hints`, shared with the registry's web pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from compat.hints import BREAKS, Direction, hint_for

__all__ = ["BREAKS", "Direction", "Problem", "hint_for"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One incompatibility, explained: where, what breaks, and what to do.

    It was found against a registry version (`against_version`) or a file (`against_file`).
    """

    type: str
    path: str
    direction: Direction
    message: str
    hint: str
    against_version: int | None = None
    against_file: str | None = None

    @property
    def against(self) -> str | None:
        """What the new schema was compared with: the file if any, else the version."""
        if self.against_file is not None:
            return self.against_file
        return None if self.against_version is None else f"version {self.against_version}"

    @property
    def breaks(self) -> str:
        """Which readers cannot read which writers' data."""
        return BREAKS[self.direction]
