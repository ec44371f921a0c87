"""Slack's pace, simulated: a delay before every answer and token-bucket rate limits that answer
HTTP 429 with ``Retry-After``, per workspace and per channel, as ``chat.postMessage`` is limited.

Slack documents ``chat.postMessage`` as "about one message per second per channel, short bursts
allowed", plus a workspace-wide cap it does not publish; benchmarks pick their own numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    """``per_second`` sustained, up to ``burst`` at once after a quiet spell."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate needs per_second > 0 and burst >= 1")


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimit:
    """The limits of one Web API method; ``take`` spends one request or says how long to wait."""

    method: str
    per_workspace: Rate | None = None
    per_channel: Rate | None = None
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def take(self, team_id: str, channel: str | None, now: float) -> int | None:
        """None when the request may go ahead (its tokens are spent); otherwise the whole
        seconds until it would be allowed, for ``Retry-After`` (nothing is spent then)."""
        checks: list[tuple[tuple[str, str], Rate]] = []
        if self.per_workspace is not None:
            checks.append((("team", team_id), self.per_workspace))
        if self.per_channel is not None and channel:
            checks.append((("channel", f"{team_id}/{channel}"), self.per_channel))
        wait = 0.0
        buckets = []
        for key, rate in checks:
            bucket = self._buckets.setdefault(key, _Bucket(float(rate.burst), now))
            bucket.tokens = min(
                float(rate.burst), bucket.tokens + (now - bucket.at) * rate.per_second
            )
            bucket.at = now
            buckets.append(bucket)
            if bucket.tokens < 1:
                wait = max(wait, (1 - bucket.tokens) / rate.per_second)
        if wait > 0:
            return max(1, math.ceil(wait))  # Slack's Retry-After is whole seconds
        for bucket in buckets:
            bucket.tokens -= 1
        return None
