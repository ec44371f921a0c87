"""A modal's field errors reach Slack as plain text: no mrkdwn code marks under a field."""

from __future__ import annotations

import json

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.sandbox.fake_slack import FakeSlack
from bot.slack.replies import Reply
from handlers.respond import close_or_show_errors, say


def test_field_errors_go_to_slack_without_backticks() -> None:
    ack = Ack()
    close_or_show_errors(ack, {"duration": "Give the length like `2h`, `90m` or `3d`."})
    assert ack.response is not None and ack.response.status == 200
    assert json.loads(ack.response.body) == {
        "response_action": "errors",
        "errors": {"duration": "Give the length like 2h, 90m or 3d."},
    }


def test_a_form_without_errors_closes() -> None:
    ack = Ack()
    close_or_show_errors(ack, None)
    assert ack.response is not None and ack.response.body == ""


def test_a_home_tab_notice_whose_trigger_expired_is_dropped_quietly() -> None:
    """A button on a view has no response_url: the reply opens as a notice, unless Slack says
    the 3-second trigger has expired, which is logged and not raised into the listener."""
    fake = FakeSlack()
    fake.start()
    try:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        respond = Respond(response_url=None)
        say(respond, Reply("Only this channel's admins can."), client=client, trigger_id="stale")
        assert fake.calls("views.open")[-1].response == {"ok": False, "error": "invalid_trigger_id"}

        trigger = fake.new_trigger_id()
        say(respond, Reply("Only this channel's admins can."), client=client, trigger_id=trigger)
        shown = fake.calls("views.open")[-1]
        assert shown.response is not None and shown.response["ok"] is True
        assert "Only this channel's admins can." in json.dumps(shown.args["view"])
    finally:
        fake.stop()
