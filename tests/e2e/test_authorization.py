"""Who may run a channel and a calibration, through the real process: every admin and manager
action is refused to members (and to someone Slack doesn't know), privately, also when a button
or a form is replayed with altered `private_metadata` or another workspace's team id. Nothing
changes: every product table of the bot's database is the same row for row, and nothing new
appears in any channel.

The cast (bot/sandbox/process.py): ADMIN is a workspace admin, LEAD is in INTERVIEW_ADMINS,
ALICE, BOB, CAROL and DAVE are members; the bot process lists no INTERVIEW_MANAGERS, so the
managers are ADMIN and LEAD.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bot.calibration import render as calibration_render
from bot.channels import render as channels_render
from bot.channels.ui import NOT_A_MEMBER
from bot.questions import render as questions_render
from bot.questions import ui as questions_ui
from bot.rounds import render as rounds_render
from bot.rounds import ui as rounds_ui
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import SIGNING_SECRET, BotProcess
from tests.helpers import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    LEAD,
    OUTSIDE,
    act_on_view,
    as_json,
    button_value,
    click,
    click_and_wait,
    eventually,
    modal_opened_since,
    run,
    submitted,
    text_inputs,
    top_level,
)
from tests.hostile import database_rows, live_pings, log_problems, quiet

OTHER_TEAM = "T0OTHER"  # a workspace the bot was never installed in
SECOND = "CSECOND"  # another channel the bot is in
NOBODY = "UNOBODY"  # unknown to Slack: users.info fails, which must grant nothing
MEMBERS = (ALICE, BOB, CAROL, DAVE, NOBODY)

ADMIN_COMMANDS = (
    "now",
    "now system-design senior",
    "reveal",
    "pause",
    "resume",
    "mode blind",
    "mode open",
    "remind 1h",
    "remind off",
    "emoji :star:",
    "schedule 10:00",
    "schedule 10:00 Europe/Berlin daily reveal-after 2h holidays DE categories databases",
)
MANAGER_COMMANDS = (
    "calibrate",
    "calibrate sql-vs-nosql",
    "calibrate sql-vs-nosql specimen 2 for 2h",
    "calibration report",
    f"calibration report <@{ALICE}> since 2025-01-01",
)
# Other spellings of the same commands: any case, a no-break space, extra spaces.
SPELLINGS = (
    "NOW",
    "Reveal",
    "\u00a0pause",
    "  resume  ",
    "MODE Blind",
    "Calibrate",
    "CALIBRATION REPORT",
)
# A form's error is plain text: the admins are named by their Slack names (bot/sandbox/process.py)
SCHEDULE_REFUSAL = "Only this channel's admins can change its daily question. Ask ada."
NO_ADMINS_REFUSAL = (
    "This channel has no admins of its own: only the bot's admins can change its daily "
    "question. Ask lea or a Slack workspace admin."
)


def refusal_for(command: str) -> str:
    name = command.replace("\u00a0", " ").split()[0].lower()
    if name.startswith("calibrat"):
        return f"Sorry, only hiring managers can use `/interview {name}`"
    return f"Sorry, only this channel's admins can use `/interview {name}`"


@dataclass(frozen=True)
class Scene:
    """What the admins set up before anyone tries anything."""

    daily_round: int  # an open daily round in CHANNEL, started with /interview now
    practice_round: int  # BOB's practice question in CHANNEL, open
    practice_ts: str
    session: int  # ADMIN's open calibration session in CHANNEL
    schedule_form: dict[str, Any]  # the Home tab's schedule form, as opened for ADMIN
    calibrate_form: dict[str, Any]  # /interview calibrate's form, as opened for ADMIN
    score_form: dict[str, Any]  # the session's Score form, as opened for ALICE


def rounds_table(bot: BotProcess) -> list[tuple[int, str, str | None]]:
    """(id, kind, started_by) of every round, from the bot's database."""
    with sqlite3.connect(bot.db_url.removeprefix("sqlite:///")) as db:
        return [
            (int(r[0]), str(r[1]), r[2])
            for r in db.execute("SELECT id, kind, started_by FROM rounds")
        ]


def set_the_scene(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> Scene:
    fake.add_channel(SECOND, "second-team")
    # SECOND has settings but no admins of its own: the bot's admins run it. (A channel with
    # no settings at all is anyone's to set up: tests/e2e/test_channel_admins.py.)
    assert "open answers" in run(slack, fake, "mode open", user=ADMIN, channel=SECOND)["text"]
    reply = run(slack, fake, "schedule 09:30 Europe/Berlin weekdays reveal 16:00", user=ADMIN)
    assert "scheduled the daily interview question" in reply["text"]
    assert "Posted:" in run(slack, fake, "now", user=ADMIN)["text"]
    [(daily_round, _, _)] = rounds_table(bot)

    card = run(slack, fake, "ask cache-invalidation", user=BOB)
    posted = click_and_wait(
        slack, fake, questions_render.POST_PRACTICE_BUTTON, "cache-invalidation", user=BOB
    )
    assert posted["text"].startswith("Posted:"), (card, posted)
    practice = eventually(
        lambda: [m for m in top_level(fake) if m["text"].startswith("Practice question")]
    )[0]
    practice_round = int(button_value(practice, rounds_render.REVEAL_BUTTON))

    reply = run(slack, fake, "calibrate sql-vs-nosql specimen 2 for 2h", user=ADMIN)
    assert "Calibration session posted" in reply["text"]
    card = eventually(
        lambda: [m for m in top_level(fake) if m["text"].startswith("Calibration session")]
    )[0]
    session = int(button_value(card, calibration_render.SCORE_BUTTON))
    # The card is in the channel a moment before the session is marked open.
    eventually(lambda: bot.export()["calibration"][0]["status"] == "open")

    before = len(fake.calls("views.open"))
    home = open_home_view(slack, fake, ADMIN)
    press(slack, fake, channels_render.EDIT_SCHEDULE_BUTTON, CHANNEL, user=ADMIN, view=home)
    schedule_form = opened_view(fake, before)
    before = len(fake.calls("views.open"))
    slack.command("calibrate", user=ADMIN, channel=CHANNEL)
    calibrate_form = opened_view(fake, before)
    before = len(fake.calls("views.open"))
    click(slack, fake, calibration_render.SCORE_BUTTON, str(session), user=ALICE)
    score_form = opened_view(fake, before)
    quiet(fake)
    return Scene(
        daily_round,
        practice_round,
        practice["ts"],
        session,
        schedule_form,
        calibrate_form,
        score_form,
    )


def open_home_view(slack: SlackDriver, fake: FakeSlack, user: str) -> dict[str, Any]:
    before = len([c for c in fake.calls("views.publish") if c.args["user_id"] == user])
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    assert slack.event(event).status == 200
    eventually(
        lambda: len([c for c in fake.calls("views.publish") if c.args["user_id"] == user]) > before
    )
    view = fake.home_view(user)
    assert view is not None
    return view


def opened_view(fake: FakeSlack, before: int) -> dict[str, Any]:
    """The view of the first modal opened after `before` views.open calls, as Slack keeps it
    (with its id), which is what Slack sends back on submission."""
    modal_opened_since(fake, before)
    call = fake.calls("views.open")[before]
    assert call.response is not None and call.response["ok"] is True, call.response
    view: dict[str, Any] = call.response["view"]
    return view


def press(
    slack: SlackDriver,
    fake: FakeSlack,
    action_id: str,
    value: str,
    *,
    user: str,
    view: dict[str, Any],
) -> None:
    """A button on a view (the Home tab)."""
    button = {"action_id": action_id, "value": value, "type": "button"}
    act_on_view(slack, fake, view, button, user=user)


def with_metadata(view: dict[str, Any], **metadata: object) -> dict[str, Any]:
    return {**view, "private_metadata": json.dumps(metadata)}


def from_other_team(view: dict[str, Any]) -> dict[str, Any]:
    """The view as another workspace's request would carry it (Bolt takes the workspace from
    `view.app_installed_team_id` first, then from `team`)."""
    return {**view, "team_id": OTHER_TEAM, "app_installed_team_id": OTHER_TEAM}


def schedule_values(time: str = "11:00") -> dict[str, Any]:
    values = text_inputs(
        {"time": time, "timezone": "Europe/Berlin", "reveal": "16:00", "holidays": None}
    )
    values["days"] = {"days": {"type": "static_select", "selected_option": {"value": "daily"}}}
    return values


def calibrate_values(channel: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "question": {
            "question": {"type": "static_select", "selected_option": {"value": "sql-vs-nosql"}}
        },
        "evidence": {
            "evidence": {"type": "static_select", "selected_option": {"value": "specimen-1"}}
        },
        **text_inputs({"duration": "2h"}),
    }
    if channel:
        values["channel"] = {
            "channel": {"type": "conversations_select", "selected_conversation": channel}
        }
    return values


def score_values(score: int = 1) -> dict[str, Any]:
    return {
        calibration_render.SCORE_INPUT: {
            calibration_render.SCORE_INPUT: {
                "type": "radio_buttons",
                "selected_option": {"value": str(score)},
            }
        },
        **text_inputs({calibration_render.NOTE_INPUT: "forged"}),
    }


class Unchanged:
    """Everything a refused action must leave alone, captured once and compared at the end."""

    def __init__(self, bot: BotProcess, fake: FakeSlack) -> None:
        self.bot, self.fake = bot, fake
        quiet(fake)
        self.rows = database_rows(bot.db_url)
        self.messages = {c: fake.messages(c) for c in (CHANNEL, SECOND, OUTSIDE)}
        self.calls = len(fake.calls())
        self.export = bot.export()

    def new_calls(self) -> list[Any]:
        return self.fake.calls()[self.calls :]

    def check(self, may_replace: tuple[str, ...] = ()) -> None:
        """`may_replace`: how the answers begin that may replace the presser's own copy of the
        card they pressed (a card only admins are ever shown, privately)."""
        quiet(self.fake)
        changed = [
            name
            for name, rows in database_rows(self.bot.db_url).items()
            if rows != self.rows.get(name)
        ]
        assert changed == [], f"refused actions changed {changed}"
        for channel, messages in self.messages.items():
            assert self.fake.messages(channel) == messages, f"something was posted in {channel}"
        made = {c.method for c in self.new_calls()}
        assert not made & {
            "chat.postMessage",
            "chat.update",
            "chat.delete",
            "views.update",
            "files.completeUploadExternal",
        }, made
        for call in self.new_calls():
            if call.method == "views.open":  # a Home tab button's refusal: a notice, no form
                view = as_json(call.args["view"])
                assert "submit" not in view and not view.get("callback_id"), view
        for call in self.new_calls():
            if call.method == "response_url":  # every refusal is private, none replaces a card
                assert call.args.get("response_type") == "ephemeral", call.args
                if not str(call.args.get("text")).startswith(may_replace or ("\0",)):
                    assert not call.args.get("replace_original"), call.args
        assert self.bot.export() == self.export
        assert live_pings(self.new_calls()) == []
        assert log_problems(self.bot.logs()) == []


# -- slash commands ----------------------------------------------------------------------------


def test_admin_and_manager_commands_are_refused_privately_to_members_and_change_nothing(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    set_the_scene(bot, slack, fake)
    before = Unchanged(bot, fake)
    other_team = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)
    for command in ADMIN_COMMANDS + MANAGER_COMMANDS + SPELLINGS:
        for user in MEMBERS:
            reply = run(slack, fake, command, user=user)
            assert reply["response_type"] == "ephemeral", (command, user, reply)
            assert reply["text"].startswith(refusal_for(command)), (command, user, reply)
        # In another channel, and from another workspace: the same refusal.
        reply = run(slack, fake, command, user=ALICE, channel=SECOND)
        assert reply["text"].startswith(refusal_for(command)), (command, reply)
        if not command.startswith("schedule"):  # nobody set that workspace's channel up yet
            reply = run(other_team, fake, command, user=CAROL)
            assert reply["text"].startswith(refusal_for(command)), (command, reply)
    before.check()

    # Not vacuous: the same words from an admin do what they say.
    assert "paused the daily question" in run(slack, fake, "pause", user=LEAD)["text"]
    assert run(slack, fake, "pause", user=LEAD)["response_type"] == "in_channel"


# -- buttons and forms, replayed and altered ---------------------------------------------------


def test_replayed_admin_buttons_and_forms_are_refused_privately_and_change_nothing(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    scene = set_the_scene(bot, slack, fake)
    before = Unchanged(bot, fake)
    other_team = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)
    only_poster = rounds_ui.ONLY_POSTER

    # "Reveal now" on BOB's practice question, and forged onto the daily round.
    for user in (ALICE, CAROL, NOBODY):
        for round_id in (scene.practice_round, scene.daily_round):
            reply = click_and_wait(
                slack,
                fake,
                rounds_render.REVEAL_BUTTON,
                str(round_id),
                user=user,
                message_ts=scene.practice_ts,
            )
            assert reply["text"].startswith(only_poster + " Ask "), (user, round_id, reply)
            if round_id == scene.practice_round:  # its poster is named first
                assert f"{only_poster} Ask one of them: <@{BOB}>" in reply["text"]
    # Its poster, from another workspace: his round is not there.
    reply = click_and_wait(
        other_team, fake, rounds_render.REVEAL_BUTTON, str(scene.practice_round), user=BOB
    )
    assert reply["text"] == only_poster

    # The App Home's "Edit schedule": members don't see it; pressed on an admin's Home tab
    # replayed, for this channel and others, it opens no form.
    admin_home = open_home_view(slack, fake, ADMIN)
    for user in (ALICE, DAVE):
        assert channels_render.EDIT_SCHEDULE_BUTTON not in json.dumps(
            open_home_view(slack, fake, user)
        )
    for user in (ALICE, DAVE, NOBODY):
        for channel in (CHANNEL, SECOND, OUTSIDE):
            press(
                slack,
                fake,
                channels_render.EDIT_SCHEDULE_BUTTON,
                channel,
                user=user,
                view=admin_home,
            )

    # The schedule form an admin opened, submitted by members, its channel altered.
    for user in (ALICE, BOB, NOBODY):
        for channel in (CHANNEL, SECOND):
            form = with_metadata(scene.schedule_form, channel_id=channel)
            answer = submitted(slack, form, schedule_values(), user=user)
            expected = SCHEDULE_REFUSAL if channel == CHANNEL else NO_ADMINS_REFUSAL
            assert answer["errors"]["time"] == expected, (user, channel, answer)
        # A channel nobody set up, which the bot is not in: nothing to set up there yet.
        form = with_metadata(scene.schedule_form, channel_id=OUTSIDE)
        answer = submitted(slack, form, schedule_values(), user=user)
        assert answer == {"response_action": "errors", "errors": {"time": NOT_A_MEMBER}}

    # "Close and reveal" on the calibration card, and its forged ids.
    for user in (ALICE, BOB, NOBODY):
        for session in (scene.session, scene.session + 1):
            reply = click_and_wait(
                slack, fake, calibration_render.CLOSE_BUTTON, str(session), user=user
            )
            assert reply["text"] == (
                f"Only hiring managers can close a session. Ask <@{LEAD}> or a Slack "
                "workspace admin."
            ), (user, session, reply)
    reply = click_and_wait(
        other_team, fake, calibration_render.CLOSE_BUTTON, str(scene.session), user=CAROL
    )
    assert reply["text"].startswith("Only hiring managers can close a session.")

    # The Home tab's "Start a calibration session": not on a member's; replayed, no form.
    assert calibration_render.START_BUTTON not in json.dumps(open_home_view(slack, fake, ALICE))
    for user in (ALICE, NOBODY):
        press(slack, fake, calibration_render.START_BUTTON, "", user=user, view=admin_home)

    # The calibration form a manager opened, submitted by members, its channel altered: the
    # error names whom to ask in plain words (Slack shows it as plain text).
    managers_only = (
        "Only hiring managers can start a calibration session. Ask lea or a Slack workspace "
        "admin."  # lea: LEAD's display name (bot/sandbox/process.py)
    )
    for user in (ALICE, DAVE, NOBODY):
        for channel in (CHANNEL, SECOND, OUTSIDE):
            form = with_metadata(scene.calibrate_form, channel_id=channel)
            answer = submitted(slack, form, calibrate_values(), user=user)
            assert answer == {"response_action": "errors", "errors": {"question": managers_only}}
        form = with_metadata(scene.calibrate_form)  # the Home tab's form: a channel select
        answer = submitted(slack, form, calibrate_values(SECOND), user=user)
        assert answer["errors"] == {"question": managers_only}
    answer = submitted(
        other_team, from_other_team(scene.calibrate_form), calibrate_values(), user=ALICE
    )
    assert answer["errors"]["question"].startswith("Only hiring managers can start")

    before.check()


def test_another_workspaces_team_id_reaches_nothing_even_for_an_admin(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    """Ids in buttons and forms are scoped to the workspace Slack names in the request: an
    admin's request that names another workspace finds nothing of this one to change."""
    scene = set_the_scene(bot, slack, fake)
    before = Unchanged(bot, fake)
    other_team = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)

    for user in (ADMIN, LEAD):
        reply = click_and_wait(
            other_team, fake, rounds_render.REVEAL_BUTTON, str(scene.practice_round), user=user
        )
        assert reply["response_type"] == "ephemeral", reply
        reply = click_and_wait(
            other_team, fake, rounds_render.REVEAL_BUTTON, str(scene.daily_round), user=user
        )
        assert reply["response_type"] == "ephemeral"
        reply = click_and_wait(
            other_team, fake, calibration_render.CLOSE_BUTTON, str(scene.session), user=user
        )
        assert reply["response_type"] == "ephemeral"

    # A score for this workspace's session, sent as from another workspace: not saved.
    answer = submitted(other_team, from_other_team(scene.score_form), score_values(), user=ALICE)
    assert list(answer.get("errors", {})) == [calibration_render.SCORE_INPUT], answer
    # The Score button itself, from there: no form.
    click(other_team, fake, calibration_render.SCORE_BUTTON, str(scene.session), user=ALICE)
    before.check()

    # Not vacuous: from this workspace the same admin press reveals BOB's practice question.
    click(
        slack,
        fake,
        rounds_render.REVEAL_BUTTON,
        str(scene.practice_round),
        user=ADMIN,
        message_ts=scene.practice_ts,
    )
    eventually(lambda: [m for m in fake.messages(CHANNEL) if m["thread_ts"] == scene.practice_ts])


# -- team questions: approval and edits ----------------------------------------------------------


def add_question(slack: SlackDriver, fake: FakeSlack, user: str, question: str) -> str:
    """`user` adds a team question through `/interview add`'s form; its id."""
    before = len(fake.calls("views.open"))
    slack.command("add", user=user, channel=CHANNEL)
    form = opened_view(fake, before)
    fields = {
        "category": "databases",
        "question": question,
        "rationale": "Trade-offs, named.",
        "sample_answer": "It depends, and here is on what.",
    }
    assert submitted(slack, form, text_inputs(fields), user=user) == {}
    confirmation = eventually(
        lambda: [e["text"] for e in fake.ephemerals(CHANNEL, user) if "custom-" in e["text"]]
    )[0]
    return confirmation.split("`")[1]


def test_question_approval_and_edits_are_refused_privately_to_members_and_change_nothing(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    pending = add_question(slack, fake, ALICE, "How would you shard a chat service?")
    approved = add_question(slack, fake, ADMIN, "When is a queue the wrong tool?")
    card = run(slack, fake, f"ask {pending}", user=ADMIN)
    [review] = {
        e["value"]
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == questions_render.APPROVE_BUTTON
    }
    before = len(fake.calls("views.open"))
    slack.command(f"questions edit {pending}", user=ALICE, channel=CHANNEL)
    edit_form = opened_view(fake, before)
    fake.add_channel(SECOND, "second-team")
    unchanged = Unchanged(bot, fake)
    other_team = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)

    # Approve and Reject: for admins only, whoever replays them, whatever they carry.
    for user in (ALICE, BOB, NOBODY):  # the author too
        for action_id in (questions_render.APPROVE_BUTTON, questions_render.REJECT_BUTTON):
            for value in (review, f"{approved}:1", f"{pending}:999", "garbage"):
                reply = click_and_wait(slack, fake, action_id, value, user=user)
                assert reply["text"] == (
                    f"{questions_ui.ADMINS_ONLY} Ask <@{LEAD}> or a Slack workspace admin."
                ), (user, value, reply)
    reply = click_and_wait(other_team, fake, questions_render.APPROVE_BUTTON, review, user=CAROL)
    assert reply["text"].startswith(questions_ui.ADMINS_ONLY)
    # An admin from another workspace finds no such question there.
    reply = click_and_wait(other_team, fake, questions_render.APPROVE_BUTTON, review, user=ADMIN)
    assert reply["response_type"] == "ephemeral"

    # The edit form: not for someone else's question, nor retargeted at another one.
    refusal = run(slack, fake, f"questions edit {pending}", user=BOB)
    assert refusal["response_type"] == "ephemeral" and "can edit it" in refusal["text"]
    values = text_inputs(
        {
            "category": "databases",
            "question": "<!channel> rewritten",
            "rationale": "x",
            "sample_answer": "y",
        }
    )
    for user, question_id in (
        (BOB, pending),
        (BOB, approved),
        (ALICE, approved),
        (NOBODY, pending),
    ):
        form = with_metadata(edit_form, channel_id=CHANNEL, question_id=question_id)
        answer = submitted(slack, form, values, user=user)
        assert answer.get("response_action") == "errors", (user, question_id, answer)
    answer = submitted(other_team, from_other_team(edit_form), values, user=ALICE)
    assert answer.get("response_action") == "errors", answer
    # The review cards are only ever shown to admins, privately (`ask`, `questions pending`),
    # so a refusal that replaces the card replaces the replayer's own copy.
    unchanged.check(may_replace=(questions_ui.ADMINS_ONLY, "There's no team question"))
