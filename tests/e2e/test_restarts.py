"""Restarts lose nothing Slack was told we received: SIGTERM in the middle of a burst of answers
and votes is graceful (no new connections, the requests already received finish, exit 0 within
10 s), and SIGKILL in the middle of a burst of votes loses no acknowledged vote either (the
answers' SIGKILL case is tests/e2e/test_crash_recovery.py)."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.driver import Response, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    SIGNING_SECRET,
    BotProcess,
    eventually,
)

PEOPLE = [ALICE, BOB, CAROL, DAVE]
BURST = 120
SIGNAL_AFTER = 60  # acknowledged events before the signal; the rest races the shutdown
STOP_WITHIN = 10.0  # seconds from SIGTERM to the process's exit


def post_question(slack: SlackDriver, fake: FakeSlack) -> str:
    assert slack.command("now", user=ADMIN, channel=CHANNEL).status == 200
    [question] = eventually(lambda: fake.messages(CHANNEL))
    return str(question["ts"])


def seed_answers(bot: BotProcess, slack: SlackDriver, question: str) -> dict[str, str]:
    """One applied answer per person: answer ts -> author, for the votes to land on."""
    authors = {}
    for person in PEOPLE:
        ts, response = slack.reply(CHANNEL, question, f"{person}'s answer", user=person)
        assert response.status == 200
        authors[ts] = person
    eventually(lambda: len(bot.export()["rounds"][0]["answers"]) == len(PEOPLE))
    return authors


Sent = tuple[str, tuple[str, str], int]  # kind, what it recorded, HTTP status (0: no answer)


def burst(
    slack: SlackDriver,
    question: str,
    authors: dict[str, str],
    on_ack: Callable[[], None],
    kinds: tuple[str, ...] = ("answer", "vote"),
) -> Callable[[int], Sent]:
    """Event i of a burst: an answer (kind, (answer ts, text)) or a vote by a voter of its own
    on one of the seeded answers (kind, (answer ts, voter))."""
    answers = list(authors)

    def send(i: int) -> Sent:
        kind = kinds[i % len(kinds)]
        try:
            if kind == "answer":
                text = f"answer number {i}"
                ts, response = slack.reply(CHANNEL, question, text, user=PEOPLE[i % len(PEOPLE)])
                recorded = (ts, text)
            else:
                target, voter = answers[i % len(answers)], f"UVOTER{i:03d}"
                response = slack.react(CHANNEL, target, "+1", user=voter, item_user=authors[target])
                recorded = (target, voter)
        except OSError:  # refused or cut off: the process is stopping or gone
            return kind, ("", ""), 0
        if response.status == 200:
            on_ack()
        return kind, recorded, response.status

    return send


def exported(bot: BotProcess) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(answer ts, text) and (answer ts, voter) for everything in `python -m bot export`."""
    [rnd] = bot.export()["rounds"]
    answers = {(a["ts"], a["text"]) for a in rnd["answers"]}
    votes = {(a["ts"], voter) for a in rnd["answers"] for voter in a["votes"]}
    return answers, votes


def acknowledged(results: list[Sent], kind: str) -> set[tuple[str, str]]:
    return {recorded for k, recorded, status in results if k == kind and status == 200}


def test_sigterm_mid_burst_loses_no_acknowledged_answer_or_vote_and_exits_0_within_10s(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = post_question(slack, fake)
    authors = seed_answers(bot, slack, question)
    acks = threading.Semaphore(0)
    assert bot.proc is not None

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [
            pool.submit(burst(slack, question, authors, acks.release), i) for i in range(BURST)
        ]
        for _ in range(SIGNAL_AFTER):
            assert acks.acquire(timeout=30)
        signalled = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = bot.proc.wait(timeout=STOP_WITHIN + 5)
        stopped_after = time.monotonic() - signalled
        results = [f.result() for f in futures]

    assert code == 0, bot.logs()[-3000:]
    assert stopped_after < STOP_WITHIN, stopped_after
    assert "stopped finished=True" in bot.logs()
    answers, votes = acknowledged(results, "answer"), acknowledged(results, "vote")
    assert len(answers) + len(votes) >= SIGNAL_AFTER

    bot.start()  # same database
    exported_answers, exported_votes = exported(bot)
    assert answers <= exported_answers
    assert votes <= exported_votes


def test_sigterm_lets_a_request_in_flight_finish_and_refuses_new_connections(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    """A request half received when SIGTERM arrives is still read, answered 200 and applied;
    a connection opened after the signal is refused."""
    question = post_question(slack, fake)
    ts, event = slack.prepare_reply(CHANNEL, question, "sent slowly", user=ALICE)
    body = json.dumps(slack.envelope(event)).encode()
    head = _signed_headers(bot.port, body)
    assert bot.proc is not None

    with socket.create_connection(("127.0.0.1", bot.port), timeout=15) as held:
        held.sendall(head + body[:20])
        time.sleep(0.3)  # the server has read the headers and part of the body
        signalled = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        eventually(lambda: _refused(bot.port), timeout=3)
        held.sendall(body[20:])
        reply = _read_response(held)
    code = bot.proc.wait(timeout=STOP_WITHIN + 5)
    stopped_after = time.monotonic() - signalled

    assert reply.status == 200, reply
    assert code == 0 and stopped_after < STOP_WITHIN, (code, stopped_after)
    bot.start()
    answers, _ = exported(bot)
    assert (ts, "sent slowly") in answers


def test_sigterm_with_a_listener_stuck_on_slack_still_exits_0_within_10s(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command's reply that never gets through (Slack's response_url accepts the connection and
    never answers): the shutdown waits for it only as long as its budget allows."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/commands/stuck"
        monkeypatch.setattr(fake, "response_url", lambda **_: url)
        assert slack.command("help", user=ALICE, channel=CHANNEL).status == 200
        time.sleep(0.5)  # the listener is now waiting on the silent response_url
        assert bot.proc is not None
        signalled = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = bot.proc.wait(timeout=STOP_WITHIN + 5)
        stopped_after = time.monotonic() - signalled
    assert code == 0 and stopped_after < STOP_WITHIN, (code, stopped_after)
    assert "stopped finished=False" in bot.logs()


def test_sigkill_mid_burst_of_votes_loses_no_acknowledged_vote(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = post_question(slack, fake)
    authors = seed_answers(bot, slack, question)
    acks = threading.Semaphore(0)

    with ThreadPoolExecutor(max_workers=16) as pool:
        send = burst(slack, question, authors, acks.release, kinds=("vote",))
        futures = [pool.submit(send, i) for i in range(BURST)]
        for _ in range(SIGNAL_AFTER):
            assert acks.acquire(timeout=30)
        bot.kill()  # mid-burst: some acknowledged votes are stored and not applied yet
        results = [f.result() for f in futures]

    votes = acknowledged(results, "vote")
    assert len(votes) >= SIGNAL_AFTER
    bot.start()
    _, exported_votes = exported(bot)
    assert votes <= exported_votes


# -- a request sent by hand, to hold it half-way ------------------------------------------------


def _signed_headers(port: int, body: bytes) -> bytes:
    """The request line and headers of a Slack-signed event delivery of `body`."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    head = (
        "POST /slack/events HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {stamp}\r\n"
        f"X-Slack-Signature: {signature}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode()


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def _read_response(sock: socket.socket) -> Response:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, Any] = dict(line.split(": ", 1) for line in header_lines if ": " in line)
    return Response(int(status_line.split()[1]), body.decode(), headers)
