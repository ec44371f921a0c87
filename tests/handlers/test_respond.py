"""A modal's field errors reach Slack as plain text: no mrkdwn code marks under a field."""

from __future__ import annotations

import json

from slack_bolt import Ack

from handlers.respond import close_or_show_errors


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
