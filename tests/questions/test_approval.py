"""QuestionsUI in-process with the fake Slack: a team question waits for an admin before it is
used; admins approve or reject it from `/interview questions pending` (the rights checked again
on every press); its author or an admin edits or removes it; its links are never links.

The UIs are wired here as `bot.app.build_bot` wires them, with INTERVIEW_ADMINS=LEAD given to
QuestionsUI too (it decides who may review)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from bot.questions import render
from bot.questions.library import QuestionLibrary
from bot.questions.model import Question, TeamQuestion
from bot.questions.ui import ADMINS_ONLY, QuestionsUI
from bot.rounds.blind import BlindAnswers
from bot.rounds.service import RoundService
from bot.rounds.ui import RoundsUI
from bot.sandbox.fake_slack import FakeSlack
from bot.slack.people import People
from bot.slash import TABLE, SlashCommands, help_text
from storage.states import QuestionStatus
from tests.helpers import (
    ADMIN,
    ALICE,
    BANK,
    BOB,
    CHANNEL,
    LEAD,
    MANAGER,
    NOW,
    TEAM,
    Sessions,
    client_for,
    invocation,
    private_metadata,
)

PHISH: dict[str, str | None] = {
    "category": "Account Security",
    "question": "Your session expired. Reset your password at https://evil.example.com/reset",
    "rationale": "Checks that you read a link before you click it: see http://evil.example.com",
    "sample_answer": "I would not click it: www.evil.example.com is not our domain.",
}
PHISH_ID = "custom-your-session-expired-reset-your-password"
EDITED = {**PHISH, "question": "How do you spot a phishing message?"}
WAITS = (
    "An admin must approve it before it is used in the daily question or drawn by "
    "`/interview random`; I'll tell you when they have."
)
NO_CATEGORY = "There's no category `account-security`."


@dataclass(frozen=True)
class Team:
    fake: FakeSlack
    library: QuestionLibrary
    questions: QuestionsUI
    rounds: RoundsUI
    slash: SlashCommands

    def run(self, user: str, text: str, trigger_id: str | None = None) -> Any:
        """`/interview <text>`; the reply."""
        return self.slash.run(invocation(user, text, trigger_id=trigger_id), NOW)

    def add(self, user: str = ALICE, fields: dict[str, str | None] = PHISH) -> str:
        """`user` submits the add form; its id, from the private confirmation."""
        assert self.questions.submit_question(TEAM, user, fields, NOW) is None
        self.questions.after_question(TEAM, user, private_metadata(channel_id=CHANNEL))
        note = self.fake.ephemerals(CHANNEL, user)[-1]["text"]
        match = re.match(r"Added `([a-z0-9-]+)`", note)
        assert match, note
        return match.group(1)

    def pending_value(self, question_id: str = PHISH_ID) -> str:
        """The Approve button's value for that question on an admin's pending list."""
        reply = self.run(LEAD, "questions pending")
        return button_for(reply.blocks, render.APPROVE_BUTTON, question_id)

    def status(self, question_id: str = PHISH_ID) -> QuestionStatus | None:
        item = self.library.team_question(TEAM, question_id)
        return item.status if item else None


@pytest.fixture
def team(sessions: Sessions, fake: FakeSlack) -> Team:
    slack = client_for(fake)
    people = People(slack, frozenset({LEAD}), frozenset({MANAGER}))
    library = QuestionLibrary(sessions, BANK)
    questions = QuestionsUI(library, slack, people)
    rounds = RoundsUI(
        RoundService(sessions, library, slack),
        BlindAnswers(sessions, slack),
        library,
        slack,
        people,
    )
    handlers = {**questions.handlers(), **rounds.handlers()}
    slash = SlashCommands(handlers, people, [c for c in TABLE if c.name in handlers])
    return Team(fake, library, questions, rounds, slash)


def button_for(blocks: list[dict] | None, action_id: str, question_id: str) -> str:
    assert blocks
    values = [
        element["value"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id and element["value"].startswith(f"{question_id}:")
    ]
    assert len(values) == 1, values
    return str(values[0])


def dms(fake: FakeSlack, user: str) -> list[str]:
    """What the bot wrote to `user` in its direct messages."""
    return [m["text"] for m in fake.messages(user)]


def mrkdwn(blocks: list[dict] | None, text: str = "") -> str:
    return json.dumps(blocks, ensure_ascii=False) + text


def no_live_links(rendered: str) -> None:
    """Nothing Slack would make a link of, and the text still reads the same."""
    assert not re.search(r"(?i)https?://|www\.|evil\.example\.com", rendered), rendered
    plain = rendered.replace("\u2060", "")
    assert "https://evil.example.com/reset" in plain or "www.evil.example.com" in plain


# -- adding: it waits --------------------------------------------------------------------------


def test_a_member_is_told_privately_that_an_admin_approves_the_question_first(team: Team) -> None:
    question_id = team.add()

    assert question_id == PHISH_ID
    [note] = team.fake.ephemerals(CHANNEL)
    assert note["user"] == ALICE
    assert note["text"] == (
        f"Added `{PHISH_ID}` to this workspace's questions (account-security). {WAITS} "
        f"`/interview ask {PHISH_ID}` shows it."
    )
    assert team.fake.messages(CHANNEL) == []
    assert team.status() == QuestionStatus.PENDING


def test_a_pending_question_is_not_drawn_nor_started_nor_a_category(team: Team) -> None:
    team.add()

    assert team.run(BOB, "random account-security").text.startswith(NO_CATEGORY)
    assert team.run(ADMIN, "now account-security").text.startswith(NO_CATEGORY)
    assert "account-security" not in team.run(BOB, "categories").text
    assert team.fake.messages(CHANNEL) == []


def test_questions_mine_marks_a_pending_question(team: Team) -> None:
    team.add()

    reply = team.run(ALICE, "questions mine")

    assert reply.text == (
        f"• `{PHISH_ID}` (account-security) — Your session expired. Reset your password at "
        "https:\u2060//evil\u2060.example\u2060.com/reset · _waiting for an admin's approval_"
    )


def test_a_pending_question_is_shown_only_to_its_author_and_admins(team: Team) -> None:
    team.add()

    author = team.run(ALICE, f"ask {PHISH_ID}")
    admin = team.run(LEAD, f"ask {PHISH_ID}")
    other = team.run(BOB, f"ask {PHISH_ID}")

    assert "waiting for an admin's approval" in author.text
    assert "waiting for an admin's approval" in admin.text
    assert mrkdwn(author.blocks).count('"type": "button"') == 0  # no Post to channel either
    assert button_for(admin.blocks, render.APPROVE_BUTTON, PHISH_ID)
    assert other.text.startswith("There's no question `custom-your-session-expired-")
    assert "evil" not in mrkdwn(other.blocks, other.text)


def test_an_admin_adding_a_question_approves_it(team: Team) -> None:
    question_id = team.add(LEAD)

    note = team.fake.ephemerals(CHANNEL, LEAD)[-1]["text"]
    assert "You're an admin, so it is approved: it can be the daily question from now on." in note
    assert team.status(question_id) == QuestionStatus.APPROVED
    assert team.run(LEAD, "questions pending").text.startswith("No team questions are waiting")


# -- the review --------------------------------------------------------------------------------


def test_a_long_pending_list_fits_one_message_and_keeps_each_question_whole() -> None:
    waiting = [
        TeamQuestion(
            Question(f"custom-q{n}", "security", "q" * 1000, "r" * 3000, "s" * 3000),
            QuestionStatus.PENDING,
            ALICE,
            NOW,
        )
        for n in range(9)
    ]

    _, blocks = render.pending_list(waiting)

    assert len(blocks) <= 50
    listed = re.findall(r"`(custom-q\d)` · added by", mrkdwn(blocks))
    approvable = [
        element["value"].split(":")[0]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == render.APPROVE_BUTTON
    ]
    assert listed == approvable == [f"custom-q{n}" for n in range(len(listed))]
    assert blocks[-1]["elements"][0]["text"] == f"…and {9 - len(listed)} more after these."


def test_only_admins_list_the_pending_questions(team: Team) -> None:
    team.add()

    refused = team.run(ALICE, "questions pending")
    listed = team.run(LEAD, "questions pending")

    assert refused.text == (
        "Sorry, only the bot's admins can use `/interview questions pending`. "
        f"Ask <@{LEAD}> or a Slack workspace admin."
    )
    assert listed.text == "1 team question waiting"
    rendered = mrkdwn(listed.blocks)
    assert f"`{PHISH_ID}` · added by <@{ALICE}>" in rendered
    assert "Checks that you read a link" in rendered and "is not our domain" in rendered
    approve = button_for(listed.blocks, render.APPROVE_BUTTON, PHISH_ID)
    reject = button_for(listed.blocks, render.REJECT_BUTTON, PHISH_ID)
    item = team.library.team_question(TEAM, PHISH_ID)
    assert item is not None and approve == reject == f"{PHISH_ID}:{item.version}"
    no_live_links(rendered)


def test_an_admin_approves_and_the_author_is_told_in_a_direct_message(team: Team) -> None:
    team.add()
    value = team.pending_value()

    reply = team.questions.review(TEAM, LEAD, value, NOW, approve=True)

    assert reply.text.startswith(
        f"Approved `{PHISH_ID}`: it can be the daily question from now on. I told <@{ALICE}>."
    )
    assert "No team questions are waiting for approval." in reply.text
    assert team.status() == QuestionStatus.APPROVED
    [told] = dms(team.fake, ALICE)
    assert told.startswith(f"<@{LEAD}> approved your question `{PHISH_ID}`")
    [dm] = team.fake.calls("chat.postMessage")
    assert dm.args["channel"] == ALICE and dm.args["unfurl_links"] in (False, "false", "0")
    # now it is used
    assert team.run(BOB, "categories").text.count("`account-security` — 1 question") == 1
    started = team.run(ADMIN, "now account-security")
    assert started.text.startswith("Posted: _Your session expired.")
    no_live_links(started.text)


def test_a_rejected_question_stays_out_and_its_author_hears_how_to_change_it(team: Team) -> None:
    team.add()
    value = team.pending_value()

    reply = team.questions.review(TEAM, ADMIN, value, NOW, approve=False)

    assert reply.text.startswith(f"Rejected `{PHISH_ID}`; it won't be used. I told <@{ALICE}>.")
    assert team.status() == QuestionStatus.REJECTED
    [told] = dms(team.fake, ALICE)
    assert f"`/interview questions edit {PHISH_ID}`" in told
    assert "_not approved_" in team.run(ALICE, "questions mine").text
    assert team.run(BOB, "random account-security").text.startswith(NO_CATEGORY)


@pytest.mark.parametrize("user", [ALICE, BOB])
def test_a_replayed_button_from_someone_who_is_not_an_admin_changes_nothing(
    team: Team, user: str
) -> None:
    team.add()
    value = team.pending_value()

    for approve in (True, False):
        reply = team.questions.review(TEAM, user, value, NOW, approve=approve)
        assert reply.text.startswith(ADMINS_ONLY + " Ask ")  # whom to ask, named
        assert reply.blocks is None

    assert team.status() == QuestionStatus.PENDING
    assert dms(team.fake, ALICE) == []


def test_a_replayed_button_from_another_workspace_changes_nothing(team: Team) -> None:
    team.add()
    value = team.pending_value()

    reply = team.questions.review("T0OTHER", ADMIN, value, NOW, approve=True)

    assert reply.text.startswith(
        f"There's no team question `{PHISH_ID}` waiting for approval here; nothing changed."
    )
    assert team.status() == QuestionStatus.PENDING
    assert dms(team.fake, ALICE) == []


@pytest.mark.parametrize("value", ["", "nonsense", f"{PHISH_ID}:short", ":" * 20])
def test_a_forged_button_value_changes_nothing(team: Team, value: str) -> None:
    team.add()

    reply = team.questions.review(TEAM, LEAD, value, NOW, approve=True)

    assert reply.text.startswith("That button is out of date; here is the current list.")
    assert team.status() == QuestionStatus.PENDING


def test_a_second_press_after_another_admins_review_changes_nothing(team: Team) -> None:
    team.add()
    value = team.pending_value()
    team.questions.review(TEAM, LEAD, value, NOW, approve=True)

    reply = team.questions.review(TEAM, ADMIN, value, NOW, approve=False)

    assert reply.text.startswith(f"`{PHISH_ID}` is no longer waiting for approval")
    assert team.status() == QuestionStatus.APPROVED
    assert len(dms(team.fake, ALICE)) == 1


def test_approve_applies_to_the_version_the_admin_read(team: Team) -> None:
    team.add()
    value = team.pending_value()
    item = team.library.team_question(TEAM, PHISH_ID)
    assert item is not None
    assert (
        team.questions.submit_edit(
            TEAM, ALICE, private_metadata(channel_id=CHANNEL, question_id=PHISH_ID), EDITED, NOW
        )
        is None
    )

    reply = team.questions.review(TEAM, LEAD, value, NOW, approve=True)

    assert reply.text.startswith(f"`{PHISH_ID}` was edited after this list was shown")
    assert "How do you spot a phishing message?" in mrkdwn(reply.blocks)
    assert team.status() == QuestionStatus.PENDING


# -- editing -----------------------------------------------------------------------------------


def test_edit_opens_the_add_form_filled_in_for_its_author(team: Team) -> None:
    team.add()
    team.questions.review(TEAM, LEAD, team.pending_value(), NOW, approve=True)

    reply = team.run(ALICE, f"questions edit {PHISH_ID}", trigger_id=team.fake.new_trigger_id())

    assert reply.text == ""
    [call] = team.fake.calls("views.open")
    view = call.args["view"]
    assert view["callback_id"] == render.EDIT_QUESTION_VIEW
    assert json.loads(view["private_metadata"]) == {"channel_id": CHANNEL, "question_id": PHISH_ID}
    initial = {
        b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if "element" in b
    }
    assert initial == {**PHISH, "category": "account-security"}
    assert "Saving sends it back for an admin's approval" in mrkdwn(view["blocks"])


def test_someone_else_cannot_open_or_submit_the_edit_form(team: Team) -> None:
    team.add()

    reply = team.run(BOB, f"questions edit {PHISH_ID}", trigger_id=team.fake.new_trigger_id())
    errors = team.questions.submit_edit(
        TEAM, BOB, private_metadata(channel_id=CHANNEL, question_id=PHISH_ID), EDITED, NOW
    )

    assert reply.text == f"Only the person who added `{PHISH_ID}`, or an admin, can edit it."
    assert team.fake.calls("views.open") == []
    assert errors == {"question": "Only the person who added it, or an admin, can edit it."}
    item = team.library.team_question(TEAM, PHISH_ID)
    assert item is not None and item.question.question == PHISH["question"]


def test_an_authors_edit_sends_an_approved_question_back_for_approval(team: Team) -> None:
    team.add()
    team.questions.review(TEAM, LEAD, team.pending_value(), NOW, approve=True)
    meta = private_metadata(channel_id=CHANNEL, question_id=PHISH_ID)

    assert team.questions.submit_edit(TEAM, ALICE, meta, EDITED, NOW) is None
    team.questions.after_edit(TEAM, ALICE, meta)

    assert team.status() == QuestionStatus.PENDING
    assert team.fake.ephemerals(CHANNEL, ALICE)[-1]["text"] == f"Saved `{PHISH_ID}`. {WAITS}"
    assert team.run(BOB, "random account-security").text.startswith(NO_CATEGORY)


def test_an_admins_edit_keeps_a_question_approved(team: Team) -> None:
    team.add()
    team.questions.review(TEAM, LEAD, team.pending_value(), NOW, approve=True)
    meta = private_metadata(channel_id=CHANNEL, question_id=PHISH_ID)

    assert team.questions.submit_edit(TEAM, LEAD, meta, EDITED, NOW) is None
    team.questions.after_edit(TEAM, LEAD, meta)

    assert team.status() == QuestionStatus.APPROVED
    assert team.fake.ephemerals(CHANNEL, LEAD)[-1]["text"] == f"Saved `{PHISH_ID}`."
    drawn = team.run(BOB, "random account-security")
    assert drawn.text == "Practice: How do you spot a phishing message?"


def test_an_edit_with_a_bad_field_shows_it_and_saves_nothing(team: Team) -> None:
    team.add()
    meta = private_metadata(channel_id=CHANNEL, question_id=PHISH_ID)

    errors = team.questions.submit_edit(TEAM, ALICE, meta, {**EDITED, "question": " "}, NOW)

    assert errors == {"question": "This field is required."}
    item = team.library.team_question(TEAM, PHISH_ID)
    assert item is not None and item.question.question == PHISH["question"]


# -- removing ----------------------------------------------------------------------------------


def test_its_author_removes_a_question(team: Team) -> None:
    team.add()
    team.questions.review(TEAM, LEAD, team.pending_value(), NOW, approve=True)
    dms_before = len(dms(team.fake, ALICE))

    reply = team.run(ALICE, f"questions remove {PHISH_ID}")

    assert reply.text == (
        f"Removed `{PHISH_ID}`: it won't be the daily question or drawn for practice again. "
        "Rounds that already used it keep it."
    )
    assert team.library.team_question(TEAM, PHISH_ID) is None
    assert team.run(ALICE, "questions mine").text.startswith("You haven't added any questions")
    assert team.run(BOB, "random account-security").text.startswith(NO_CATEGORY)
    assert len(dms(team.fake, ALICE)) == dms_before  # nobody to tell


def test_an_admin_removes_someones_question_and_the_author_is_told(team: Team) -> None:
    team.add()

    reply = team.run(ADMIN, f"questions remove {PHISH_ID}")

    assert reply.text.startswith(f"Removed `{PHISH_ID}`")
    assert dms(team.fake, ALICE) == [
        f"<@{ADMIN}> removed your question `{PHISH_ID}`: it won't be asked again."
    ]


def test_someone_else_cannot_remove_a_question(team: Team) -> None:
    team.add()

    reply = team.run(BOB, f"questions remove {PHISH_ID}")

    assert reply.text == f"Only the person who added `{PHISH_ID}`, or an admin, can remove it."
    assert team.status() == QuestionStatus.PENDING


def test_bank_and_unknown_questions_cannot_be_removed(team: Team) -> None:
    bank = team.run(ADMIN, "questions remove sql-vs-nosql")
    unknown = team.run(ADMIN, "questions remove <!channel>")

    assert bank.text.startswith("`sql-vs-nosql` is in the question bank file")
    assert unknown.text == (
        "There's no team question `&lt;!channel&gt;`. `/interview questions mine` lists yours."
    )
    assert BANK.get("sql-vs-nosql") is not None


# -- links are plain text ----------------------------------------------------------------------


def test_an_approved_questions_links_are_plain_text_on_its_practice_card(team: Team) -> None:
    team.add()
    team.questions.review(TEAM, LEAD, team.pending_value(), NOW, approve=True)

    card = team.run(BOB, "random account-security")
    sample = team.questions.show(TEAM, PHISH_ID, sample=True)

    no_live_links(mrkdwn(card.blocks, card.text))
    no_live_links(mrkdwn(sample.blocks, sample.text))
    assert "Reset your password at https://evil.example.com/reset" in card.text.replace(
        "\u2060", ""
    )


# -- the command table -------------------------------------------------------------------------


def test_help_lists_the_new_question_commands_with_who_may_use_them() -> None:
    text = help_text()

    assert "`/interview questions pending` — team questions waiting for approval" in text
    assert "with Approve and Reject _(bot admins)_" in text
    assert "`/interview questions edit <question-id>` — change a team question you added" in text
    assert "`/interview questions remove <question-id>` — stop using a team question" in text


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("questions pending now", "Usage: `/interview questions pending`"),
        ("questions edit", "Usage: `/interview questions edit <question-id>`"),
        ("questions remove a b", "Usage: `/interview questions remove <question-id>`"),
        ("questions theirs", "Usage: `/interview questions mine`"),
    ],
)
def test_the_question_commands_say_how_to_write_them(team: Team, text: str, usage: str) -> None:
    assert team.run(ADMIN, text).text == usage
