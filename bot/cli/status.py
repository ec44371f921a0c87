"""`python -m bot status`: what the bot will do next, and what went wrong.

Channels are shown by name when Slack can be asked (`conversations.info` with each workspace's
bot token, once per channel and run); without credentials or a connection, by id: the status
comes from the database alone and never waits long for Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.channels.service import next_post, schedule_of
from bot.slack.mrkdwn import plural
from storage import channels as channel_store
from storage import inbox as inbox_store
from storage import rounds as round_store
from storage.states import RoundStatus

log = logging.getLogger(__name__)

# Slack is asked with this timeout and no retries: the status must not hang when it is away.
LOOKUP_TIMEOUT = 3


class ChannelNames:
    """Channel names from Slack, cached for the run; a workspace Slack did not answer for once
    is not asked again (its channels show by id)."""

    def __init__(self, client_for: Callable[[str], WebClient] | None) -> None:
        self.client_for = client_for
        self._names: dict[tuple[str, str], str | None] = {}
        self._unreachable: set[str] = set()

    def __call__(self, team_id: str, channel_id: str) -> str:
        """`#name team/channel`, or `team/channel` when the name is unknown."""
        where = f"{team_id}/{channel_id}"
        name = self._name(team_id, channel_id)
        return f"#{name} {where}" if name else where

    def _name(self, team_id: str, channel_id: str) -> str | None:
        key = (team_id, channel_id)
        if key in self._names:
            return self._names[key]
        if self.client_for is None or team_id in self._unreachable:
            return None
        try:
            bot_client = self.client_for(team_id)
            client = WebClient(
                token=bot_client.token, base_url=bot_client.base_url, timeout=LOOKUP_TIMEOUT
            )
            info = client.conversations_info(channel=channel_id)
            name = (info.get("channel") or {}).get("name")
        except SlackApiError as exc:  # Slack answered: this channel is gone or hidden
            log.debug("channel name unknown", extra={"channel": channel_id, "error": str(exc)})
            name = None
        except Exception as exc:  # offline, or the workspace has no install: the ids will do
            log.debug("Slack not asked", extra={"team": team_id, "error": str(exc)})
            self._unreachable.add(team_id)
            name = None
        self._names[key] = name if isinstance(name, str) and name else None
        return self._names[key]


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} {zone}"


def status_report(session: Session, now: datetime, names: ChannelNames | None = None) -> str:
    names = names or ChannelNames(None)
    lines: list[str] = []
    schedules = [
        row for row in channel_store.all_schedules(session) if schedule_of(row) is not None
    ]
    lines.append(f"Channels with a daily question: {len(schedules)}")
    for row in schedules:
        schedule = schedule_of(row)
        assert schedule is not None
        lines.append(f"  {names(row.team_id, row.channel_id)}: {schedule.describe()}")
        if row.paused:
            lines.append("    paused")
        else:
            upcoming = next_post(schedule, now)
            lines.append(f"    next post: {_local(upcoming, schedule.timezone)}")
        current = round_store.open_round(session, row.team_id, row.channel_id)
        if current is not None:
            lines.append(
                f"    open round {current.id} ({current.question_id}), "
                f"reveal at {_local(current.reveal_at, schedule.timezone)}"
            )
    open_elsewhere = [
        r
        for r in round_store.recent_rounds(
            session, (RoundStatus.OPEN, RoundStatus.CLAIMED), limit=50
        )
        if channel_store.get_schedule(session, r.team_id, r.channel_id) is None
    ]
    for rnd in open_elsewhere:
        lines.append(
            f"  {names(rnd.team_id, rnd.channel_id)}: open round {rnd.id} ({rnd.question_id}), "
            f"reveal at {_local(rnd.reveal_at, 'UTC')}"
        )
    problems = round_store.recent_rounds(
        session, (RoundStatus.FAILED, RoundStatus.SKIPPED, RoundStatus.REVEAL_FAILED), limit=20
    )
    lines.append(
        f"Failed or skipped rounds (latest {len(problems)}):" if problems else "No failed rounds."
    )
    for rnd in problems:
        reason = rnd.error or "missed by more than the grace period (bot was down)"
        if rnd.status == RoundStatus.REVEAL_FAILED:
            reason += " (answers kept and counted; the reveal is not retried)"
        where = names(rnd.team_id, rnd.channel_id)
        lines.append(f"  {rnd.local_date} {where}: {rnd.status}: {reason}")
    retrying = [
        r for r in round_store.recent_rounds(session, (RoundStatus.OPEN,), limit=50) if r.error
    ]
    for rnd in retrying:
        lines.append(
            f"  {names(rnd.team_id, rnd.channel_id)}: round {rnd.id} reveal retrying: {rnd.error}"
        )
    pending = inbox_store.pending_events(session)
    stuck = [e for e in pending if e.error]
    lines.append(f"Inbox: {plural(len(pending), 'event')} waiting, {len(stuck)} failing")
    for event in stuck[:10]:
        lines.append(f"  {event.event_id} {event.event_type} x{event.attempts}: {event.error}")
    return "\n".join(lines)
