"""The local KMS secret every test uses with confluent-kafka's `LocalKmsDriver`.

confluent-kafka keeps the KMS clients it makes for the whole process and hands the first
local one to every later `local-kms://` key, whatever secret a later test configures. Tests
in one run must therefore agree on the secret, or the second one wraps and unwraps keys with
the first one's.
"""

from __future__ import annotations

LOCAL_KMS_SECRET = "a local secret shared by both clients"
