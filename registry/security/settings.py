"""The security settings of a server process: TLS files and the auth config file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class SecuritySettings:
    """`--tls-cert`, `--tls-key`, `--tls-client-ca` and `--auth-config`, checked together.

    With a certificate the server speaks HTTPS only; with a client CA too, every client must
    present a certificate that CA signed (mutual TLS), and its CN is the principal `cert:CN`.
    With an auth config, requests must authenticate and are authorized by its ACL.
    """

    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    auth_config: Path | None = None

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("--tls-cert and --tls-key go together")
        if self.tls_client_ca is not None and self.tls_cert is None:
            raise ValueError("--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS)")

    @property
    def tls(self) -> bool:
        """Whether the server speaks HTTPS."""
        return self.tls_cert is not None

    @property
    def mutual_tls(self) -> bool:
        """Whether clients must present a certificate."""
        return self.tls_client_ca is not None
