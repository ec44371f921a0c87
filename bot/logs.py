"""One line per event, `key=value` fields from `extra=`; Slack tokens are never logged."""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import re
import sys
import time

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# bot, user, app-level, refresh (xoxe-) and rotating (xoxe.xoxp-) tokens
_TOKEN = re.compile(r"xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")


def _one_line(value: object) -> str:
    """What a request can put in a value (a path with %0a, a user's text) stays on its line."""
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{key}={_one_line(value)}"
            for key, value in vars(record).items()
            if key not in _STANDARD
        )
        line = f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname} {record.name}: "
        line += _one_line(record.getMessage()) + (f" {fields}" if fields else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return _TOKEN.sub("xox?-[redacted]", line)


class AtMostEvery(logging.Filter):
    """Lets a logger's records through at most once every `seconds` (waitress warns of its task
    queue on every request queued while its threads are busy: thousands of lines a minute
    under a burst, each costing the server time it lacks). One line says the queue is deep."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self._last = -seconds

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < self.seconds:
            return False
        self._last = now
        return True


class _InProcessQueueHandler(logging.handlers.QueueHandler):
    """Hands the record over as it is: formatting happens on the writing thread, not on the
    thread that logged (nothing is pickled; the queue stays in this process)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


_writer: logging.handlers.QueueListener | None = None


def flush() -> None:
    """Write what is queued, before an exit that skips `atexit` (`os._exit`)."""
    _stop_writer()


def _stop_writer() -> None:
    """Write what is queued and stop the writing thread."""
    global _writer
    if _writer is not None:
        _writer.stop()
        _writer = None


# What is queued is written before the process exits.
atexit.register(_stop_writer)


def configure(level: str = "INFO") -> None:
    """Log lines go to stderr from one thread: the server's threads only queue their records
    (under a burst, 32 threads each writing a line per request waited on the stream's lock)."""
    global _writer
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    _stop_writer()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _writer = logging.handlers.QueueListener(records, handler, respect_handler_level=True)
    _writer.start()
    root = logging.getLogger()
    root.handlers[:] = [_InProcessQueueHandler(records)]
    root.setLevel(level)
    for noisy in ("slack_sdk", "slack_bolt", "apscheduler", "waitress", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    waitress_queue = logging.getLogger("waitress.queue")
    waitress_queue.filters[:] = [AtMostEvery(10.0)]
