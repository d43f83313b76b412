"""Users of the UI's tests with authentication on: a reader, a writer and an admin of
`orders-*`."""

from __future__ import annotations

import base64
from pathlib import Path

from registry.security.passwords import hash_password

PASSWORDS = {"reader": "r-secret", "writer": "w-secret", "admin": "a-secret"}
ACL = """
[[acl]]
principal = "reader"
subjects = "orders-*"
permissions = ["read"]

[[acl]]
principal = "writer"
subjects = "orders-*"
permissions = ["read", "write"]

[[acl]]
principal = "admin"
subjects = "orders-*"
permissions = ["read", "write", "admin"]
"""
FORM = {"content-type": "application/x-www-form-urlencoded"}


def basic(user: str) -> dict[str, str]:
    """An Authorization header for `user`."""
    token = base64.b64encode(f"{user}:{PASSWORDS[user]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def write_auth_file(path: Path) -> Path:
    """An auth config with the users and ACL above, at `path`."""
    users = "".join(
        f'[[users]]\nname = "{user}"\npassword_hash = "{hash_password(secret)}"\n\n'
        for user, secret in PASSWORDS.items()
    )
    path.write_text(users + ACL)
    return path
