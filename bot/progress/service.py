"""Progress a person can see: stats, streaks, the leaderboard and the App Home tab."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.service import ChannelService, schedule_of
from bot.progress import render
from bot.progress.stats import Period, Standing, frozen_days, leaderboard, period_days, user_stats
from bot.questions.library import QuestionLibrary
from bot.slack.channels import ChannelDirectory
from bot.slack.mrkdwn import slack_date_time
from bot.slack.posting import edit_in_mentions
from storage import channels as channel_store
from storage import people_prefs
from storage.activity import (
    ChannelActivity,
    leaderboard_tallies,
    person_activity,
)

log = logging.getLogger(__name__)


@dataclass
class ProgressService:
    """Stats, the leaderboard and the Home tab, from a channel's activity."""

    sessions: sessionmaker[Session]
    library: QuestionLibrary
    channels: ChannelService
    client_for: Callable[[str], WebClient]
    directory: ChannelDirectory | None = None

    def _category_of(self, team_id: str) -> Callable[[str], str | None]:
        bank = self.library.archive(team_id)  # removed questions' rounds count too

        def category_of(question_id: str) -> str | None:
            question = bank.get(question_id)
            return question.category if question else None

        return category_of

    def _frozen(
        self,
        session: Session,
        team_id: str,
        channel_id: str,
        user_id: str,
        activity: ChannelActivity,
    ) -> Callable[[date], bool]:
        """The person's snoozed days and the channel's days off (holidays, weekends)."""
        periods = [
            (s.starts_at, s.ends_at) for s in people_prefs.snoozes_of(session, team_id, user_id)
        ]
        snoozed = frozen_days(periods, activity.timezone)
        schedule = schedule_of(channel_store.get_schedule(session, team_id, channel_id))

        def frozen(day: date) -> bool:
            return snoozed(day) or (schedule is not None and not schedule.is_practice_day(day))

        return frozen

    def stats_text(self, team_id: str, channel_id: str, user_id: str, now: datetime) -> str:
        with self.sessions.begin() as session:
            activity = person_activity(session, team_id, channel_id, user_id)
            frozen = self._frozen(session, team_id, channel_id, user_id, activity)
            snooze = people_prefs.active_snooze(session, team_id, user_id, now)
            until = snooze.ends_at if snooze else None
        stats = user_stats(activity, user_id, now, self._category_of(team_id), frozen)
        return render.stats_text(
            user_id,
            stats.rounds_answered,
            stats.answer_rate_30d,
            stats.current_streak,
            stats.best_streak,
            stats.votes_received,
            stats.top_categories,
            snoozed_until=slack_date_time(until, activity.timezone) if until else None,
        )

    def leaderboard_public(self, team_id: str, channel_id: str) -> bool:
        """Whether the channel shows its leaderboard and everyone's stats (the default)."""
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            return row is None or row.leaderboard_public

    def set_leaderboard_public(
        self, team_id: str, channel_id: str, public: bool, user_id: str, now: datetime
    ) -> None:
        with self.sessions.begin() as session:
            row = channel_store.get_schedule(session, team_id, channel_id)
            if row is None:  # a channel without settings yet: only this one
                channel_store.save_schedule(
                    session,
                    team_id,
                    channel_id,
                    leaderboard_public=public,
                    updated_by=user_id,
                    updated_at=now,
                )
            else:
                row.leaderboard_public = public

    def standings(
        self, team_id: str, channel_id: str, period: Period, now: datetime, limit: int = 10
    ) -> list[Standing]:
        """The channel's top `limit` people over the period's local days, ranked by points."""
        with self.sessions.begin() as session:
            days = period_days(period, now, channel_store.timezone(session, team_id, channel_id))
            tallies = leaderboard_tallies(session, team_id, channel_id, days)
        return leaderboard(tallies, limit)

    def leaderboard_text(self, team_id: str, channel_id: str, period: str, now: datetime) -> str:
        standings = self.standings(team_id, channel_id, period, now)  # type: ignore[arg-type]
        return render.leaderboard_text(
            period, [(s.rank, s.user_id, s.points, s.rounds, s.votes) for s in standings]
        )

    def post_without_pings(self, team_id: str, channel_id: str, text: str) -> bool:
        """Show mentions without notifying anyone: Slack notifies on a new message, not on an
        edit, so post a placeholder and edit the leaderboard into it. False if we can't post."""
        client = self.client_for(team_id)
        posted_ts = None
        try:
            posted_ts = str(client.chat_postMessage(channel=channel_id, text="Leaderboard…")["ts"])
            edit_in_mentions(client, channel_id, posted_ts, text)
        except Exception as exc:
            log.info(
                "leaderboard shown privately",
                extra={"channel": channel_id, "error": type(exc).__name__},
            )
            if posted_ts is not None:  # no placeholder left behind in the channel
                try:
                    client.chat_delete(channel=channel_id, ts=posted_ts)
                except Exception as gone:
                    log.warning(
                        "leaderboard placeholder left",
                        extra={"channel": channel_id, "error": type(gone).__name__},
                    )
            return False
        return True

    def _is_private(self, team_id: str, channel_id: str) -> bool:
        return self.directory.is_private(team_id, channel_id) if self.directory else False

    def home(
        self, team_id: str, user_id: str, is_admin: bool, now: datetime, help_text: str
    ) -> dict[str, Any]:
        """The Home tab for one person: each practising channel with their progress in it."""
        entries = []
        category_of = self._category_of(team_id)
        reasons = self.channels.pause_reasons(team_id)
        for channel_id, schedule, paused in self.channels.all_for_team(team_id):
            with self.sessions.begin() as session:
                activity = person_activity(session, team_id, channel_id, user_id)
                frozen = self._frozen(session, team_id, channel_id, user_id, activity)
            stats = user_stats(activity, user_id, now, category_of, frozen)
            # A private channel's schedule is shown to admins and to the people who practise
            # there, not to every member of the workspace.
            if (
                stats.rounds_answered == 0
                and not is_admin
                and self._is_private(team_id, channel_id)
            ):
                continue
            entries.append(
                render.ChannelProgress(
                    channel_id,
                    schedule,
                    paused,
                    stats.rounds_answered,
                    stats.current_streak,
                    stats.best_streak,
                    stats.votes_received,
                    reasons.get(channel_id),
                )
            )
        # The person's own channels first.
        entries.sort(key=lambda e: (e.rounds_answered == 0, e.channel_id))
        return render.home_view(entries, is_admin, help_text)


@dataclass
class PersonalSettings:
    """What a person chose for themselves in a workspace: reveal pings and snoozes."""

    sessions: sessionmaker[Session]

    def reveal_pings(self, team_id: str, user_id: str) -> bool:
        with self.sessions.begin() as session:
            return people_prefs.wants_reveal_pings(session, team_id, user_id)

    def set_reveal_pings(self, team_id: str, user_id: str, on: bool, now: datetime) -> None:
        with self.sessions.begin() as session:
            people_prefs.set_reveal_pings(session, team_id, user_id, on, now)

    def snoozed_until(self, team_id: str, user_id: str, now: datetime) -> datetime | None:
        with self.sessions.begin() as session:
            current = people_prefs.active_snooze(session, team_id, user_id, now)
            return current.ends_at if current else None

    def snooze(self, team_id: str, user_id: str, now: datetime, until: datetime) -> None:
        """No pings until `until`; streaks stay frozen over the snoozed days."""
        with self.sessions.begin() as session:
            people_prefs.snooze(session, team_id, user_id, now, until)

    def wake(self, team_id: str, user_id: str, now: datetime) -> bool:
        """End a running snooze now; False when none was running."""
        with self.sessions.begin() as session:
            return people_prefs.end_snooze(session, team_id, user_id, now)
