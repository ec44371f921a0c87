"""Nothing Slack was told we received is lost: SIGKILL right after a burst of answers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, BotProcess, eventually

BURST = 120
KILL_AFTER = 90  # acknowledged answers before the kill; the rest of the burst hits a dead process


def test_acknowledged_answers_survive_sigkill(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    slack.command("now", user=ADMIN, channel=CHANNEL)
    [question] = eventually(lambda: fake.messages(CHANNEL))
    people = [ALICE, BOB, CAROL, DAVE]

    acks = threading.Semaphore(0)

    def answer(i: int) -> tuple[str, int]:
        try:
            ts, response = slack.reply(
                CHANNEL, question["ts"], f"answer number {i}", user=people[i % len(people)]
            )
        except OSError:  # the process is gone
            return "", 0
        if response.status == 200:
            acks.release()
        return ts, response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(answer, i) for i in range(BURST)]
        for _ in range(KILL_AFTER):
            acks.acquire(timeout=30)
        bot.kill()  # mid-burst: some acknowledged events have not been applied yet
        results = [f.result() for f in futures]

    acknowledged = {ts for ts, status in results if status == 200}
    assert len(acknowledged) >= KILL_AFTER

    bot.start()  # same database; the inbox is drained on start-up
    exported = {a["ts"]: a["text"] for a in bot.export()["rounds"][0]["answers"]}
    assert acknowledged <= set(exported)
    assert "replayed_events=" in bot.logs()
