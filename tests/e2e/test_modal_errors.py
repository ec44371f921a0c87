"""Slack shows a modal's field errors as plain text: a sentence the bot also uses in messages
reaches the modal without its code marks (backticks), whichever form it comes from."""

from __future__ import annotations

from bot.calibration import render as calibration_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, CHANNEL
from tests.helpers import click_for_modal, open_home, submitted, text_inputs


def test_a_bad_calibration_length_is_shown_under_its_field_without_backticks(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    open_home(slack, fake, ADMIN)
    form = click_for_modal(slack, fake, calibration_render.START_BUTTON, "", user=ADMIN)
    values = {
        "question": {
            "question": {"type": "static_select", "selected_option": {"value": "sql-vs-nosql"}}
        },
        "channel": {"channel": {"type": "conversations_select", "selected_conversation": CHANNEL}},
        "evidence": {"evidence": {"type": "static_select", "selected_option": {"value": "pasted"}}},
        **text_inputs({"pasted": "I'd use Mongo.", "duration": "soon"}),
    }
    answer = submitted(slack, form, values, user=ADMIN)
    assert answer == {
        "response_action": "errors",
        "errors": {"duration": "Give the length like 2h, 90m or 3d."},
    }
