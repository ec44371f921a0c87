"""`/interview ...` text and schedule words: the parsers take any input, answer with a Command,
a Schedule or a message that says how to fix it, and never raise anything else."""

from __future__ import annotations

import contextlib
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.render import SCHEDULE_FIELDS
from bot.channels.schedule import (
    MAX_ANSWER_WINDOW,
    MIN_ANSWER_WINDOW,
    Schedule,
    ScheduleError,
    ScheduleFieldError,
    parse_schedule,
    parse_schedule_form,
)
from bot.slash import BY_NAME, Command, Usage, parse_command

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATEGORIES = ("system-design", "databases", "behavioral")

# Words the commands and schedules understand, near misses, and mentions.
VOCABULARY = [
    *BY_NAME,
    "09:30",
    "9.30",
    "23:59",
    "00:00",
    "24:00",
    "25:00",
    "16:00",
    "reveal",
    "reveal-after",
    "2h",
    "90m",
    "1h30",
    "0m",
    "24h",
    "90",
    "weekdays",
    "daily",
    "UTC",
    "utc",
    "Europe/Berlin",
    "america/new_york",
    "Mars/Olympus",
    "holidays",
    "DE",
    "de-by",
    "XX",
    "categories",
    "category",
    "system-design,databases",
    "kubernetes",
    "week",
    "month",
    "all",
    "yearly",
    "blind",
    "open",
    "mine",
    "off",
    "1h",
    "senior",
    "<@UBOB|bob>",
    "<@UBOB>",
    "@bob",
    "<!channel>",
    "`now`",
]
words = st.one_of(
    st.sampled_from(VOCABULARY),
    st.text(st.characters(blacklist_categories=("Zs", "Cc")), min_size=1, max_size=12),
)
commands = st.builds(
    lambda name, rest, upper: " ".join([name.upper() if upper else name, *rest]),
    st.one_of(st.sampled_from(list(BY_NAME)), words),
    st.lists(words, max_size=14),
    st.booleans(),
)


def usage_of(name: str) -> Usage:
    return Usage(f"Usage: `{BY_NAME[name].usage}`")


# -- parse_command: properties -----------------------------------------------------------------


def check_parsed(text: str) -> Command | Usage:
    parsed = parse_command(text)
    assert isinstance(parsed, Command | Usage)
    if isinstance(parsed, Usage):
        message = parsed.message
        assert message.strip()
        assert "/interview" in message or "Did you mean" in message
        # What the user typed is never echoed as a mention or a broadcast.
        assert "<@" not in message and "<!" not in message
        assert len(message) < 300
    else:
        least, most = BY_NAME[parsed.name].least, BY_NAME[parsed.name].most
        assert least <= len(parsed.args) and (most is None or len(parsed.args) <= most)
        # the name is the first word, or the first two (`questions pending`); the rest are args
        words = text.split() or ["help"]  # no words at all is `help`
        named = len(parsed.name.split())
        assert parsed.name == " ".join(words[:named]).lower()
        assert parsed.args == tuple(words[named:])
    return parsed


@FAST
@given(st.text())
@example("")
@example("\u00a0")
@example("now\u00a0system-design")
@example("<!channel> " + "x" * 500)
def test_any_text_parses_to_a_command_or_usage(text: str) -> None:
    check_parsed(text)


@FAST
@given(commands)
@example("stats <@UBOB|bob> <@UALICE>")
@example("questions theirs")
@example("questions mine")
@example("QUESTIONS Pending")
@example("questions pending mine")
@example("questions edit custom-my-question")
@example("Questions REMOVE")
@example("questions remove custom-a custom-b")
def test_commands_built_from_the_grammar(text: str) -> None:
    parsed = check_parsed(text)
    assert parse_command(f"  {text}\t ") == parsed  # surrounding blanks change nothing
    if isinstance(parsed, Command):
        words = text.split()
        two_words = " ".join(words[:2]).lower()
        # a two-word name (`questions pending`) is tried before the first word alone
        if len(words) > 1 and two_words in BY_NAME:
            assert parsed.name == two_words
        else:
            assert parsed.name == words[0].lower()


# -- parse_command: examples -------------------------------------------------------------------


# name -> argument lists that are valid for it
VALID_ARGS: dict[str, list[list[str]]] = {
    "help": [[], ["now"], ["a", "b", "c", "d"]],
    "now": [[], ["system-design"], ["system-design", "senior"], ["a", "b", "c"]],
    "reveal": [[]],
    "schedule": [[], ["09:30"], ["09:30", "Europe/Berlin", "weekdays", "reveal", "16:00"]],
    "pause": [[]],
    "resume": [[]],
    "random": [[], ["system-design"], ["senior", "system-design"], ["a", "b", "c"]],
    "ask": [["sql-vs-nosql"]],
    "categories": [[]],
    "stats": [[], ["<@UBOB|bob>"], ["<@W0ENTERPRISE>"]],
    "leaderboard": [[], ["week"], ["Month"], ["ALL"]],
    "mode": [[], ["blind"], ["OPEN"]],
    "remind": [[], ["1h"], ["off"], ["soon"]],  # the duration is checked by the command
    "add": [[]],
    "questions": [["mine"], ["Mine"]],
    "emoji": [[], [":star:"], ["+1"], [":+1::skin-tone-3:"], ["white_check_mark"]],
    "calibrate": [[], ["sql-vs-nosql"], ["sql-vs-nosql", "specimen", "2", "for", "2h"]],
    "calibration": [["report"], ["report", "<@UALICE>", "since", "2026-01-01"]],
    "forget-me": [[]],
    "questions pending": [[]],
    "snooze": [[], ["1w"], ["3D"], ["off"]],
    "pings": [[], ["on"], ["OFF"]],
    "leaderboard off": [[]],
    "leaderboard on": [[]],
    "admins": [[], ["add", "<@UBOB>"], ["remove", "<@UBOB|bob>"]],
    "managers": [[], ["add", "<@UBOB>"], ["remove", "<@W0ENTERPRISE>"]],
    "questions edit": [["custom-my-question"]],
    "questions remove": [["custom-my-question"]],
}


def test_every_subcommand_has_examples() -> None:
    assert set(VALID_ARGS) == set(BY_NAME)


@pytest.mark.parametrize(
    ("name", "args"), [(name, args) for name, cases in VALID_ARGS.items() for args in cases]
)
def test_valid_arity(name: str, args: list[str]) -> None:
    assert parse_command(" ".join([name, *args])) == Command(name, tuple(args))


@pytest.mark.parametrize("name", [n for n, c in BY_NAME.items() if c.least > 0])
def test_too_few_words(name: str) -> None:
    assert parse_command(name) == usage_of(name)


@pytest.mark.parametrize("name", [n for n, c in BY_NAME.items() if c.most is not None])
def test_too_many_words(name: str) -> None:
    most = BY_NAME[name].most
    assert most is not None
    args = [VALID_ARGS[name][-1][0] if VALID_ARGS[name][-1] else "x"] * (most + 1)
    assert parse_command(" ".join([name, *args])) == usage_of(name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "leaderboard yearly",
            "Choose `week`, `month` or `all`, e.g. `/interview leaderboard week`.",
        ),
        ("mode secret", "Choose `blind` or `open`, e.g. `/interview mode blind`."),
        ("questions theirs", "Usage: `/interview questions mine`"),
        ("stats bob", "Mention the person, e.g. `/interview stats @alice`."),
        ("stats @bob", "Mention the person, e.g. `/interview stats @alice`."),
        ("stats <#C123|general>", "Mention the person, e.g. `/interview stats @alice`."),
        ("ask", "Usage: `/interview ask <question-id>`"),
        ("reveal now", "Usage: `/interview reveal`"),
    ],
)
def test_invalid_arguments(text: str, message: str) -> None:
    assert parse_command(text) == Usage(message)


def test_empty_text_is_help() -> None:
    assert parse_command("") == Command("help", ())
    assert parse_command(" \t\u00a0 ") == Command("help", ())


def test_names_are_case_insensitive_and_args_kept_verbatim() -> None:
    assert parse_command("NOW System-Design") == Command("now", ("System-Design",))
    assert parse_command("random\u00a0system-design\u00a0senior") == Command(
        "random", ("system-design", "senior")
    )


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("shedule", "schedule"),
        ("ranodm", "random"),
        ("leaderbord", "leaderboard"),
        ("catgories", "categories"),
        ("reveel", "reveal"),
        ("STAT", "stats"),
        ("questons", "questions"),
    ],
)
def test_did_you_mean(typo: str, meant: str) -> None:
    parsed = parse_command(f"{typo} 09:30")
    assert isinstance(parsed, Usage)
    assert parsed.message == (
        f"I don't know `{typo.lower()}`. Did you mean `/interview {meant}`? "
        "`/interview help` lists what I can do."
    )


def test_unknown_command_without_a_suggestion() -> None:
    assert parse_command("xyzzy") == Usage(
        "I don't know `xyzzy`. `/interview help` lists what I can do."
    )


def test_unknown_command_is_escaped_and_shortened() -> None:
    parsed = parse_command("<!channel>`" + "x" * 100)
    assert isinstance(parsed, Usage)
    assert "<!channel>" not in parsed.message and "&lt;!channel&gt;'" in parsed.message
    assert "x" * 40 not in parsed.message


# -- parse_schedule ----------------------------------------------------------------------------


def check_schedule(schedule: Schedule) -> None:
    assert schedule.days in ("weekdays", "daily")
    ZoneInfo(schedule.timezone)
    assert not (schedule.reveal_time and schedule.reveal_after)
    if schedule.reveal_time is not None:
        assert schedule.reveal_time > schedule.post_time
    if schedule.reveal_after is not None:
        assert MIN_ANSWER_WINDOW <= schedule.reveal_after <= MAX_ANSWER_WINDOW
    assert set(schedule.categories) <= set(CATEGORIES)
    assert schedule.describe().startswith(("every weekday at ", "every day at "))


@FAST
@given(st.lists(words, max_size=12))
@example(["09:30", "reveal"])
@example(["09:30", "holidays", "DE-XX"])
@example(["09:30", "categories", ","])
@example(["23:59", "reveal", "23:59"])
def test_parse_schedule_returns_a_schedule_or_raises_schedule_error(args: list[str]) -> None:
    try:
        schedule = parse_schedule(args, "UTC", CATEGORIES)
    except ScheduleError as exc:
        assert exc.problem and "Example: `/interview schedule" in str(exc)
        return
    check_schedule(schedule)


@FAST
@given(st.lists(st.text(), max_size=8))
def test_parse_schedule_any_strings(args: list[str]) -> None:
    with contextlib.suppress(ScheduleError):
        parse_schedule(args, "UTC")


def test_parse_schedule_examples() -> None:
    schedule = parse_schedule(
        ["9.05", "europe/berlin", "daily", "reveal-after", "1h30"]
        + ["holidays", "de-by", "categories", "databases"],
        "UTC",
        CATEGORIES,
    )
    assert schedule == Schedule(
        post_time=time(9, 5),
        timezone="Europe/Berlin",
        days="daily",
        reveal_after=timedelta(hours=1, minutes=30),
        holidays="DE-BY",
        categories=("databases",),
    )
    with pytest.raises(ScheduleError, match="Unknown category `kubernetes`"):
        parse_schedule(["09:30", "categories", "kubernetes"], "UTC", CATEGORIES)
    with pytest.raises(ScheduleError, match="must be later the same day"):
        parse_schedule(["16:00", "reveal", "09:00"], "UTC")


# -- parse_schedule_form -----------------------------------------------------------------------

form_values = st.one_of(st.none(), words, st.text(max_size=20))
forms = st.fixed_dictionaries(
    {},
    optional={
        "time": st.one_of(st.sampled_from(["09:30", "7:05", "25:00", ""]), form_values),
        "timezone": st.one_of(st.sampled_from(["UTC", "Europe/Berlin", " utc "]), form_values),
        "days": st.one_of(st.sampled_from(["weekdays", "daily"]), form_values),
        "reveal": st.one_of(st.sampled_from(["16:00", "after 2h", "2h", "08:00"]), form_values),
        "holidays": st.one_of(st.sampled_from(["DE", "de-by", "XX"]), form_values),
    },
)


@FAST
@given(forms)
@example({"time": "09:30", "reveal": "08:00"})
@example({"time": "09:30", "timezone": "reveal"})
@example({"time": "09:30", "reveal": "after 99h"})
def test_parse_schedule_form_raises_only_field_errors(fields: dict[str, str | None]) -> None:
    try:
        schedule = parse_schedule_form(fields, CATEGORIES)
    except ScheduleFieldError as exc:
        assert exc.field in SCHEDULE_FIELDS  # an input block of the modal, or Slack rejects it
        assert exc.problem
        return
    check_schedule(schedule)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time": "25:00", "timezone": "UTC"}, "time"),
        ({"time": "", "timezone": "UTC"}, "time"),
        ({"time": "09:30", "timezone": "Mars/Olympus"}, "timezone"),
        ({"time": "09:30", "days": "sometimes"}, "days"),
        ({"time": "09:30", "reveal": "08:00"}, "reveal"),
        ({"time": "09:30", "reveal": "after 30s"}, "reveal"),
        ({"time": "09:30", "holidays": "Atlantis"}, "holidays"),
    ],
)
def test_schedule_form_blames_the_right_field(fields: dict[str, str | None], field: str) -> None:
    with pytest.raises(ScheduleFieldError) as caught:
        parse_schedule_form(fields)
    assert caught.value.field == field


def test_schedule_form_examples() -> None:
    schedule = parse_schedule_form(
        {
            "time": "07:45",
            "timezone": " america/new_york ",
            "days": "daily",
            "reveal": "After 2h",
            "holidays": "us",
        }
    )
    assert schedule == Schedule(
        post_time=time(7, 45),
        timezone="America/New_York",
        days="daily",
        reveal_after=timedelta(hours=2),
        holidays="US",
    )
    assert parse_schedule_form({"time": "09:30"}).timezone == "UTC"


def test_schedule_form_rejects_a_day_word_as_time_zone() -> None:
    with pytest.raises(ScheduleFieldError) as caught:
        parse_schedule_form({"time": "09:30", "timezone": "daily", "days": "weekdays"})
    assert caught.value.field == "timezone"


def test_schedule_form_time_with_blanks() -> None:
    assert parse_schedule_form({"time": " 09:30 ", "timezone": "UTC"}).post_time == time(9, 30)
