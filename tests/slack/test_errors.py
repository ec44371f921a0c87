"""Slack's refusals sorted: a post the bot got wrong (too long, bad blocks) is its own bug, never
retried; a channel whose posting permissions shut the bot out is refused for good."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.fake_slack import FakeSlack
from bot.slack.errors import BOT_BUGS, NOT_A_MEMBER, is_permanent, is_transient, refusal
from tests.helpers import CHANNEL, client_for


def refused(fake: FakeSlack, error: str) -> SlackApiError:
    fake.fail_next("chat.postMessage", error)
    with pytest.raises(SlackApiError) as info:
        client_for(fake)("T").chat_postMessage(channel=CHANNEL, text="once")
    return info.value


@pytest.mark.parametrize("error", BOT_BUGS)
def test_a_post_the_bot_got_wrong_is_a_logged_bug_and_never_retried(
    fake: FakeSlack, error: str
) -> None:
    exc = refused(fake, error)
    assert is_permanent(exc) and not is_transient(exc)
    text = refusal(exc)
    assert text is not None and f"`{error}`" in text and "bug in the bot" in text
    assert "try again" not in text.lower()


@pytest.mark.parametrize(
    "error",
    [
        "posting_to_general_channel_denied",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
    ],
)
def test_a_channel_the_bot_may_not_post_in_is_refused_for_good_and_pauses(
    fake: FakeSlack, error: str
) -> None:
    exc = refused(fake, error)
    assert is_permanent(exc) and not is_transient(exc) and error in NOT_A_MEMBER
    text = refusal(exc)
    assert text is not None and "another channel" in text and "logged" not in text
