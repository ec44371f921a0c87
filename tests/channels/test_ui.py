"""ChannelsUI in-process: what admins and everyone else read back from `/interview schedule|
pause|resume|mode|emoji|remind`, and the App Home's schedule form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.render import SCHEDULE_VIEW
from bot.channels.ui import INVITE_HINT, Saved
from tests.helpers import (
    ADMIN,
    ALICE,
    CHANNEL,
    LEAD,
    NOW,
    OUTSIDE,
    TEAM,
    UIs,
    invocation,
    private_metadata,
)

NO_SCHEDULE = (
    "This channel has no daily question yet. Admins can set one, e.g. "
    "`/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`."
)
EXAMPLE = "Example: `/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00 holidays DE-BY`"
FORM: dict[str, str | None] = {
    "time": "10:15",
    "timezone": "Europe/Berlin",
    "days": "daily",
    "reveal": "after 2h",
}


def slack_date(moment: datetime, fallback: str) -> str:
    """How a reply writes a date and time: Slack shows it in each reader's own zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def schedule(uis: UIs, words: str, user: str = ADMIN, now: datetime = NOW) -> str:
    """`/interview schedule <words>` in the practice channel; the reply's text."""
    return uis.channels.schedule(invocation(user, f"schedule {words}"), words.split(), now).text


def shown(uis: UIs, now: datetime = NOW) -> str:
    """`/interview schedule` without arguments, as anyone sees it."""
    return uis.channels.schedule(invocation(ALICE, "schedule"), [], now).text


# -- /interview schedule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("25:00", "`25:00` is not a time of day; use 24-hour HH:MM such as `09:30`."),
        ("09:30 Mars/Olympus", "`Mars/Olympus` is not a time zone I know"),
        ("09:30 fortnightly", "I don't understand `fortnightly` in a schedule."),
        ("09:30 reveal", "`reveal` needs a time of day like `16:00`, got ``."),
        ("09:30 reveal 09:32", "The reveal (09:32) must be later the same day than the post"),
        ("09:30 reveal-after 1d", "`reveal-after` needs a duration like `2h` or `90m`"),
        ("09:30 reveal-after 2m", "`reveal-after` must be between 5m and 23h."),
        ("09:30 reveal 16:00 reveal-after 2h", "Use either `reveal HH:MM` or `reveal-after 2h`"),
        ("09:30 holidays XX", "I have no public-holiday calendar for `XX`"),
        ("09:30 categories cooking", "Unknown category `cooking`; choose from `api-design`"),
    ],
)
def test_a_schedule_that_does_not_parse_says_nothing_was_saved(
    uis: UIs, words: str, problem: str
) -> None:
    reply = uis.channels.schedule(invocation(ADMIN), words.split(), NOW)

    assert reply.text.startswith(f"Nothing was saved. {problem}")
    assert reply.text.endswith(EXAMPLE)
    assert not reply.public
    assert shown(uis) == NO_SCHEDULE


def test_a_schedule_in_a_channel_the_bot_is_not_in_says_how_to_invite_it(uis: UIs) -> None:
    reply = uis.channels.schedule(invocation(ADMIN, channel=OUTSIDE), ["09:30"], NOW)

    assert reply.text == f"Nothing was saved. {INVITE_HINT}"
    assert uis.channels.schedule(invocation(ALICE, channel=OUTSIDE), [], NOW).text == NO_SCHEDULE


def test_a_saved_schedule_is_announced_publicly_with_the_first_question(uis: UIs) -> None:
    reply = uis.channels.schedule(invocation(ADMIN), ["09:30"], NOW)

    first = datetime(2025, 3, 3, 8, 30, tzinfo=UTC)  # today, 09:30 in Berlin
    assert reply.public
    assert reply.text == (
        "<@UADMIN> scheduled the daily interview question here: every weekday at 09:30 "
        "(Europe/Berlin), reveal after 6h. First question: "
        f"{slack_date(first, 'Mon 03 Mar 09:30 Europe/Berlin')}. They set this channel up, so "
        "they are its admin: `/interview admins add @name` adds another."
    )


def test_anyone_sees_the_saved_schedule_and_its_next_post(uis: UIs) -> None:
    schedule(uis, "09:30 america/new_york daily reveal 16:00 holidays us categories databases")

    first = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)  # 09:30 in New York (EST)
    assert shown(uis) == (
        "Daily question here: every day at 09:30 (America/New_York), reveal at 16:00, skipping "
        "public holidays in US, questions from databases. Next question: "
        f"{slack_date(first, 'Mon 03 Mar 09:30 America/New_York')}."
    )


def test_a_weekday_schedule_set_on_saturday_first_posts_on_monday(uis: UIs) -> None:
    saturday = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)

    text = schedule(uis, "09:30 Europe/Berlin", now=saturday)

    monday = datetime(2025, 3, 10, 8, 30, tzinfo=UTC)
    assert f"First question: {slack_date(monday, 'Mon 10 Mar 09:30 Europe/Berlin')}." in text


def test_a_schedule_is_saved_when_slack_cannot_say_whether_the_bot_is_a_member(
    uis: UIs,
) -> None:
    uis.fake.fail_next("conversations.info", "internal_error")

    text = schedule(uis, "09:30")

    assert text.startswith("<@UADMIN> scheduled the daily interview question here")
    assert shown(uis).startswith("Daily question here: every weekday at 09:30 (Europe/Berlin)")


# -- /interview pause and resume ---------------------------------------------------------------


def test_a_new_schedule_keeps_the_channels_answer_mode_and_vote_emoji(uis: UIs) -> None:
    uis.channels.mode(invocation(ADMIN), ["blind"], NOW)
    uis.channels.emoji(invocation(ADMIN), ["star"], NOW)

    schedule(uis, "10:00")

    assert uis.channels.mode(invocation(ALICE), [], NOW).text.startswith("Answers here are *blind*")
    assert uis.channels.emoji(invocation(ALICE), [], NOW).text.startswith("Votes here are :star:")


@pytest.mark.parametrize("command", ["pause", "resume"])
def test_pause_and_resume_without_a_schedule_say_to_set_one(uis: UIs, command: str) -> None:
    handler = getattr(uis.channels, command)

    reply = handler(invocation(ADMIN, command), [], NOW)

    assert (
        reply.text == "This channel has no schedule yet. Set one with `/interview schedule 09:30`."
    )
    assert not reply.public
    assert shown(uis) == NO_SCHEDULE


def test_pause_stops_the_next_post_and_resume_brings_it_back(uis: UIs) -> None:
    schedule(uis, "09:30")

    paused = uis.channels.pause(invocation(ADMIN, "pause"), [], NOW)

    assert paused.public
    assert paused.text == (
        "<@UADMIN> paused the daily question here. `/interview resume` brings it back."
    )
    assert shown(uis) == (
        "Daily question here: every weekday at 09:30 (Europe/Berlin), reveal after 6h. "
        "It is *paused*; `/interview resume` restarts it."
    )

    resumed = uis.channels.resume(invocation(LEAD, "resume"), [], NOW)

    assert resumed.public
    assert resumed.text == "<@ULEAD> resumed the daily question here."
    assert "Next question:" in shown(uis) and "paused" not in shown(uis)


# -- /interview mode ---------------------------------------------------------------------------


def test_mode_without_arguments_shows_open_answers_by_default(uis: UIs) -> None:
    reply = uis.channels.mode(invocation(ALICE, "mode"), [], NOW)

    assert reply.text == (
        "Answers here are *open* (in the thread). Admins change it with "
        "`/interview mode blind|open`."
    )
    assert not reply.public


def test_mode_blind_is_announced_and_then_shown(uis: UIs) -> None:
    reply = uis.channels.mode(invocation(ADMIN, "mode BLIND"), ["BLIND"], NOW)

    assert reply.public
    assert reply.text.startswith("<@UADMIN> switched this channel to *blind answers*")
    assert uis.channels.mode(invocation(ALICE), [], NOW).text.startswith(
        "Answers here are *blind* (private until the reveal)."
    )

    back = uis.channels.mode(invocation(ADMIN, "mode open"), ["open"], NOW)

    assert back.text == "<@UADMIN> switched this channel to *open answers* in the thread."
    assert uis.channels.mode(invocation(ALICE), [], NOW).text.startswith("Answers here are *open*")


def test_mode_set_before_a_schedule_leaves_the_channel_without_a_daily_question(
    uis: UIs,
) -> None:
    uis.channels.mode(invocation(ADMIN), ["blind"], NOW)

    assert shown(uis) == NO_SCHEDULE
    assert uis.channels.pause(invocation(ADMIN), [], NOW).text.startswith(
        "This channel has no schedule yet."
    )


# -- /interview emoji --------------------------------------------------------------------------


def test_emoji_without_arguments_shows_thumbs_up_by_default(uis: UIs) -> None:
    reply = uis.channels.emoji(invocation(ALICE, "emoji"), [], NOW)

    assert reply.text == "Votes here are :+1: reactions on answers (any skin tone)."
    assert not reply.public


@pytest.mark.parametrize(("typed", "stored"), [(":Star:", "star"), ("fire", "fire")])
def test_emoji_is_announced_and_then_shown(uis: UIs, typed: str, stored: str) -> None:
    reply = uis.channels.emoji(invocation(ADMIN, f"emoji {typed}"), [typed], NOW)

    assert reply.public
    assert reply.text == (
        f"<@UADMIN> set the vote emoji here to :{stored}:. React with it on the answers you "
        "find best."
    )
    assert uis.channels.emoji(invocation(ALICE), [], NOW).text.startswith(
        f"Votes here are :{stored}: reactions"
    )


def test_emoji_with_a_skin_tone_counts_every_skin_tone(uis: UIs) -> None:
    uis.channels.emoji(invocation(ADMIN), [":wave::skin-tone-3:"], NOW)

    assert uis.channels.emoji(invocation(ALICE), [], NOW).text.startswith(
        "Votes here are :wave: reactions"
    )


# -- /interview remind -------------------------------------------------------------------------


def test_remind_without_arguments_says_how_to_set_one(uis: UIs) -> None:
    reply = uis.channels.remind(invocation(ALICE, "remind"), [], NOW)

    assert reply.text == (
        "Reminders are off here. Admins change it with `/interview remind 1h` or "
        "`/interview remind off`."
    )
    assert not reply.public


def test_remind_without_arguments_shows_the_reminder_that_is_set(uis: UIs) -> None:
    assert (
        "Reminders are off here." in uis.channels.remind(invocation(ALICE, "remind"), [], NOW).text
    )
    uis.channels.remind(invocation(ADMIN), ["45m"], NOW)

    reply = uis.channels.remind(invocation(ALICE, "remind"), [], NOW)

    assert "45m" in reply.text and not reply.public


@pytest.mark.parametrize(("typed", "said"), [("30m", "30m"), ("1h", "1h"), ("1H30M", "1h30m")])
def test_remind_with_a_duration_is_announced_without_mentions(
    uis: UIs, typed: str, said: str
) -> None:
    reply = uis.channels.remind(invocation(ADMIN, f"remind {typed}"), [typed], NOW)

    assert reply.public
    assert reply.text == (
        f"<@UADMIN> set a reminder {said} before each reveal: one message to the channel (from "
        "the question's thread) with how many answered, no mentions."
    )


@pytest.mark.parametrize("typed", ["soon", "90", "0m", "24h"])
def test_remind_with_a_duration_it_cannot_use_says_how_to_write_one(uis: UIs, typed: str) -> None:
    reply = uis.channels.remind(invocation(ADMIN, f"remind {typed}"), [typed], NOW)

    assert reply.text == (
        "Give the reminder as a duration before the reveal, like `1h` or `30m`, or `off`."
    )
    assert not reply.public


def test_remind_off_is_announced(uis: UIs) -> None:
    uis.channels.remind(invocation(ADMIN), ["1h"], NOW)

    reply = uis.channels.remind(invocation(ADMIN, "remind off"), ["OFF"], NOW)

    assert reply.public
    assert reply.text == "Reminders are off in this channel."


# -- the App Home's schedule form --------------------------------------------------------------


def test_the_schedule_form_refuses_someone_who_is_not_an_admin(uis: UIs) -> None:
    schedule(uis, "09:30")  # ADMIN set it up, so ADMIN runs it
    errors = uis.channels.submit_schedule(
        TEAM, ALICE, private_metadata(channel_id=CHANNEL), dict(FORM), NOW
    )

    assert isinstance(errors, dict) and list(errors) == ["time"]
    assert errors["time"].startswith(
        "Only this channel's admins can change its daily question. Ask "
    )
    assert "<@" not in errors["time"]  # a form's error is plain text: names, not mentions
    assert shown(uis).startswith("Daily question here: every weekday at 09:30")


def test_the_schedule_form_sets_up_a_fresh_channel_for_anyone_who_then_runs_it(
    uis: UIs,
) -> None:
    errors = uis.channels.submit_schedule(
        TEAM, ALICE, private_metadata(channel_id=CHANNEL), dict(FORM), NOW
    )

    assert errors == Saved(first=True)
    assert shown(uis).startswith("Daily question here: every day at 10:15 (Europe/Berlin)")
    assert uis.people.channel_admins(TEAM, CHANNEL) == [ALICE]


def test_the_schedule_form_is_open_to_the_bots_own_admins(uis: UIs) -> None:
    errors = uis.channels.submit_schedule(
        TEAM, LEAD, private_metadata(channel_id=CHANNEL), dict(FORM), NOW
    )

    assert isinstance(errors, Saved)
    assert shown(uis).startswith("Daily question here: every day at 10:15 (Europe/Berlin)")


def test_the_schedule_form_keeps_the_channels_categories_and_its_pause(uis: UIs) -> None:
    schedule(uis, "09:30 categories databases,testing")
    uis.channels.pause(invocation(ADMIN), [], NOW)

    errors = uis.channels.submit_schedule(
        TEAM,
        ADMIN,
        private_metadata(channel_id=CHANNEL),
        {**FORM, "holidays": "de-by"},
        NOW,
    )

    assert errors == Saved(first=False)
    assert shown(uis) == (
        "Daily question here: every day at 10:15 (Europe/Berlin), reveal after 2h, skipping "
        "public holidays in DE-BY, questions from databases, testing. "
        "It is *paused*; `/interview resume` restarts it."
    )


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("time", "9h", "9h is not a time of day"),
        ("timezone", "Mars/Olympus", "Mars/Olympus is not a time zone I know"),
        ("reveal", "before lunch", "reveal-after needs a duration like 2h or 90m"),
        ("reveal", "10:16", "The reveal (10:16) must be later the same day than the post"),
        ("holidays", "XX", "I have no public-holiday calendar for XX"),
    ],
)
def test_the_schedule_form_shows_the_problem_under_its_field_and_saves_nothing(
    uis: UIs, field: str, value: str, problem: str
) -> None:
    errors = uis.channels.submit_schedule(
        TEAM, ADMIN, private_metadata(channel_id=CHANNEL), {**FORM, field: value}, NOW
    )

    assert isinstance(errors, dict) and list(errors) == [field]
    assert errors[field].startswith(problem)
    assert "`" not in errors[field]  # a modal shows errors as plain text
    assert shown(uis) == NO_SCHEDULE


def test_after_the_schedule_form_the_change_is_announced_in_the_channel(uis: UIs) -> None:
    metadata = private_metadata(channel_id=CHANNEL)
    saved = uis.channels.submit_schedule(TEAM, ADMIN, metadata, dict(FORM), NOW)
    assert saved == Saved(first=True)

    uis.channels.after_schedule(TEAM, ADMIN, metadata, first=saved.first)

    (message,) = uis.fake.messages(CHANNEL)
    assert message["text"] == (
        "<@UADMIN> set up the daily interview question here: every day at 10:15 "
        "(Europe/Berlin), reveal after 2h. They set this channel up, so they are its admin: "
        "`/interview admins add @name` adds another."
    )
    again = uis.channels.submit_schedule(TEAM, ADMIN, metadata, dict(FORM), NOW)
    assert again == Saved(first=False)
    uis.channels.after_schedule(TEAM, ADMIN, metadata, first=again.first)
    assert uis.fake.messages(CHANNEL)[-1]["text"] == (
        "<@UADMIN> changed the daily interview question here: every day at 10:15 "
        "(Europe/Berlin), reveal after 2h."
    )


def test_the_schedule_form_opens_with_the_channels_schedule_for_an_admin_only(
    uis: UIs,
) -> None:
    schedule(uis, "08:45 reveal 12:00 holidays DE")

    uis.channels.open_schedule_form(TEAM, ALICE, CHANNEL, uis.fake.new_trigger_id())
    assert uis.fake.calls("views.open") == []

    uis.channels.open_schedule_form(TEAM, ADMIN, CHANNEL, uis.fake.new_trigger_id())

    (call,) = uis.fake.calls("views.open")
    view = call.args["view"]
    assert view["callback_id"] == SCHEDULE_VIEW
    initial = {
        b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if "element" in b
    }
    assert initial["time"] == "08:45"
    assert initial["timezone"] == "Europe/Berlin"
    assert initial["reveal"] == "12:00"
    assert initial["holidays"] == "DE"


def test_a_city_alone_is_answered_with_the_zone_it_means(uis: UIs) -> None:
    assert schedule(uis, "09:30 Berlin").startswith(
        "Nothing was saved. `Berlin` is not a time zone I know. Did you mean `Europe/Berlin`?"
    )
    errors = uis.channels.submit_schedule(
        TEAM, ADMIN, private_metadata(channel_id=CHANNEL), {**FORM, "timezone": "berlin"}, NOW
    )
    assert isinstance(errors, dict)
    assert errors["timezone"].startswith(
        "berlin is not a time zone I know. Did you mean Europe/Berlin?"
    )
    assert shown(uis) == NO_SCHEDULE
