"""The schema formats the command line uses: exactly those the registry of this build serves."""

from __future__ import annotations

from compat.plugins import Formats
from registry.server import default_formats


def available_formats() -> Formats:
    """Every format this build supports (Protobuf appears here once its plug-in is installed)."""
    return default_formats()
