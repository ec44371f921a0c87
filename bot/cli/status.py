"""`python -m bot status`: what the bot will do next, and what went wrong."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.channels.service import next_post, schedule_of
from storage import channels as channel_store
from storage import inbox as inbox_store
from storage import rounds as round_store
from storage.states import RoundStatus


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} {zone}"


def status_report(session: Session, now: datetime) -> str:
    lines: list[str] = []
    schedules = [
        row for row in channel_store.all_schedules(session) if schedule_of(row) is not None
    ]
    lines.append(f"Channels with a daily question: {len(schedules)}")
    for row in schedules:
        schedule = schedule_of(row)
        assert schedule is not None
        lines.append(f"  {row.team_id}/{row.channel_id}: {schedule.describe()}")
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
            f"  {rnd.team_id}/{rnd.channel_id}: open round {rnd.id} ({rnd.question_id}), "
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
        lines.append(f"  {rnd.local_date} {rnd.team_id}/{rnd.channel_id}: {rnd.status}: {reason}")
    retrying = [
        r for r in round_store.recent_rounds(session, (RoundStatus.OPEN,), limit=50) if r.error
    ]
    for rnd in retrying:
        lines.append(
            f"  {rnd.team_id}/{rnd.channel_id}: round {rnd.id} reveal retrying: {rnd.error}"
        )
    pending = inbox_store.pending_events(session)
    stuck = [e for e in pending if e.error]
    lines.append(f"Inbox: {len(pending)} event(s) waiting, {len(stuck)} failing")
    for event in stuck[:10]:
        lines.append(f"  {event.event_id} {event.event_type} x{event.attempts}: {event.error}")
    return "\n".join(lines)
