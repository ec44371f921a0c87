"""What the bot knows about a channel from Slack, cached briefly: whether it is private."""

from __future__ import annotations

import threading
import time

from bot.slack.clients import ClientFor

TTL = 600.0  # seconds; a channel rarely changes between public and private


class ChannelDirectory:
    def __init__(self, client_for: ClientFor) -> None:
        self.client_for = client_for
        self._private: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_private(self, team_id: str, channel_id: str) -> bool:
        """Private channels (and any channel Slack won't describe) count as private: when in
        doubt, show less."""
        key = (team_id, channel_id)
        with self._lock:
            cached = self._private.get(key)
        if cached and time.monotonic() - cached[0] < TTL:
            return cached[1]
        try:
            info = self.client_for(team_id).conversations_info(channel=channel_id)
            private = bool((info.get("channel") or {}).get("is_private"))
        except Exception:
            return True  # not cached: asked again next time
        with self._lock:
            self._private[key] = (time.monotonic(), private)
        return private
