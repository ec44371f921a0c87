"""Who runs a channel, and getting started, through the real process: a team lead who is no
workspace admin invites the bot, sets the channel up from the bot's intro and so runs it, adds a
co-admin who can then pause it; a third member is refused with the admins named. The intro is
posted once per join, its buttons work, and the Home tab gets people started.

The cast (bot/sandbox/process.py): ADMIN is a workspace admin, LEAD is in INTERVIEW_ADMINS (a bot
admin), ALICE (the team lead), BOB, CAROL and DAVE are members."""

from __future__ import annotations

import json
from typing import Any

from bot.channels import render as channels_render
from bot.channels import ui as channels_ui
from bot.questions import render as questions_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, LEAD, BotProcess
from tests.helpers import (
    act_on_view,
    button_value,
    click,
    click_and_wait,
    eventually,
    modal_opened_since,
    open_home,
    run,
    submitted,
    text_inputs,
    top_level,
)
from tests.hostile import log_problems

TEAM_CHANNEL = "CTEAMLEAD"  # a channel nobody set up, which the team lead invites the bot to


def intro_of(fake: FakeSlack, channel: str = TEAM_CHANNEL) -> list[dict[str, Any]]:
    return [m for m in top_level(fake, channel) if "Set up the daily question" in json.dumps(m)]


def select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def form_values(time: str = "09:45", categories: str | None = None) -> dict[str, Any]:
    """The whole schedule form as Slack sends it back on Save."""
    values = text_inputs(
        {"time": time, "timezone": "Europe/Berlin", "reveal": "16:00", "holidays": None}
    )
    values |= text_inputs({"categories": categories})
    values["days"] = {"days": select("weekdays")}
    values["mode"] = {"mode": select("blind")}
    values["state"] = {"state": select(channels_render.RUNNING)}
    return values


def opened_form(fake: FakeSlack, before: int) -> dict[str, Any]:
    """The modal the bot opened, as Slack keeps it (with its id)."""
    modal_opened_since(fake, before)
    call = fake.calls("views.open")[before]
    assert call.response is not None and call.response["ok"] is True, call.response
    view: dict[str, Any] = call.response["view"]
    return view


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def test_a_team_lead_sets_up_a_fresh_channel_adds_a_co_admin_and_others_are_told_whom_to_ask(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    # ALICE, no admin anywhere, invites the bot: one short intro, also when Slack retries.
    assert slack.invite_bot(TEAM_CHANNEL, inviter=ALICE).status == 200
    [intro] = eventually(lambda: intro_of(fake))
    assert intro["text"].startswith(f"Thanks for inviting me, <@{ALICE}>!")
    assert slack.resend_last_event(retry_num=1).status == 200
    assert slack.invite_bot(TEAM_CHANNEL, inviter=ALICE, event_id=slack.last_event_id).status == 200

    # Set up the daily question: the form, for this channel, with the new settings.
    before = len(fake.calls("views.open"))
    value = button_value(intro, channels_render.SET_UP_BUTTON)
    click(slack, fake, channels_render.SET_UP_BUTTON, value, user=ALICE, channel=TEAM_CHANNEL)
    form = opened_form(fake, before)
    assert json.loads(form["private_metadata"]) == {"channel_id": TEAM_CHANNEL}
    assert {"time", "categories", "mode", "state"} <= set(block_ids(form))
    assert "`" not in json.dumps([b.get("hint") for b in form["blocks"]])

    assert submitted(slack, form, form_values(categories="databases"), user=ALICE) == {}
    announced = eventually(
        lambda: [m for m in top_level(fake, TEAM_CHANNEL) if "set up the daily" in m["text"]]
    )
    assert "every weekday at 09:45 (Europe/Berlin)" in announced[0]["text"]
    assert "They set this channel up, so they are its admin" in announced[0]["text"]
    assert "questions from databases" in announced[0]["text"]
    assert "blind" in run(slack, fake, "mode", user=CAROL, channel=TEAM_CHANNEL)["text"]

    # ALICE runs it now, and adds BOB.
    listed = run(slack, fake, "admins", user=CAROL, channel=TEAM_CHANNEL)
    assert listed["text"].startswith(f"*Admins of this channel:* <@{ALICE}>.")
    assert f"<@{LEAD}>" in listed["text"]  # the bot's admins, named too
    added = run(slack, fake, f"admins add <@{BOB}|bob>", user=ALICE, channel=TEAM_CHANNEL)
    assert added["response_type"] == "in_channel"
    assert added["text"].startswith(f"<@{ALICE}> made <@{BOB}> an admin of this channel")

    # BOB, a co-admin, pauses it.
    paused = run(slack, fake, "pause", user=BOB, channel=TEAM_CHANNEL)
    assert paused["text"].startswith(f"<@{BOB}> paused the daily question here.")
    assert "It is *paused*" in run(slack, fake, "schedule", user=DAVE, channel=TEAM_CHANNEL)["text"]

    # CAROL is neither: refused privately, with the channel's admins named.
    for command in ("resume", "schedule 10:00", "mode open", f"admins add <@{CAROL}|carol>"):
        refused = run(slack, fake, command, user=CAROL, channel=TEAM_CHANNEL)
        name = command.split()[0]
        assert refused["response_type"] == "ephemeral", refused
        assert refused["text"] == (
            f"Sorry, only this channel's admins can use `/interview {name}`. "
            f"Ask one of them: <@{ALICE}>, <@{BOB}>."
        )
    assert "It is *paused*" in run(slack, fake, "schedule", user=DAVE, channel=TEAM_CHANNEL)["text"]
    # ... and pressing the intro's Set up button gets the same names, privately, no form.
    before = len(fake.calls("views.open"))
    reply = click_and_wait(
        slack, fake, channels_render.SET_UP_BUTTON, TEAM_CHANNEL, user=CAROL, channel=TEAM_CHANNEL
    )
    assert reply["text"] == (
        "Only this channel's admins can change its daily question. Ask one of them: "
        f"<@{ALICE}>, <@{BOB}>."
    )
    assert len(fake.calls("views.open")) == before

    # The channel's admins are its own: in the practice channel ALICE is nobody special.
    refused = run(slack, fake, "pause", user=ALICE)
    assert refused["text"].startswith(
        "Sorry, only this channel's admins can use `/interview pause`"
    )
    assert f"<@{LEAD}>" in refused["text"]
    # Workspace admins and INTERVIEW_ADMINS keep full rights here.
    assert "resumed" in run(slack, fake, "resume", user=ADMIN, channel=TEAM_CHANNEL)["text"]
    assert "paused" in run(slack, fake, "pause", user=LEAD, channel=TEAM_CHANNEL)["text"]
    # A channel keeps an admin: BOB can remove ALICE, not then himself.
    removed = run(slack, fake, f"admins remove <@{ALICE}|alice>", user=BOB, channel=TEAM_CHANNEL)
    assert removed["text"] == f"<@{BOB}> removed <@{ALICE}> from this channel's admins."
    last = run(slack, fake, f"admins remove <@{BOB}|bob>", user=BOB, channel=TEAM_CHANNEL)
    assert last["text"].startswith(f"<@{BOB}> is this channel's only admin")
    assert log_problems(bot.logs()) == []


def test_try_a_question_on_the_intro_gives_the_presser_a_question_of_their_own(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    slack.invite_bot(TEAM_CHANNEL, inviter=None)
    [intro] = eventually(lambda: intro_of(fake))
    assert intro["text"].startswith("Hello!")
    posted = len(top_level(fake, TEAM_CHANNEL))

    reply = click_and_wait(
        slack,
        fake,
        channels_render.TRY_BUTTON,
        button_value(intro, channels_render.TRY_BUTTON),
        user=CAROL,
        channel=TEAM_CHANNEL,
    )

    assert reply["response_type"] == "ephemeral"
    # a practice card, hers alone
    assert button_value(reply, questions_render.POST_PRACTICE_BUTTON)
    assert len(top_level(fake, TEAM_CHANNEL)) == posted


def test_the_first_home_tab_gets_everyone_started_and_admins_set_up_a_channel(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "schedule 09:30 Europe/Berlin", user=ADMIN)  # ADMIN runs the practice channel
    fake.add_channel("CSECRET", "hiring-panel", is_private=True)
    run(slack, fake, "schedule 10:00 Europe/Berlin", user=BOB, channel="CSECRET")

    home = json.dumps(open_home(slack, fake, DAVE))
    assert "CSECRET" not in home  # a private channel is named only to those who run it
    assert "<#CSECRET>: <@UBOB>" in json.dumps(open_home(slack, fake, BOB))
    assert "Practise now" in home and channels_render.TRY_BUTTON in home
    assert channels_render.SET_UP_BUTTON not in home  # DAVE runs nothing
    assert "What I store about you:* 0 answers, 0 votes you cast" in home
    assert f"<#CPRACTICE>: <@{ADMIN}>" in home  # who runs each channel
    assert f"<@{LEAD}>" in home  # and every channel

    # Practise now: a question in DAVE's direct messages.
    view = fake.home_view(DAVE)
    assert view is not None
    press_on_home(slack, fake, channels_render.TRY_BUTTON, "", user=DAVE, view=view)
    eventually(lambda: [c for c in fake.calls("chat.postMessage") if c.args.get("channel") == DAVE])

    # A bot admin gets Set up a channel: the form with a channel picker and the new settings.
    home_view = open_home(slack, fake, LEAD)
    assert channels_render.SET_UP_BUTTON in json.dumps(home_view)
    before = len(fake.calls("views.open"))
    press_on_home(slack, fake, channels_render.SET_UP_BUTTON, "", user=LEAD, view=home_view)
    form = opened_form(fake, before)
    assert block_ids(form)[0] == "channel"
    assert {"categories", "mode", "state"} <= set(block_ids(form))

    # Saved for a channel the bot was invited to: LEAD set it up, so LEAD runs it.
    fake.bot_joins("CSECONDTEAM")
    values = form_values() | {
        "channel": {
            "channel": {"type": "conversations_select", "selected_conversation": "CSECONDTEAM"}
        }
    }
    assert submitted(slack, form, values, user=LEAD) == {}
    announced = eventually(lambda: top_level(fake, "CSECONDTEAM"))[-1]["text"]
    assert announced.startswith(f"<@{LEAD}> set up the daily interview question here:")
    assert "They set this channel up, so they are its admin" in announced
    listed = run(slack, fake, "admins", user=DAVE, channel="CSECONDTEAM")
    assert listed["text"].startswith(f"*Admins of this channel:* <@{LEAD}>.")
    # A channel the bot is not in: said under the picker, nothing saved.
    values["channel"]["channel"]["selected_conversation"] = "COUTSIDE"
    answer = submitted(slack, form, values, user=LEAD)
    assert list(answer["errors"]) == ["channel"] and "/invite" in answer["errors"]["channel"]


def press_on_home(
    slack: SlackDriver, fake: FakeSlack, action_id: str, value: str, *, user: str, view: Any
) -> None:
    """A button on the Home tab."""
    button = {"action_id": action_id, "value": value, "type": "button"}
    act_on_view(slack, fake, view, button, user=user)


def test_a_channel_admin_changes_the_admins_from_the_home_tab(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    slack.invite_bot(TEAM_CHANNEL, inviter=ALICE)
    set_up = run(slack, fake, "schedule 09:30 Europe/Berlin", user=ALICE, channel=TEAM_CHANNEL)
    assert "They set this channel up, so they are its admin" in set_up["text"]

    # Only the channel's admins (and the bot's) get the button.
    assert channels_render.MANAGE_ADMINS_BUTTON not in json.dumps(open_home(slack, fake, DAVE))
    home = open_home(slack, fake, ALICE)
    assert button_on(home, channels_render.MANAGE_ADMINS_BUTTON) == TEAM_CHANNEL
    before = len(fake.calls("views.open"))
    press_on_home(
        slack, fake, channels_render.MANAGE_ADMINS_BUTTON, TEAM_CHANNEL, user=ALICE, view=home
    )
    form = opened_form(fake, before)

    # Nobody left to ask is refused; a replay by someone else changes nothing.
    assert submitted(slack, form, chosen([]), user=ALICE)["errors"]["admins"].startswith(
        "Choose at least one person"
    )
    refused = submitted(slack, form, chosen([DAVE]), user=DAVE)
    assert refused["errors"] == {  # plain text: her name as Slack shows it, no mention
        "admins": "Only this channel's admins can change its admins. Ask alice."
    }

    assert submitted(slack, form, chosen([ALICE, CAROL]), user=ALICE) == {}
    eventually(
        lambda: [m for m in top_level(fake, TEAM_CHANNEL) if "changed who runs" in m["text"]]
    )
    assert "paused" in run(slack, fake, "pause", user=CAROL, channel=TEAM_CHANNEL)["text"]
    refused_pause = run(slack, fake, "resume", user=DAVE, channel=TEAM_CHANNEL)["text"]
    assert refused_pause.endswith(f"Ask one of them: <@{ALICE}>, <@{CAROL}>.")


def test_when_slack_cannot_say_who_is_an_admin_the_person_is_told_so(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "schedule 09:30 Europe/Berlin", user=ALICE)  # ALICE runs the channel
    fake.fail_next("users.info", "internal_error")

    reply = run(slack, fake, "pause", user=ADMIN)  # a workspace admin, but Slack didn't say

    assert reply["text"].startswith("Sorry, I couldn't check your Slack role just now")
    assert "`internal_error`" in reply["text"] and "Nothing was changed" in reply["text"]
    # On the Home tab there is no message to answer under: the same words open as a notice.
    home = open_home(slack, fake, ALICE)  # (ADMIN's own would have asked Slack already)
    fake.fail_next("users.info", "internal_error")
    before = len(fake.calls("views.open"))
    press_on_home(slack, fake, channels_render.EDIT_SCHEDULE_BUTTON, CHANNEL, user=ADMIN, view=home)
    notice = opened_form(fake, before)
    assert notice["submit"] is None and notice["callback_id"] == ""
    assert notice["blocks"][0]["text"]["text"].startswith(
        "Sorry, I couldn't check your Slack role just now"
    )
    assert "paused" in run(slack, fake, "pause", user=ADMIN)["text"]  # asked again: fine


def test_a_stale_home_tab_button_says_whom_to_ask(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    """ALICE's Home tab, pressed by DAVE (a replay, or a tab left open after a change)."""
    slack.invite_bot(TEAM_CHANNEL, inviter=ALICE)
    run(slack, fake, "schedule 09:30 Europe/Berlin", user=ALICE, channel=TEAM_CHANNEL)
    home = open_home(slack, fake, ALICE)
    for button in (channels_render.MANAGE_ADMINS_BUTTON, channels_render.EDIT_SCHEDULE_BUTTON):
        before = len(fake.calls("views.open"))
        press_on_home(slack, fake, button, TEAM_CHANNEL, user=DAVE, view=home)
        said = opened_form(fake, before)["blocks"][0]["text"]["text"]
        assert said.startswith("Only this channel's admins can change its ")
        assert said.endswith(f"Ask <@{ALICE}>.")


def chosen(users: list[str]) -> dict[str, Any]:
    return {"admins": {"admins": {"type": "multi_users_select", "selected_users": users}}}


def button_on(view: dict[str, Any], action_id: str) -> str:
    for block in view["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} on the view")


def pick_channel(
    slack: SlackDriver, fake: FakeSlack, form: dict[str, Any], channel: str, *, user: str
) -> dict[str, Any]:
    """`user` picks `channel` in the Set up a channel form; the form as the bot updated it."""
    before = len(fake.calls("views.update"))
    picked = {
        "action_id": channels_render.CHANNEL_PICKED,
        "block_id": "channel",
        "type": "conversations_select",
        "selected_conversation": channel,
    }
    act_on_view(slack, fake, form, picked, user=user)
    call = eventually(lambda: fake.calls("views.update")[before:])[0]
    assert call.response is not None and call.response["ok"] is True, call.response
    view: dict[str, Any] = call.response["view"]
    return view


def initial(view: dict[str, Any], block_id: str) -> Any:
    element = next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]
    option = element.get("initial_option") or {}
    return element.get("initial_value") or option.get("value")


def test_picking_a_channel_to_set_up_shows_its_settings_or_who_to_ask(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    """Set up a channel never saves defaults over a channel's settings: picking a channel that
    runs already fills the form with what it has."""
    slack.invite_bot(TEAM_CHANNEL, inviter=ALICE)
    run(
        slack,
        fake,
        "schedule 07:15 Europe/Berlin categories databases",
        user=ALICE,
        channel=TEAM_CHANNEL,
    )
    run(slack, fake, "mode blind", user=ALICE, channel=TEAM_CHANNEL)
    run(slack, fake, "pause", user=ALICE, channel=TEAM_CHANNEL)

    home = open_home(slack, fake, LEAD)  # a bot admin runs every channel
    before = len(fake.calls("views.open"))
    press_on_home(slack, fake, channels_render.SET_UP_BUTTON, "", user=LEAD, view=home)
    unpicked = opened_form(fake, before)
    form = pick_channel(slack, fake, unpicked, TEAM_CHANNEL, user=LEAD)

    picker = next(b for b in form["blocks"] if b.get("block_id") == "channel")["element"]
    assert picker["initial_conversation"] == TEAM_CHANNEL
    shown = {b: initial(form, b) for b in ("time", "timezone", "categories", "mode", "state")}
    assert shown == {
        "time": "07:15",
        "timezone": "Europe/Berlin",
        "categories": "databases",
        "mode": "blind",
        "state": channels_render.PAUSED,
    }
    assert f"<#{TEAM_CHANNEL}> is paused: its settings are below." in json.dumps(form)
    # Saved as shown, it stays as it was: paused, blind, databases only.
    values = form_values(time="07:15", categories="databases") | {
        "channel": {
            "channel": {"type": "conversations_select", "selected_conversation": TEAM_CHANNEL}
        },
        "state": {"state": select(channels_render.PAUSED)},
    }
    # Saved from a form Slack had not updated yet (its defaults): refused, nothing changes.
    stale = submitted(slack, unpicked, values, user=LEAD)
    assert stale["errors"] == {"channel": channels_ui.STALE_PICK}
    assert submitted(slack, form, values, user=LEAD) == {}
    listed = run(slack, fake, "mode", user=ALICE, channel=TEAM_CHANNEL)["text"]
    assert "blind" in listed.lower()

    # Someone who runs another channel picks this one: told whom to ask, on the form itself.
    fake.bot_joins("CCAROLS")
    run(slack, fake, "schedule 10:00 UTC", user=CAROL, channel="CCAROLS")
    home = open_home(slack, fake, CAROL)
    before = len(fake.calls("views.open"))
    press_on_home(slack, fake, channels_render.SET_UP_BUTTON, "", user=CAROL, view=home)
    refused = pick_channel(slack, fake, opened_form(fake, before), TEAM_CHANNEL, user=CAROL)
    assert f"Only this channel's admins can change its daily question. Ask <@{ALICE}>." in (
        json.dumps(refused)
    )
    # ... and a channel the bot is not in says to invite it.
    outside = pick_channel(slack, fake, refused, "COUTSIDE", user=CAROL)
    assert "/invite @interview-practice" in json.dumps(outside)


def test_invited_back_to_a_channel_it_runs_the_bot_says_where_things_stand(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    slack.invite_bot(TEAM_CHANNEL, inviter=ALICE)
    run(slack, fake, "schedule 09:30 Europe/Berlin", user=ALICE, channel=TEAM_CHANNEL)
    run(slack, fake, "pause", user=ALICE, channel=TEAM_CHANNEL)  # as a removal pauses it

    slack.invite_bot(TEAM_CHANNEL, inviter=BOB)  # a new join: a new intro

    back = eventually(lambda: [m for m in top_level(fake, TEAM_CHANNEL) if "I'm back" in m["text"]])
    assert back[0]["text"] == (
        f"Thanks for inviting me, <@{BOB}>! I'm back: this channel's daily question is set up "
        "already. It is paused: its admins resume it with `/interview resume`. "
        "`/interview admins` lists who runs it."
    )
    assert "Change the daily question" in json.dumps(back[0]["blocks"])


def test_set_up_a_channel_pressed_by_someone_who_runs_none_says_how_to_start(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    home = open_home(slack, fake, LEAD)  # a bot admin's tab, replayed by DAVE
    before = len(fake.calls("views.open"))
    press_on_home(slack, fake, channels_render.SET_UP_BUTTON, "", user=DAVE, view=home)
    said = opened_form(fake, before)["blocks"][0]["text"]["text"]
    assert said.startswith("Only the bot's admins and channels' admins set channels up from here.")
    assert "`/interview schedule 09:30` there" in said and f"<@{LEAD}>" in said
