"""The bot's Slack client: reads are retried with backoff after a 5xx or a dropped connection,
posts never are (they could land twice), and a 429 is waited out for every call."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.fake_slack import FakeSlack
from tests.helpers import ALICE, CHANNEL, client_for


def test_a_read_is_retried_after_a_503_and_a_dropped_connection(fake: FakeSlack) -> None:
    client = client_for(fake)("T")
    fake.fail_next("users.info", "service_unavailable", status=503)
    assert client.users_info(user=ALICE)["user"]["id"] == ALICE
    fake.drop_next("users.info")
    assert client.users_info(user=ALICE)["user"]["id"] == ALICE
    assert len(fake.calls("users.info")) == 4  # each failure, then its retry


def test_a_post_is_not_retried_after_a_500(fake: FakeSlack) -> None:
    client = client_for(fake)("T")
    fake.fail_next("chat.postMessage", "internal_error", status=500)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=CHANNEL, text="once")
    assert len(fake.calls("chat.postMessage")) == 1


def test_a_post_whose_connection_dropped_is_not_sent_again(fake: FakeSlack) -> None:
    client = client_for(fake)("T")
    fake.drop_next("chat.postMessage")
    with pytest.raises(Exception):  # noqa: B017 - whatever the transport raises for a reset
        client.chat_postMessage(channel=CHANNEL, text="once")
    assert [m["text"] for m in fake.messages(CHANNEL)] == ["once"]


def test_a_429_is_waited_out_even_for_a_post(fake: FakeSlack) -> None:
    client = client_for(fake)("T")
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    client.chat_postMessage(channel=CHANNEL, text="after the wait")
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]
