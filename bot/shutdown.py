"""Stopping on SIGTERM (what a platform sends before its SIGKILL) or Ctrl-C: stop taking work,
finish what is in flight within a budget, then exit.

Acknowledged events are safe either way (they are in the durable inbox before Slack gets its
200, and the next start applies what was left); the budget is about not cutting off a command
halfway through its Slack replies, and about exiting before the platform kills the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import FrameType

# From the signal to the exit, everything included: comfortably under 10 s.
STOP_BUDGET = 8.5


class Stop:
    """Set by SIGTERM or SIGINT. The main thread only polls it (`requested`, `wait`), so the
    signal handler, which runs on the main thread, never waits for a lock the main thread holds;
    other threads may block on `event`."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.at: float | None = None

    def on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        """The handler for `signal.signal(signal.SIGTERM, stop.on_signal)`."""
        if self.at is None:
            self.at = time.monotonic()
        self.event.set()

    def requested(self) -> bool:
        return self.event.is_set()

    def wait(self, poll: float = 0.2) -> None:
        while not self.event.is_set():
            time.sleep(poll)

    def remaining(self, reserve: float = 0.0) -> float:
        """Seconds left of the budget, keeping `reserve` for what comes after."""
        started = self.at if self.at is not None else time.monotonic()
        return max(0.0, started + STOP_BUDGET - reserve - time.monotonic())


def finish(work: Callable[[], object], timeout: float, name: str) -> bool:
    """Run `work` on a daemon thread; True if it returned within `timeout` seconds."""
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    return not thread.is_alive()
