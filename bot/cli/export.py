"""`python -m bot export`: every round with its question, answers and votes, as JSON or CSV.

An export holds what the bot stored about rounds (and, in JSON, calibration sessions): Slack ids,
the question, the answers' text and who voted. Never a token or a secret: those live in other
tables, which the export does not read. A deleted answer is not exported at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.questions.bank import Question, QuestionBank
from storage import questions as question_store
from storage import rounds as round_store
from storage import votes as vote_store
from storage.rounds import Round

# the columns of a CSV export: the round's, then the answer's (one row per answer)
ROUND_COLUMNS = (
    "team",
    "channel",
    "local_date",
    "kind",
    "mode",
    "question_id",
    "category",
    "difficulty",
    "question",
    "message_ts",
    "posted_at",
    "revealed_at",
)
ANSWER_COLUMNS = ("answer_user", "answer_ts", "answer_text", "votes", "voters")
# A spreadsheet runs a cell starting with one of these as a formula: people's text gets a "'"
# in front (OWASP's advice for CSV injection), which spreadsheets show as plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilter:
    """Which rounds to export; None is every one."""

    team_id: str | None = None
    channel_id: str | None = None
    since: date | None = None  # rounds of this local date or later


def _question(
    session: Session, bank: QuestionBank | None, team_id: str, question_id: str
) -> Question | None:
    """The question a round used: the bank's, or the team's own (even if removed since)."""
    found = bank.get(question_id) if bank is not None else None
    if found is not None:
        return found
    row = question_store.custom_question(session, team_id, question_id)
    if row is None:
        return None
    return Question(
        id=row.question_id,
        category=row.category,
        question=row.question,
        rationale=row.rationale,
        sample_answer=row.sample_answer,
        difficulty=row.difficulty,
    )


def _round_fields(session: Session, bank: QuestionBank | None, rnd: Round) -> dict[str, Any]:
    question = _question(session, bank, rnd.team_id, rnd.question_id)
    return {
        "team": rnd.team_id,
        "channel": rnd.channel_id,
        "local_date": rnd.local_date.isoformat(),
        "kind": rnd.kind,
        "mode": rnd.mode,
        "question_id": rnd.question_id,
        "category": question.category if question else None,
        "difficulty": question.difficulty if question else None,
        "question": question.question if question else None,
        "message_ts": rnd.message_ts,
        "posted_at": rnd.posted_at.isoformat() if rnd.posted_at else None,
        "revealed_at": rnd.revealed_at.isoformat() if rnd.revealed_at else None,
    }


def export_rounds(
    session: Session, bank: QuestionBank | None = None, only: ExportFilter = ExportFilter()
) -> dict[str, Any]:
    """Every posted round the filter lets through, oldest first per workspace, with the answers
    that count (not deleted, given before the reveal) and who voted for each."""
    rounds = []
    for rnd in round_store.rounds_for_export(session, only.team_id):
        if only.channel_id is not None and rnd.channel_id != only.channel_id:
            continue
        if only.since is not None and rnd.local_date < only.since:
            continue
        answers = round_store.counted_answers(session, rnd)
        voters = vote_store.voters_by_answer(session, answers)
        rounds.append(
            {
                **_round_fields(session, bank, rnd),
                "answers": [
                    {"user": a.user_id, "ts": a.ts, "text": a.text, "votes": voters.get(a.ts, [])}
                    for a in answers
                ],
            }
        )
    return {"rounds": rounds}


def rounds_csv(rounds: list[dict[str, Any]]) -> str:
    """One row per answer, its round's columns first; a round nobody answered gets one row with
    the answer columns empty, so it is not lost."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*ROUND_COLUMNS, *ANSWER_COLUMNS))
    for rnd in rounds:
        head = [_cell(rnd[name]) if name == "question" else rnd[name] for name in ROUND_COLUMNS]
        if not rnd["answers"]:
            writer.writerow((*head, *([""] * len(ANSWER_COLUMNS))))
        for answer in rnd["answers"]:
            voters = answer["votes"]
            writer.writerow(
                (
                    *head,
                    answer["user"],
                    answer["ts"],
                    _cell(answer["text"]),
                    len(voters),
                    " ".join(voters),
                )
            )
    return out.getvalue()


def _cell(text: str | None) -> str | None:
    return "'" + text if text and text.startswith(FORMULA_START) else text
