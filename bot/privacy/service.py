"""Forgetting a person: everything the bot stored about them goes in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import privacy as privacy_store
from storage.privacy import Forgotten, Stored

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
