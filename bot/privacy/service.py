"""Forgetting a person or a channel, and the retention period: what the bot stored goes, each
in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import privacy as privacy_store
from storage.privacy import Expired, Forgotten, Stored

log = logging.getLogger(__name__)


@dataclass
class PrivacyService:
    sessions: sessionmaker[Session]

    def stored(self, team_id: str, user_id: str) -> Stored:
        """What the bot holds about the person in the workspace."""
        with self.sessions.begin() as session:
            return privacy_store.stored(session, team_id, user_id)

    def forget(self, team_id: str | None, user_id: str, now: datetime) -> Forgotten:
        """Delete and anonymise all of it, at once or not at all (`team_id` None: in every
        workspace, for the operator's command)."""
        with self.sessions.begin() as session:
            forgotten = privacy_store.forget_user(session, team_id, user_id, now)
        # The person's id is not logged: the point is that the bot no longer holds it.
        log.info(
            "a person's data was deleted",
            extra={
                "team": team_id,
                "answers": forgotten.answers + forgotten.blind_answers,
                "votes": forgotten.votes_cast + forgotten.votes_received,
                "scores": forgotten.scores,
                "evidence": forgotten.evidence,
                "names": forgotten.names,
                "events": forgotten.events,
            },
        )
        return forgotten

    def forget_channel(self, team_id: str | None, channel_id: str, now: datetime) -> dict[str, int]:
        """Delete everything stored about a channel, at once or not at all (`team_id` None: in
        every workspace); the rows deleted per table."""
        with self.sessions.begin() as session:
            deleted = privacy_store.forget_channel(session, team_id, channel_id, now)
        log.info(
            "a channel's data was deleted",
            extra={"team": team_id, "channel": channel_id, "rows": sum(deleted.values())},
        )
        return deleted

    def forget_workspace(self, team_id: str, now: datetime) -> dict[str, int]:
        """Delete everything stored about a workspace, its tokens too, at once or not at all;
        the rows deleted per table."""
        with self.sessions.begin() as session:
            deleted = privacy_store.forget_workspace(session, team_id, now)
        log.info(
            "a workspace's data was deleted",
            extra={"team": team_id, "rows": sum(deleted.values())},
        )
        return deleted

    def delete_old_answers(self, days: int, now: datetime) -> Expired:
        """The retention period: answers older than `days` days, and the votes on them, go."""
        with self.sessions.begin() as session:
            expired = privacy_store.delete_old_answers(session, now, days)
        if expired.answers or expired.votes or expired.blind_answers:
            log.info(
                "old answers deleted",
                extra={
                    "days": days,
                    "answers": expired.answers,
                    "votes": expired.votes,
                    "blind_answers": expired.blind_answers,
                },
            )
        return expired
