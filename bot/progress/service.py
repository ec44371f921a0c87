"""Progress a person can see: stats, streaks, the leaderboard and the App Home tab."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.service import ChannelService
from bot.progress import render
from bot.progress.stats import leaderboard, user_stats
from bot.questions.library import QuestionLibrary
from bot.slack.channels import ChannelDirectory
from storage.activity import channel_activity

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

    def stats_text(self, team_id: str, channel_id: str, user_id: str, now: datetime) -> str:
        with self.sessions.begin() as session:
            activity = channel_activity(session, team_id, channel_id)
        stats = user_stats(activity, user_id, now, self._category_of(team_id))
        return render.stats_text(
            user_id,
            stats.rounds_answered,
            stats.answer_rate_30d,
            stats.current_streak,
            stats.best_streak,
            stats.votes_received,
            stats.top_categories,
        )

    def leaderboard_text(self, team_id: str, channel_id: str, period: str, now: datetime) -> str:
        with self.sessions.begin() as session:
            activity = channel_activity(session, team_id, channel_id)
        standings = leaderboard(activity, period, now)  # type: ignore[arg-type]
        return render.leaderboard_text(
            period, [(s.rank, s.user_id, s.points, s.rounds, s.votes) for s in standings]
        )

    def post_without_pings(self, team_id: str, channel_id: str, text: str) -> bool:
        """Show mentions without notifying anyone: Slack notifies on a new message, not on an
        edit, so post a placeholder and edit the leaderboard into it. False if we can't post."""
        client = self.client_for(team_id)
        try:
            posted = client.chat_postMessage(channel=channel_id, text="Leaderboard…")
            client.chat_update(channel=channel_id, ts=posted["ts"], text=text)
        except Exception as exc:
            log.info(
                "leaderboard shown privately",
                extra={"channel": channel_id, "error": type(exc).__name__},
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
                activity = channel_activity(session, team_id, channel_id)
            stats = user_stats(activity, user_id, now, category_of)
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
