"""Errors of the security configuration (the request-time 401 and 403 are registry errors).

    SecurityError               base
    └── AuthConfigError         the auth config file cannot be read or is invalid

A bad file stops the server at start-up and is refused (old config kept) on reload.
"""

from __future__ import annotations


class SecurityError(Exception):
    """Base class of the security package's errors."""


class AuthConfigError(SecurityError):
    """The auth config file is missing, is not TOML, or does not have the expected shape."""
