"""What every Kafka client Cairn makes shares: the bootstrap servers, the user's librdkafka
settings, and librdkafka's log lines routed through Python logging.

Left alone, librdkafka writes its log lines (`%3|1700000000.123|FAIL|rdkafka#producer-1|
...`) straight to stderr, past Python's logging: a node that cannot reach its brokers
prints dozens of them before Cairn's own error says the same thing once. With a `logger`
in the client config, confluent-kafka hands each line to that object's `log` method instead
(when the client is polled), so the lines obey `--log-level`, carry a logger name, and can
be told apart from Cairn's own messages.

They come one level lower than librdkafka rates them (an ERROR is logged as a WARNING, and
so on): librdkafka retries what it reports (a refused connection, a broker going away) by
itself, and whatever still fails reaches Cairn as a failed operation, which Cairn reports
at the level it deserves. A line that repeats within `REPEAT_WINDOW_S` (reconnect attempts
every few milliseconds at first) is logged once, with the number of repeats on the next one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

#: The logger librdkafka's lines go to.
LIBRDKAFKA_LOGGER = "registry.kafka.librdkafka"
#: How long an identical librdkafka line is not logged again.
REPEAT_WINDOW_S = 60.0
#: Python's level for each level confluent-kafka passes on, one step lower (see module doc).
_DEMOTED = {
    logging.CRITICAL: logging.ERROR,
    logging.ERROR: logging.WARNING,
    logging.WARNING: logging.INFO,
    logging.INFO: logging.DEBUG,
}
#: Parts of a line that change from one repeat to the next ("after 3ms", timestamps).
_NUMBERS = re.compile(r"\d+")


class LibrdkafkaLog:
    """The `logger` of Cairn's Kafka clients: librdkafka's lines into Python logging.

    confluent-kafka calls `log(level, fmt, facility, client_name, message)` from whichever
    thread polls the client, so the repeat bookkeeping is locked.
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        window_s: float = REPEAT_WINDOW_S,
    ) -> None:
        self._logger = logger or logging.getLogger(LIBRDKAFKA_LOGGER)
        self._clock = clock
        self._window_s = window_s
        self._lock = threading.Lock()
        #: For each line shape: when it was last logged, and how often it came since.
        self._seen: dict[str, tuple[float, int]] = {}

    def log(self, level: int, msg: str, *args: Any) -> None:
        """Log one librdkafka line, demoted one level, unless it is a recent repeat."""
        level = _DEMOTED.get(level, logging.DEBUG if level < logging.INFO else level)
        if not self._logger.isEnabledFor(level):
            return
        text = msg % args if args else msg
        shape = _NUMBERS.sub("#", text)
        now = self._clock()
        with self._lock:
            last, repeats = self._seen.get(shape, (None, 0))
            if last is not None and now - last < self._window_s:
                self._seen[shape] = (last, repeats + 1)
                return
            self._seen[shape] = (now, 0)
            if len(self._seen) > 1000:
                self._forget(now)
        if repeats:
            self._logger.log(level, "%s (and %d more like it)", text, repeats)
        else:
            self._logger.log(level, "%s", text)

    def _forget(self, now: float) -> None:
        """Drop lines older than the window, so the bookkeeping stays small."""
        for shape, (last, _) in list(self._seen.items()):
            if now - last >= self._window_s:
                del self._seen[shape]


def client_config(
    bootstrap_servers: str, settings: Mapping[str, str], log: LibrdkafkaLog
) -> dict[str, Any]:
    """The config every Cairn client starts from: where the brokers are, the user's
    librdkafka settings, and `log` as the client's logger."""
    return {"bootstrap.servers": bootstrap_servers, **settings, "logger": log}
