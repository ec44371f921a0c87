"""A channel's settings: the daily question's schedule, pause/resume, blind mode, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.schedule import Schedule, parse_time
from storage import admins as admin_store
from storage import channels as channel_store
from storage.channels import ChannelSchedule
from storage.states import DEFAULT_VOTE_EMOJI, AnswerMode


def schedule_of(row: ChannelSchedule | None) -> Schedule | None:
    """The parsed schedule stored for a channel; None without a daily question."""
    if row is None or row.post_time is None or row.timezone is None:
        return None
    post_time = parse_time(row.post_time)
    if post_time is None:  # written by this code, so only a hand-edited row gets here
        return None
    reveal_after = timedelta(minutes=row.reveal_after_minutes) if row.reveal_after_minutes else None
    return Schedule(
        post_time=post_time,
        timezone=row.timezone,
        days=row.days,
        reveal_time=parse_time(row.reveal_time) if row.reveal_time else None,
        reveal_after=reveal_after,
        holidays=row.holidays,
        categories=tuple(c for c in (row.categories or "").split(",") if c),
    )


class ChannelService:
    """Reads and changes a channel's settings; every change records who made it and when."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def schedule(self, team_id: str, channel_id: str) -> tuple[Schedule | None, bool]:
        """The channel's schedule and whether it is paused."""
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            return schedule_of(row), bool(row and row.paused)

    def subscribe(
        self,
        team_id: str,
        channel_id: str,
        schedule: Schedule,
        user_id: str,
        now: datetime,
        paused: bool = False,
        **settings: object,
    ) -> bool:
        """Save the channel's schedule (and any other `settings`, e.g. mode). True when this
        set the channel up: it had no settings and no admins, so `user_id` is its admin now."""
        minutes = (
            int(schedule.reveal_after.total_seconds() // 60) if schedule.reveal_after else None
        )
        with self.sessions.begin() as session:
            first = channel_store.get_schedule(
                session, team_id, channel_id
            ) is None and not admin_store.channel_admins(session, team_id, channel_id)
            channel_store.save_schedule(
                session,
                team_id,
                channel_id,
                post_time=f"{schedule.post_time:%H:%M}",
                timezone=schedule.timezone,
                days=schedule.days,
                reveal_time=f"{schedule.reveal_time:%H:%M}" if schedule.reveal_time else None,
                reveal_after_minutes=minutes,
                holidays=schedule.holidays,
                categories=",".join(schedule.categories) or None,
                paused=paused,
                updated_by=user_id,
                updated_at=now,
                **settings,
            )
            if first:
                admin_store.add_channel_admin(session, team_id, channel_id, user_id, user_id, now)
            return first

    def set_paused(
        self, team_id: str, channel_id: str, paused: bool, user_id: str, now: datetime
    ) -> bool:
        """False if the channel has no schedule."""
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            if row is None or row.post_time is None:
                return False
            row.paused, row.updated_by, row.updated_at = paused, user_id, now
            row.paused_reason = None
            return True

    def all_for_team(self, team_id: str) -> list[tuple[str, Schedule | None, bool]]:
        """(channel, schedule, paused) for every channel of the workspace with settings."""
        with self.sessions.begin() as session:
            rows = channel_store.all_schedules(session, team_id)
            return [(r.channel_id, schedule_of(r), r.paused) for r in rows]

    def pause_reasons(self, team_id: str) -> dict[str, str]:
        """Channels the bot paused itself, with the Slack error that made it stop."""
        with self.sessions.begin() as session:
            rows = channel_store.all_schedules(session, team_id)
            return {r.channel_id: r.paused_reason for r in rows if r.paused and r.paused_reason}

    def mode(self, team_id: str, channel_id: str) -> str:
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            return row.mode if row else AnswerMode.OPEN

    def set_mode(
        self, team_id: str, channel_id: str, mode: str, user_id: str, now: datetime
    ) -> None:
        """Blind or open; applies to rounds started from now on."""
        self._update(team_id, channel_id, user_id, now, mode=mode)

    def vote_emoji(self, team_id: str, channel_id: str) -> str:
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            return row.vote_emoji if row else DEFAULT_VOTE_EMOJI

    def set_vote_emoji(
        self, team_id: str, channel_id: str, emoji: str, user_id: str, now: datetime
    ) -> None:
        """Reactions with this emoji (any skin tone) are votes, from now on."""
        self._update(team_id, channel_id, user_id, now, vote_emoji=emoji)

    def reminder(self, team_id: str, channel_id: str) -> int | None:
        """Minutes before the reveal of the channel's reminder; None when it has none."""
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            return row.remind_minutes if row else None

    def set_reminder(
        self, team_id: str, channel_id: str, minutes: int | None, user_id: str, now: datetime
    ) -> None:
        self._update(team_id, channel_id, user_id, now, remind_minutes=minutes)

    def _update(
        self, team_id: str, channel_id: str, user_id: str, now: datetime, **fields: object
    ) -> None:
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            if row is None:  # settings before (or without) a daily schedule
                channel_store.save_schedule(
                    session,
                    team_id,
                    channel_id,
                    post_time=None,
                    timezone=None,
                    updated_by=user_id,
                    updated_at=now,
                    **fields,
                )
            else:
                for key, value in fields.items():
                    setattr(row, key, value)


def next_post(schedule: Schedule, now: datetime, days_ahead: int = 14) -> datetime | None:
    """The next instant the clock will post, skipping weekends and holidays."""
    today = now.astimezone(schedule.zone).date()
    for offset in range(days_ahead + 1):
        local_date = today + timedelta(days=offset)
        if schedule.is_practice_day(local_date) and schedule.post_at(local_date) > now:
            return schedule.post_at(local_date)
    return None
