"""Errors raised by log backends.

LogError
├── LogLockedError      another process holds the data directory
├── LogClosedError      the log was used after close()
└── LogWriteError       a record could not be made durable
"""

from __future__ import annotations


class LogError(Exception):
    """Base class of every log backend error."""


class LogLockedError(LogError):
    """The data directory is locked by another process."""


class LogClosedError(LogError):
    """The log was used after it was closed."""


class LogWriteError(LogError):
    """Appending failed; nothing of that append is visible."""
