"""Team questions and their review, in the library and the database (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set): a new question waits for an admin, only approved ones are used,
an author's edit asks again, a removed one is never used again but old rounds still show it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.questions.bank import QuestionBank
from bot.questions.library import NewQuestion, QuestionLibrary, Refusal, Reviewed
from bot.questions.model import TeamQuestion
from bot.rounds.reveal import Revealed
from bot.rounds.service import RoundService, Started
from bot.sandbox.fake_slack import FakeSlack
from storage.questions import CustomQuestion
from storage.states import QuestionStatus
from tests.helpers import ADMIN, ALICE, BANK, BOB, CHANNEL, LEAD, NOW, TEAM, Sessions, client_for

OTHER_TEAM = "T0OTHER"
LATER = NOW + timedelta(hours=1)
PHISH = NewQuestion(
    category="Account Security",
    question="Your session expired. Reset your password at https://evil.example.com/reset",
    rationale="Checks that you read links before you click them.",
    sample_answer="I would not click it: www.evil.example.com is not our domain.",
)
EDITED = NewQuestion(
    category="account-security",
    question="How do you spot a phishing message?",
    rationale="Checks attention to senders, links and urgency.",
    sample_answer="Look at the sender, hover links, distrust urgency, report it.",
)


@pytest.fixture
def library(sessions: Sessions) -> QuestionLibrary:
    return QuestionLibrary(sessions, BANK)


def added(library: QuestionLibrary, user: str = ALICE, new: NewQuestion = PHISH) -> TeamQuestion:
    return library.add(TEAM, user, new, NOW)


def approve(library: QuestionLibrary, item: TeamQuestion, admin: str = LEAD) -> Reviewed:
    outcome = library.review(TEAM, item.id, item.version, admin, LATER, approve=True)
    assert isinstance(outcome, Reviewed)
    return outcome


def in_use(library: QuestionLibrary, question_id: str, team: str = TEAM) -> bool:
    return library.for_team(team).get(question_id) is not None


def row(sessions: Sessions, question_id: str) -> CustomQuestion:
    with sessions.begin() as session:
        return session.scalars(
            select(CustomQuestion).where(CustomQuestion.question_id == question_id)
        ).one()


# -- a new question waits ----------------------------------------------------------------------


def test_a_new_question_is_pending_and_not_used(
    library: QuestionLibrary, sessions: Sessions
) -> None:
    item = added(library)

    assert item.status == QuestionStatus.PENDING
    assert item.id == "custom-your-session-expired-reset-your-password"
    assert not in_use(library, item.id)
    assert "account-security" not in library.for_team(TEAM).categories()
    assert [q.id for q in library.pending(TEAM)] == [item.id]
    assert [(q.id, q.status) for q in library.mine(TEAM, ALICE)] == [(item.id, "pending")]
    stored = row(sessions, item.id)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at) == ("pending", None, None)


def test_the_daily_pick_never_chooses_a_pending_question(library: QuestionLibrary) -> None:
    item = added(library)
    bank = library.for_team(TEAM)
    rng = random.Random(6)

    history: list[str] = []
    for _ in range(len(BANK) * 2):  # two full cycles of the bank
        history.append(bank.pick_next(history, rng=rng).id)

    assert item.id not in history


def test_a_question_an_admin_adds_is_approved_at_once(library: QuestionLibrary) -> None:
    item = library.add(TEAM, LEAD, PHISH, NOW, approved=True)

    assert item.status == QuestionStatus.APPROVED
    assert item.reviewed_by == LEAD
    assert in_use(library, item.id)
    assert library.pending(TEAM) == []


# -- the review --------------------------------------------------------------------------------


def test_an_approved_question_joins_the_rotation_with_who_approved_it(
    library: QuestionLibrary, sessions: Sessions
) -> None:
    item = added(library)

    reviewed = approve(library, item)

    assert reviewed.question.status == QuestionStatus.APPROVED
    assert reviewed.reviewer == LEAD
    assert in_use(library, item.id)
    assert library.for_team(TEAM).categories()["account-security"] == 1
    assert library.pending(TEAM) == []
    stored = row(sessions, item.id)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at) == ("approved", LEAD, LATER)


def test_a_rejected_question_stays_out_and_its_author_sees_it_rejected(
    library: QuestionLibrary,
) -> None:
    item = added(library)

    outcome = library.review(TEAM, item.id, item.version, LEAD, LATER, approve=False)

    assert isinstance(outcome, Reviewed) and outcome.question.status == QuestionStatus.REJECTED
    assert not in_use(library, item.id)
    assert library.pending(TEAM) == []
    assert [q.status for q in library.mine(TEAM, ALICE)] == [QuestionStatus.REJECTED]


def test_a_second_review_changes_nothing(library: QuestionLibrary) -> None:
    item = added(library)
    approve(library, item)

    again = library.review(TEAM, item.id, item.version, ADMIN, LATER, approve=False)

    assert again == Refusal.NOT_PENDING
    assert in_use(library, item.id)


def test_a_review_of_an_older_version_changes_nothing(library: QuestionLibrary) -> None:
    item = added(library)
    library.edit(TEAM, item.id, ALICE, EDITED, is_admin=False)

    outcome = library.review(TEAM, item.id, item.version, LEAD, LATER, approve=True)

    assert outcome == Refusal.CHANGED
    assert not in_use(library, item.id)
    [waiting] = library.pending(TEAM)
    assert waiting.question.question == EDITED.question


def test_a_review_in_another_workspace_changes_nothing(library: QuestionLibrary) -> None:
    item = added(library)

    outcome = library.review(OTHER_TEAM, item.id, item.version, LEAD, LATER, approve=True)

    assert outcome == Refusal.NOT_FOUND
    assert not in_use(library, item.id)
    assert not in_use(library, item.id, OTHER_TEAM)


def test_questions_of_one_workspace_are_not_in_another(library: QuestionLibrary) -> None:
    item = added(library)
    approve(library, item)

    assert library.pending(OTHER_TEAM) == []
    assert library.mine(OTHER_TEAM, ALICE) == []
    assert library.team_question(OTHER_TEAM, item.id) is None
    assert library.for_team(OTHER_TEAM) is BANK


# -- editing -----------------------------------------------------------------------------------


def test_an_authors_edit_sends_an_approved_question_back_for_approval(
    library: QuestionLibrary,
) -> None:
    item = added(library)
    approve(library, item)

    edited = library.edit(TEAM, item.id, ALICE, EDITED, is_admin=False)

    assert isinstance(edited, TeamQuestion)
    assert edited.id == item.id  # rounds refer to it by id
    assert edited.status == QuestionStatus.PENDING
    assert edited.question.question == EDITED.question
    assert not in_use(library, item.id)
    assert [q.id for q in library.pending(TEAM)] == [item.id]


def test_an_admins_edit_keeps_the_question_approved(library: QuestionLibrary) -> None:
    item = added(library)
    approve(library, item)

    edited = library.edit(TEAM, item.id, LEAD, EDITED, is_admin=True)

    assert isinstance(edited, TeamQuestion) and edited.status == QuestionStatus.APPROVED
    question = library.for_team(TEAM).get(item.id)
    assert question is not None and question.question == EDITED.question


def test_an_authors_edit_of_a_rejected_question_asks_again(library: QuestionLibrary) -> None:
    item = added(library)
    library.review(TEAM, item.id, item.version, LEAD, LATER, approve=False)

    edited = library.edit(TEAM, item.id, ALICE, EDITED, is_admin=False)

    assert isinstance(edited, TeamQuestion) and edited.status == QuestionStatus.PENDING


def test_someone_else_cannot_edit_a_question(library: QuestionLibrary) -> None:
    item = added(library)

    assert library.edit(TEAM, item.id, BOB, EDITED, is_admin=False) == Refusal.NOT_ALLOWED
    assert library.edit(OTHER_TEAM, item.id, ALICE, EDITED, is_admin=True) == Refusal.NOT_FOUND
    [waiting] = library.pending(TEAM)
    assert waiting.question.question == PHISH.question


# -- removing ----------------------------------------------------------------------------------


def test_a_removed_question_is_out_of_every_list_but_still_found_for_old_rounds(
    library: QuestionLibrary, sessions: Sessions
) -> None:
    item = added(library)
    approve(library, item)

    removed = library.remove(TEAM, item.id, ALICE, LATER, is_admin=False)

    assert isinstance(removed, TeamQuestion) and removed.status == QuestionStatus.REMOVED
    assert not in_use(library, item.id)
    assert library.mine(TEAM, ALICE) == []
    assert library.pending(TEAM) == []
    assert library.team_question(TEAM, item.id) is None
    found = library.find(TEAM, item.id)
    assert found is not None and found.question == PHISH.question
    assert library.archive(TEAM).get(item.id) is not None
    assert row(sessions, item.id).status == "removed"
    # removed for good: it can't be reviewed, edited or removed again
    assert library.review(TEAM, item.id, item.version, LEAD, LATER, approve=True) == (
        Refusal.NOT_FOUND
    )
    assert library.edit(TEAM, item.id, LEAD, EDITED, is_admin=True) == Refusal.NOT_FOUND
    assert library.remove(TEAM, item.id, LEAD, LATER, is_admin=True) == Refusal.NOT_FOUND


def test_a_removed_questions_id_is_not_given_out_again(library: QuestionLibrary) -> None:
    item = added(library)
    library.remove(TEAM, item.id, ALICE, LATER, is_admin=False)

    again = added(library, BOB)

    assert again.id == f"{item.id}-2"


def test_only_its_author_or_an_admin_removes_a_question(library: QuestionLibrary) -> None:
    item = added(library)

    assert library.remove(TEAM, item.id, BOB, LATER, is_admin=False) == Refusal.NOT_ALLOWED
    assert library.team_question(TEAM, item.id) is not None
    removed = library.remove(TEAM, item.id, LEAD, LATER, is_admin=True)
    assert isinstance(removed, TeamQuestion) and removed.status == QuestionStatus.REMOVED


# -- rounds ------------------------------------------------------------------------------------


def test_a_round_on_an_approved_question_still_reveals_it_after_its_removal(
    library: QuestionLibrary, sessions: Sessions, fake: FakeSlack
) -> None:
    rounds = RoundService(sessions, library, client_for(fake))
    item = added(library)
    approve(library, item)
    ours = [q for q in library.for_team(TEAM).questions if q.category == "account-security"]

    started = rounds.start_now(TEAM, CHANNEL, LATER, bank=QuestionBank(ours))
    assert isinstance(started, Started) and started.question.id == item.id
    library.remove(TEAM, item.id, LEAD, LATER, is_admin=True)
    revealed = rounds.reveal_open(TEAM, CHANNEL, LATER + timedelta(minutes=5))

    assert isinstance(revealed, Revealed)
    reveal = fake.messages(CHANNEL)[-1]
    assert reveal["thread_ts"] == started.message_ts
    shown = str(reveal["blocks"]).replace("\u2060", "")
    assert PHISH.rationale in shown and "no longer in the bank" not in shown
