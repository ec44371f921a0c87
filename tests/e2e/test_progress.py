"""Progress through the real server: stats and the leaderboard after played rounds, reminders,
and the App Home tab with its schedule editor."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.channels import render as channels_render
from bot.rounds import render as rounds_render
from bot.sandbox.driver import Response, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, LEAD, OUTSIDE, BotProcess
from tests.helpers import (
    as_json,
    eventually,
    open_home,
    run,
    submit,
    text_inputs,
    top_level,
)

SECOND = "CSECOND"  # another channel the bot is in

# (category, thread replies in order, votes as (voter, author))
ROUNDS: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    # Alice gets two votes; her vote on her own answer does not count. Bob gets one.
    ("system-design", [ALICE, BOB], [(CAROL, ALICE), (BOB, ALICE), (ALICE, BOB), (ALICE, ALICE)]),
    ("system-design", [BOB, ALICE], [(CAROL, BOB)]),
    # Dave and Carol tie on points; Dave answered first.
    ("databases", [BOB, DAVE, CAROL], [(CAROL, DAVE), (DAVE, CAROL)]),
]


# -- helpers -----------------------------------------------------------------------------------


def far_from_now(zone: str = "UTC") -> str:
    """A post time (HH:MM) twelve hours away, so the clock never posts during a test."""
    return f"{datetime.now(ZoneInfo(zone)) + timedelta(hours=12):%H:%M}"


def questions(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The bot's top-level question posts in the channel."""
    return [m for m in top_level(fake, channel) if m["text"].startswith(rounds_render.TITLE)]


def play_round(
    bot: BotProcess,
    slack: SlackDriver,
    fake: FakeSlack,
    category: str,
    answerers: list[str],
    votes: list[tuple[str, str]],
) -> str:
    """`/interview now <category>` -> thread replies -> votes -> `/interview reveal`."""
    count = len(questions(fake))
    assert "I'll reveal the answer" in run(slack, fake, f"now {category}", user=ADMIN)["text"]
    question = eventually(lambda: questions(fake)[count:])[0]["ts"]
    answer_ts = {}
    for user in answerers:
        answer_ts[user], _ = slack.reply(CHANNEL, question, f"{user}'s answer", user=user)
    for voter, author in votes:
        slack.react(CHANNEL, answer_ts[author], "+1", user=voter, item_user=author)
    expected = {
        author: sorted(v for v, a in votes if a == author and v != author) for author in answerers
    }

    def settled() -> bool:
        [rnd] = [r for r in bot.export()["rounds"] if r["message_ts"] == question]
        assert {a["user"]: sorted(a["votes"]) for a in rnd["answers"]} == expected
        return True

    eventually(settled)
    reply = run(slack, fake, "reveal", user=ADMIN)
    assert reply["text"] == f"Revealed. {len(answerers)} answered."
    return question


def play_rounds(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    for category, answerers, votes in ROUNDS:
        play_round(bot, slack, fake, category, answerers, votes)


def progress(text: str) -> dict[str, str]:
    """The numbers of a `/interview stats` answer."""
    patterns = {
        "rounds": r"Rounds answered: \*(\d+)\*",
        "rate": r"Answer rate, last 30 days: \*([^*]+)\*",
        "streak": r"Streak: \*(\d+)\* \(best (\d+)\)",
        "votes": r"Votes received: \*(\d+)\*",
        "categories": r"Most practised: (.*)$",
    }
    found = {}
    for name, pattern in patterns.items():
        match = re.search(pattern, text, re.MULTILINE)
        assert match, (name, text)
        found[name] = " ".join(match.groups())
    return found


def edit_buttons(view: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == channels_render.EDIT_SCHEDULE_BUTTON
    ]


def channel_line(view: dict[str, Any], channel: str) -> str:
    [text] = [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(f"<#{channel}>")
    ]
    return text


def press_edit_schedule(
    slack: SlackDriver, fake: FakeSlack, home: dict[str, Any], channel: str, *, user: str
) -> str:
    """Press "Edit schedule" for `channel` on the Home tab `home`; returns the trigger id sent."""
    trigger = fake.new_trigger_id()
    payload = {
        "type": "block_actions",
        "user": user,
        "container": {"type": "view", "view_id": home["id"]},
        "view": home,
        "actions": [
            {"action_id": channels_render.EDIT_SCHEDULE_BUTTON, "value": channel, "type": "button"}
        ],
        "trigger_id": trigger,
    }
    assert slack.action(payload).status == 200
    return trigger


def open_schedule_form(
    slack: SlackDriver, fake: FakeSlack, home: dict[str, Any], channel: str, *, user: str
) -> dict[str, Any]:
    """Press "Edit schedule" for `channel` on the Home tab; returns the opened modal."""
    opened = len(fake.calls("views.open"))
    trigger = press_edit_schedule(slack, fake, home, channel, user=user)
    call = eventually(lambda: fake.calls("views.open")[opened:])[0]
    assert call.args["trigger_id"] == trigger
    view = as_json(call.args["view"])
    assert view["callback_id"] == channels_render.SCHEDULE_VIEW
    assert json.loads(view["private_metadata"]) == {"channel_id": channel}
    assert call.response is not None and call.response["ok"] is True
    return call.response["view"]


def submit_schedule(
    slack: SlackDriver, view: dict[str, Any], *, user: str, days: str = "weekdays", **fields: str
) -> Response:
    values = text_inputs(
        {name: fields.get(name) for name in ("time", "timezone", "reveal", "holidays")}
    )
    values["days"] = {"days": {"type": "static_select", "selected_option": {"value": days}}}
    return submit(slack, view, values, user=user)


def announcements(fake: FakeSlack) -> list[str]:
    return [
        m["text"]
        for m in fake.messages(CHANNEL)
        if "changed the daily interview question" in m["text"]
    ]


# -- stats -------------------------------------------------------------------------------------


def test_stats_after_three_rounds(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    play_rounds(bot, slack, fake)

    own = run(slack, fake, "stats", user=ALICE)
    assert own["response_type"] == "ephemeral"
    assert f"*Progress of <@{ALICE}> in this channel*" in own["text"]
    # Three rounds on one day: only the first is the day's round (streaks and the answer rate
    # follow the day's round; extra rounds are practice that counts for points, never against).
    assert progress(own["text"]) == {
        "rounds": "2",
        "rate": "100%",
        "streak": "1 1",
        "votes": "2",  # Bob's and Carol's; her own does not count
        "categories": "System design (2)",
    }

    bob = run(slack, fake, f"stats <@{BOB}|bob>", user=ALICE)
    assert f"*Progress of <@{BOB}> in this channel*" in bob["text"]
    assert progress(bob["text"]) == {
        "rounds": "3",
        "rate": "100%",
        "streak": "1 1",
        "votes": "2",
        "categories": "System design (2), Databases (1)",
    }
    assert run(slack, fake, "stats", user=BOB)["text"] == bob["text"]

    carol = run(slack, fake, f"stats <@{CAROL}>", user=DAVE)
    assert progress(carol["text"]) == {
        "rounds": "1",
        "rate": "0%",  # she missed the day's round
        "streak": "0 0",
        "votes": "1",
        "categories": "Databases (1)",
    }
    lead = run(slack, fake, f"stats <@{LEAD}|lea>", user=LEAD)
    assert progress(lead["text"]) == {
        "rounds": "0",
        "rate": "0%",
        "streak": "0 0",
        "votes": "0",
        "categories": "none yet",
    }

    reply = run(slack, fake, "stats bob", user=ALICE)
    assert reply["text"] == "Mention the person, e.g. `/interview stats @alice`."
    assert all(c.args["response_type"] == "ephemeral" for c in fake.calls("response_url")[-5:])


# -- leaderboard -------------------------------------------------------------------------------


def test_leaderboard_edits_the_mentions_in(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    play_rounds(bot, slack, fake)
    posts = len(fake.calls("chat.postMessage"))
    responses = len(fake.calls("response_url"))
    slack.command("leaderboard week", user=CAROL, channel=CHANNEL)
    [placeholder] = eventually(lambda: fake.calls("chat.postMessage")[posts:])
    assert placeholder.args["channel"] == CHANNEL
    assert "<@" not in placeholder.args["text"] and "<!" not in placeholder.args["text"]
    assert "blocks" not in placeholder.args
    ts = placeholder.response["ts"]  # type: ignore[index]
    [update] = eventually(lambda: [c for c in fake.calls("chat.update") if c.args["ts"] == ts])
    text = update.args["text"]
    assert text.startswith("*Leaderboard, the last 7 days*")
    # 1 point per round answered + 1 per vote from someone else; Dave ties with Carol and is
    # listed first: he answered first (though UCAROL sorts before UDAVE).
    assert re.findall(r"<@(U[A-Z]+)> — \*(\d+)\* \((\d+) rounds?, (\d+) votes?\)", text) == [
        (BOB, "5", "3", "2"),
        (ALICE, "4", "2", "2"),
        (DAVE, "2", "1", "1"),
        (CAROL, "2", "1", "1"),
    ]
    assert text.splitlines()[1].startswith(":first_place_medal: <@UBOB>")
    # equal points share a rank: both third
    assert text.splitlines()[3].startswith(":third_place_medal: <@UDAVE>")
    assert text.splitlines()[4].startswith(":third_place_medal: <@UCAROL>")
    assert fake.find_message(CHANNEL, ts)["text"] == text  # type: ignore[index]

    # In the channel only: no private copy to the caller as well.
    run(slack, fake, "help", user=CAROL)
    assert len(fake.calls("response_url")) == responses + 1


def test_leaderboard_period_and_outside_channel(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    reply = run(slack, fake, "leaderboard yearly", user=ALICE)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Choose `week`, `month` or `all`, e.g. `/interview leaderboard week`."
    reply = run(slack, fake, "leaderboard week month", user=ALICE)
    assert reply["text"] == "Usage: `/interview leaderboard [week|month|all]`"
    assert fake.calls("chat.postMessage") == []

    reply = run(slack, fake, "leaderboard all", user=ALICE, channel=OUTSIDE)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("*Leaderboard, all time*")
    assert "Nobody has answered yet" in reply["text"]
    assert fake.messages(OUTSIDE) == [] and fake.calls("chat.update") == []
    [ephemeral] = fake.ephemerals(OUTSIDE, user=ALICE)
    assert ephemeral["text"] == reply["text"]


# -- reminders ---------------------------------------------------------------------------------


def test_remind(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    reply = run(slack, fake, "remind 1h", user=BOB)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Sorry, only this channel's admins")
    assert "`/interview remind`" in reply["text"]
    assert fake.messages(CHANNEL) == []

    reply = run(slack, fake, "remind 1h", user=ADMIN)
    assert reply["response_type"] == "in_channel"
    assert reply["text"].startswith(f"<@{ADMIN}> set a reminder 1h before each reveal")
    assert "no mentions" in reply["text"]
    reply = run(slack, fake, "remind 90m", user=LEAD)  # INTERVIEW_ADMINS may too
    assert reply["text"].startswith(f"<@{LEAD}> set a reminder 1h30m before each reveal")

    for bad in ("soon", "90", "0m", "24h"):
        reply = run(slack, fake, f"remind {bad}", user=ADMIN)
        assert reply["response_type"] == "ephemeral"
        assert reply["text"] == (
            "Give the reminder as a duration before the reveal, like `1h` or `30m`, or `off`."
        ), bad
    reply = run(slack, fake, "remind", user=BOB)
    assert "`/interview remind 1h`" in reply["text"] and "`/interview remind off`" in reply["text"]
    reply = run(slack, fake, "remind off", user=ADMIN)
    assert reply == {"text": "Reminders are off in this channel.", "response_type": "in_channel"}
    # The two confirmations and the "off" are the only messages in the channel.
    assert len(fake.messages(CHANNEL)) == 3


# -- App Home ----------------------------------------------------------------------------------


def test_app_home_for_admins_and_members(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.add_channel(SECOND, "interview-second")
    first, second = far_from_now(), far_from_now("Europe/Berlin")
    run(slack, fake, f"schedule {first} UTC", user=ADMIN)
    run(slack, fake, f"schedule {second} Europe/Berlin daily", user=LEAD, channel=SECOND)
    play_round(bot, slack, fake, "behavioral", [ADMIN, BOB], [(BOB, ADMIN), (CAROL, ADMIN)])

    home = open_home(slack, fake, ADMIN)
    assert edit_buttons(home) == [CHANNEL, SECOND]  # the admin's own channel first
    line = channel_line(home, CHANNEL)
    assert f"every weekday at {first} (UTC)" in line
    assert "you answered 1 round · streak 1 (best 1) · 2 votes received" in line
    line = channel_line(home, SECOND)
    assert f"every day at {second} (Europe/Berlin)" in line
    assert "you answered 0 rounds · streak 0 (best 0) · 0 votes received" in line

    assert edit_buttons(open_home(slack, fake, LEAD)) == [CHANNEL, SECOND]

    home = open_home(slack, fake, BOB)
    assert edit_buttons(home) == []
    assert not any("accessory" in b for b in home["blocks"])
    assert "Edit schedule" not in json.dumps(home)
    assert "you answered 1 round · streak 1 (best 1) · 0 votes received" in channel_line(
        home, CHANNEL
    )

    home = open_home(slack, fake, ALICE)
    assert edit_buttons(home) == []
    assert "you answered 0 rounds · streak 0 (best 0)" in channel_line(home, CHANNEL)


def test_edit_schedule_from_app_home(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    post = far_from_now()
    run(slack, fake, f"schedule {post} UTC reveal-after 2h", user=ADMIN)
    home = open_home(slack, fake, ADMIN)
    form = open_schedule_form(slack, fake, home, CHANNEL, user=ADMIN)
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in form["blocks"]
        if b["type"] == "input" and b["element"]["type"] == "plain_text_input"
    }
    assert initial == {
        "time": post,
        "timezone": "UTC",
        "reveal": "after 2h",
        "holidays": None,
        "categories": None,
    }
    before = f"every weekday at {post} (UTC), reveal after 2h"

    # An impossible time keeps the modal open with the error under the time field.
    response = submit_schedule(slack, form, user=ADMIN, time="25:00", timezone="UTC")
    assert response.status == 200
    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["time"]
    assert "25:00 is not a time of day" in body["errors"]["time"]  # plain text: no backticks
    response = submit_schedule(slack, form, user=ADMIN, time="09:30", timezone="Mars/Olympus")
    assert list(response.json()["errors"]) == ["timezone"]
    response = submit_schedule(slack, form, user=ADMIN, time="09:30", reveal="08:00")
    assert list(response.json()["errors"]) == ["reveal"]
    response = submit_schedule(slack, form, user=ADMIN, time="09:30", holidays="Atlantis")
    assert list(response.json()["errors"]) == ["holidays"]
    assert run(slack, fake, "schedule", user=BOB)["text"].startswith(
        f"Daily question here: {before}."
    )
    assert announcements(fake) == []

    # A valid form saves the schedule and says so in the channel.
    post = far_from_now("Europe/Berlin")
    published = len(fake.calls("views.publish"))
    submit_schedule(
        slack,
        form,
        user=ADMIN,
        days="daily",
        time=post,
        timezone="europe/berlin",
        reveal="after 3h",
        holidays="de-by",
    )
    described = (
        f"every day at {post} (Europe/Berlin), reveal after 3h, skipping public holidays in DE-BY"
    )
    [announcement] = eventually(lambda: announcements(fake))
    assert announcement == f"<@{ADMIN}> changed the daily interview question here: {described}."
    shown = run(slack, fake, "schedule", user=BOB)["text"]
    assert shown.startswith(f"Daily question here: {described}.")
    # The admin's Home tab shows the new schedule.
    eventually(lambda: len(fake.calls("views.publish")) > published)
    assert described in channel_line(fake.home_view(ADMIN), CHANNEL)  # type: ignore[arg-type]
    assert f"{CHANNEL}: {described}" in bot.cli("status")


def test_only_admins_may_submit_the_schedule_form(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    post = far_from_now()
    run(slack, fake, f"schedule {post} UTC", user=ADMIN)
    form = open_schedule_form(slack, fake, open_home(slack, fake, ADMIN), CHANNEL, user=ADMIN)
    # A stale Home tab of someone who is no admin: the button opens no form, only a notice
    # that says whom to ask.
    opened = len(fake.calls("views.open"))
    press_edit_schedule(slack, fake, open_home(slack, fake, BOB), CHANNEL, user=BOB)
    notice = as_json(eventually(lambda: fake.calls("views.open")[opened:])[0].args["view"])
    assert "callback_id" not in notice and "submit" not in notice
    assert notice["blocks"][0]["text"]["text"] == (
        f"Only this channel's admins can change its daily question. Ask <@{ADMIN}>."
    )
    # A form submitted by someone who is no admin changes nothing; the error names the admin
    # as Slack shows them (it is plain text).
    response = submit_schedule(slack, form, user=BOB, time=far_from_now(), timezone="UTC")
    assert response.json() == {
        "response_action": "errors",
        "errors": {"time": "Only this channel's admins can change its daily question. Ask ada."},
    }
    assert f"every weekday at {post} (UTC)" in run(slack, fake, "schedule", user=BOB)["text"]
    assert announcements(fake) == []


def test_valid_schedule_form_closes_the_modal(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, f"schedule {far_from_now()} UTC", user=ADMIN)
    form = open_schedule_form(slack, fake, open_home(slack, fake, ADMIN), CHANNEL, user=ADMIN)
    response = submit_schedule(slack, form, user=ADMIN, time=far_from_now(), timezone="UTC")
    eventually(lambda: announcements(fake))
    run(slack, fake, "schedule", user=ADMIN)  # the submission's listener has finished by now
    outcome = (response.status, response.body, "listener failed" in bot.logs())
    assert outcome == (200, "", False)
