"""`python -m bot export`: every round with its answers and votes, as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage import rounds as round_store
from storage import votes as vote_store


def export_rounds(session: Session, team_id: str | None = None) -> dict[str, Any]:
    rounds = []
    for rnd in round_store.rounds_for_export(session, team_id):
        answers = round_store.counted_answers(session, rnd)
        voters = vote_store.voters_by_answer(session, answers)
        rounds.append(
            {
                "channel": rnd.channel_id,
                "question_id": rnd.question_id,
                "local_date": rnd.local_date.isoformat(),
                "message_ts": rnd.message_ts,
                "posted_at": rnd.posted_at.isoformat() if rnd.posted_at else None,
                "revealed_at": rnd.revealed_at.isoformat() if rnd.revealed_at else None,
                "answers": [
                    {"user": a.user_id, "ts": a.ts, "text": a.text, "votes": voters.get(a.ts, [])}
                    for a in answers
                ],
            }
        )
    return {"rounds": rounds}
