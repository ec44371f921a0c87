"""`/interview` in-process: the one table's parsing, the rights check in front of every feature,
the refusals people read, and `/interview help`."""

from __future__ import annotations

import pytest

from bot.calibration.render import CALIBRATE_VIEW
from bot.slack.commands import Access
from bot.slack.people import ROLE_UNKNOWN
from bot.slash import TABLE, Command, SlashCommands, Usage, help_text, parse_command
from tests.helpers import ADMIN, ALICE, BOB, LEAD, MANAGER, NOW, TEAM, UIs, invocation

ADMIN_ONLY = [c.name for c in TABLE if c.access == Access.ADMIN]
MANAGERS_ONLY = [c.name for c in TABLE if c.access == Access.MANAGER]


@pytest.fixture(autouse=True)
def set_up_by_admin(uis: UIs) -> None:
    """ADMIN set the channel up, so ADMIN is its admin (LEAD is a bot admin everywhere)."""
    assert run(uis, "schedule 09:30 Europe/Berlin", ADMIN).startswith("<@UADMIN> scheduled")


def admins_only(name: str) -> str:
    return f"Sorry, only this channel's admins can use `/interview {name}`. Ask <@{ADMIN}>."


def bot_admins_only(name: str) -> str:
    return (
        f"Sorry, only the bot's admins can use `/interview {name}`. "
        f"Ask <@{LEAD}> or a Slack workspace admin."
    )


def managers_only(name: str) -> str:
    return (
        f"Sorry, only hiring managers can use `/interview {name}`. "
        f"Ask one of them: <@{MANAGER}>, <@{LEAD}> or a Slack workspace admin."
    )


def run(uis: UIs, text: str, user: str, trigger_id: str | None = None) -> str:
    return uis.slash.run(invocation(user, text, trigger_id=trigger_id), NOW).text


# -- admins only -------------------------------------------------------------------------------


def test_the_admin_only_commands_are_the_ones_that_run_the_channel() -> None:
    assert sorted(ADMIN_ONLY) == [
        "leaderboard off",
        "leaderboard on",
        "now",
        "pause",
        "resume",
        "reveal",
    ]
    # the review of the team's questions is the whole workspace's: the bot's admins
    assert [c.name for c in TABLE if c.access == Access.BOT_ADMIN] == ["questions pending"]


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_an_admin_only_command_is_refused_to_a_non_admin_naming_who_can(
    uis: UIs, name: str
) -> None:
    posted = len(uis.fake.calls("chat.postMessage"))
    assert run(uis, name, ALICE) == admins_only(name)
    assert len(uis.fake.calls("chat.postMessage")) == posted


def test_the_review_of_team_questions_is_refused_to_a_channel_admin(uis: UIs) -> None:
    assert run(uis, "questions pending", ADMIN).startswith("No team questions")
    assert run(uis, f"admins add <@{ALICE}|alice>", ADMIN).startswith("<@UADMIN> made <@UALICE>")

    assert run(uis, "questions pending", ALICE) == bot_admins_only("questions pending")


@pytest.mark.parametrize("user", [ADMIN, LEAD])
def test_an_admin_only_command_runs_for_workspace_admins_and_interview_admins(
    uis: UIs, user: str
) -> None:
    assert run(uis, "now", user).startswith("Posted: ")
    assert run(uis, "reveal", user) == "Revealed. 0 answered."


def test_interview_admins_keep_their_rights_when_slack_cannot_be_asked(uis: UIs) -> None:
    uis.fake.fail_next("users.info", "internal_error")

    assert run(uis, "pause", LEAD) == (
        "<@ULEAD> paused the daily question here. `/interview resume` brings it back."
    )


def test_a_workspace_admin_slack_cannot_vouch_for_is_told_so_not_refused(uis: UIs) -> None:
    uis.people.forget(TEAM, ADMIN)  # Slack's answer from the set-up is remembered for minutes
    uis.fake.fail_next("users.info", "internal_error")

    assert run(uis, "questions pending", ADMIN) == ROLE_UNKNOWN.format(error="internal_error")
    # The failure is not remembered: the next try asks Slack again.
    assert run(uis, "questions pending", ADMIN).startswith("No team questions")


# -- anyone sees, admins change ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "change", "shows"),
    [
        ("schedule", "10:00", "Daily question here: every weekday at 09:30"),
        ("mode", "blind", "Answers here are *open* (in the thread)."),
        ("emoji", ":star:", "Votes here are :+1: reactions"),
        ("remind", "1h", "Reminders are off here."),
    ],
)
def test_a_setting_shows_to_anyone_but_only_admins_change_it(
    uis: UIs, name: str, change: str, shows: str
) -> None:
    assert run(uis, name, ALICE).startswith(shows)

    assert run(uis, f"{name} {change}", ALICE) == admins_only(name)
    assert run(uis, name, ALICE).startswith(shows)  # unchanged

    assert run(uis, f"{name} {change}", ADMIN).startswith("<@UADMIN> ")


def test_the_setting_commands_are_the_ones_anyone_may_read() -> None:
    readable = sorted(c.name for c in TABLE if c.access == Access.ADMIN_TO_CHANGE)
    assert readable == ["admins", "emoji", "mode", "remind", "schedule"]


# -- managers only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["calibrate", "calibrate cache-invalidation", "calibration report"]
)
def test_a_manager_command_is_refused_to_a_non_manager_naming_who_can(uis: UIs, text: str) -> None:
    assert run(uis, text, ALICE, uis.fake.new_trigger_id()) == managers_only(text.split()[0])
    assert uis.fake.calls("views.open") == []
    assert uis.fake.calls("chat.postMessage") == []


@pytest.mark.parametrize("user", [MANAGER, ADMIN, LEAD])
def test_a_manager_command_runs_for_interview_managers_and_admins(uis: UIs, user: str) -> None:
    assert run(uis, "calibrate", user, uis.fake.new_trigger_id()) == ""

    (opened,) = uis.fake.calls("views.open")
    assert opened.args["view"]["callback_id"] == CALIBRATE_VIEW


def test_interview_managers_get_no_admin_rights(uis: UIs) -> None:
    assert run(uis, "pause", MANAGER) == admins_only("pause")
    assert run(uis, "mode blind", MANAGER) == admins_only("mode")


def test_the_manager_commands_are_calibrations() -> None:
    assert sorted(MANAGERS_ONLY) == ["calibrate", "calibration"]
    assert [c.name for c in TABLE if c.access == Access.MANAGER_TO_CHANGE] == ["managers"]


def test_a_manager_adds_a_co_manager_who_can_then_calibrate(uis: UIs) -> None:
    """Managers follow the channel admins' model: a manager adds and removes others."""
    refused = run(uis, f"managers add <@{BOB}>", ALICE)
    assert refused.startswith("Sorry, only hiring managers can use `/interview managers`. Ask ")
    assert f"<@{MANAGER}>" in refused

    added = run(uis, f"managers add <@{ALICE}>", MANAGER)
    assert added.startswith(f"<@{MANAGER}> made <@{ALICE}> a hiring manager")
    assert run(uis, f"managers add <@{BOB}>", ALICE).startswith(f"<@{ALICE}> made <@{BOB}>")
    assert run(uis, f"managers remove <@{ALICE}>", BOB).startswith(f"<@{BOB}> removed <@{ALICE}>")
    assert run(uis, f"managers add <@{ALICE}>", ALICE).startswith("Sorry, only hiring managers")


# -- the table ---------------------------------------------------------------------------------


def test_a_table_entry_without_a_handler_is_refused_at_construction(uis: UIs) -> None:
    handlers = {name: h for name, h in uis.slash.handlers.items() if name != "leaderboard"}

    with pytest.raises(ValueError, match=r"sub-commands without a handler: \['leaderboard'\]"):
        SlashCommands(handlers, uis.people)


def test_every_table_entry_has_a_handler_in_the_composed_bot(uis: UIs) -> None:
    assert set(uis.slash.handlers) == {c.name for c in TABLE} - {"help"}


# -- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "HELP", "\u00a0"])
def test_help_answers_with_the_list_of_commands(uis: UIs, text: str) -> None:
    assert run(uis, text, ALICE) == help_text()


def test_help_lists_every_command_with_its_usage_and_who_may_use_it() -> None:
    text = help_text()

    who = {
        Access.ANYONE: "",
        Access.ADMIN: " _(admins)_",
        Access.ADMIN_TO_CHANGE: " _(admins change it)_",
        Access.BOT_ADMIN: " _(bot admins)_",
        Access.BOT_ADMIN_TO_CHANGE: " _(bot admins change it)_",
        Access.MANAGER: " _(managers)_",
        Access.MANAGER_TO_CHANGE: " _(managers change it)_",
    }
    for command in TABLE:
        if command.name == "help":
            continue
        assert f"`{command.usage}` — {command.summary}{who[command.access]}\n" in text + "\n"
    for section in ("*Practice*", "*Running the channel*", "*Calibration*"):
        assert f"\n{section}\n" in text


# -- parsing -----------------------------------------------------------------------------------


def test_an_unknown_command_suggests_the_closest(uis: UIs) -> None:
    assert run(uis, "shedule 09:30", ADMIN) == (
        "I don't know `shedule`. Did you mean `/interview schedule`? "
        "`/interview help` lists what I can do."
    )


def test_an_unknown_command_is_shown_without_its_markup() -> None:
    parsed = parse_command("<!channel>`")

    assert parsed == Usage(
        "I don't know `&lt;!channel&gt;'`. `/interview help` lists what I can do."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ask", "Usage: `/interview ask <question-id>`"),
        ("ask a b", "Usage: `/interview ask <question-id>`"),
        ("categories all", "Usage: `/interview categories`"),
        ("questions all", "Usage: `/interview questions mine`"),
        ("mode loud", "Choose `blind` or `open`, e.g. `/interview mode blind`."),
        ("emoji <@U1>", "Give an emoji name, e.g. `/interview emoji :star:`."),
        ("stats bob", "Mention the person, e.g. `/interview stats @alice`."),
        (
            "leaderboard year",
            "Choose `week`, `month` or `all`, e.g. `/interview leaderboard week`.",
        ),
    ],
)
def test_words_that_do_not_fit_a_command_get_its_usage(uis: UIs, text: str, message: str) -> None:
    assert run(uis, text, ADMIN) == message


def test_a_usage_error_comes_before_the_rights_check(uis: UIs) -> None:
    assert run(uis, "pause now", ALICE) == "Usage: `/interview pause`"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("RANDOM  Databases", Command("random", ("Databases",))),
        ("random\u00a0databases\u00a0senior", Command("random", ("databases", "senior"))),
        ("stats <@UALICE|alice>", Command("stats", ("<@UALICE|alice>",))),
        ("Questions MINE", Command("questions", ("MINE",))),
    ],
)
def test_a_command_is_read_in_any_case_and_with_any_spaces(text: str, command: Command) -> None:
    assert parse_command(text) == command


# -- who runs calibration ----------------------------------------------------------------------


def test_a_bot_admin_makes_someone_a_hiring_manager_in_slack(uis: UIs) -> None:
    assert run(uis, "calibration report", ALICE) == managers_only("calibration")
    # a channel's admin is not the bot's admin
    assert run(uis, f"admins add <@{BOB}|bob>", ADMIN).startswith(f"<@{ADMIN}> made <@{BOB}>")
    assert run(uis, f"managers add <@{ALICE}|alice>", BOB) == managers_only("managers")

    added = run(uis, f"managers add <@{ALICE}|alice>", LEAD)

    assert added.startswith(f"<@{LEAD}> made <@{ALICE}> a hiring manager")
    assert not run(uis, "calibration report", ALICE).startswith("Sorry")
    listed = run(uis, "managers", BOB)
    assert f"<@{MANAGER}>, <@{ALICE}>, and the bot's admins" in listed  # INTERVIEW_MANAGERS too
    assert run(uis, f"managers remove <@{ALICE}|alice>", LEAD).startswith(f"<@{LEAD}> removed")
    assert run(uis, "calibration report", ALICE).startswith("Sorry, only hiring managers")
    # The operator's list is the operator's to change.
    assert "INTERVIEW_MANAGERS lists them" in run(uis, f"managers remove <@{MANAGER}|m>", LEAD)


@pytest.mark.parametrize("words", ["admins add", "admins add alice", "managers drop <@UALICE>"])
def test_adding_someone_needs_a_mention(uis: UIs, words: str) -> None:
    assert run(uis, words, ADMIN).startswith("Usage: `/interview ")
