"""A full daily round through the real server: now -> answers -> votes -> reveal -> export."""

from __future__ import annotations

import json
from functools import partial

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, LEAD, ROOT, BotProcess
from tests.helpers import eventually, in_thread, last_response, open_home


def question_ts(fake: FakeSlack) -> str:
    [post] = eventually(lambda: fake.messages(CHANNEL))
    return post["ts"]


def round_of(bot: BotProcess) -> dict:
    [rnd] = bot.export()["rounds"]
    return rnd


def test_full_round(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    assert slack.command("now", user=ADMIN, channel=CHANNEL).status == 200
    question = question_ts(fake)
    posted = fake.calls("chat.postMessage")[0].args
    assert "Interview question of the day" in posted["text"]
    assert any("Answer in this thread" in json.dumps(b) for b in posted["blocks"])
    assert "I'll reveal the answer" in last_response(fake)

    # A second `now` while the round is open explains instead of posting.
    slack.command("now", user=ADMIN, channel=CHANNEL)
    eventually(lambda: len(fake.calls("response_url")) == 2)
    assert "already open" in last_response(fake)
    assert len(fake.messages(CHANNEL)) == 1

    alice_ts, _ = slack.reply(CHANNEL, question, "Rate limit at the gateway <!channel>", user=ALICE)
    bob_ts, _ = slack.reply(CHANNEL, question, "Postgres plus Redis sessions", user=BOB)
    slack.edit(CHANNEL, bob_ts, "Postgres for users, Redis for sessions with TTL", user=BOB)
    carol_ts, _ = slack.reply(CHANNEL, question, "oops, wrong thread", user=CAROL)
    slack.delete(CHANNEL, carol_ts, user=CAROL, thread_ts=question)
    # Slack delivers Dave's edit before the reply itself.
    dave_ts, dave_reply = slack.prepare_reply(CHANNEL, question, "first draft", user=DAVE)
    slack.edit(CHANNEL, dave_ts, "JWTs with refresh tokens", user=DAVE, thread_ts=question)
    slack.event(dave_reply)
    # Alice's reply is delivered again with the same event_id, as a Slack retry.
    first = slack.reply(CHANNEL, question, "retry me", user=ALICE)
    assert slack.resend_last_event(retry_num=1).status == 200
    # Not answers: another bot, top-level chatter.
    slack.bot_reply(CHANNEL, question, "I am a bot")
    slack.post(CHANNEL, "lunch anyone?", user=BOB)

    # Votes: two for Alice (one with a skin tone), a self-vote, a vote added then removed.
    slack.react(CHANNEL, alice_ts, "+1", user=BOB, item_user=ALICE)
    slack.react(CHANNEL, alice_ts, "+1::skin-tone-3", user=CAROL, item_user=ALICE)
    slack.react(CHANNEL, alice_ts, "+1", user=ALICE, item_user=ALICE)
    slack.react(CHANNEL, bob_ts, "+1", user=DAVE, item_user=BOB)
    slack.unreact(CHANNEL, bob_ts, "+1", user=DAVE, item_user=BOB)
    slack.react(CHANNEL, bob_ts, "tada", user=ALICE, item_user=BOB)

    def answers_settled() -> list[dict]:
        answers = round_of(bot)["answers"]
        texts = {a["user"]: a["text"] for a in answers if a["ts"] != first[0]}
        assert texts.get(DAVE) == "JWTs with refresh tokens"
        assert texts.get(BOB) == "Postgres for users, Redis for sessions with TTL"
        alice = next(a for a in answers if a["ts"] == alice_ts)
        assert sorted(alice["votes"]) == [BOB, CAROL]
        bob = next(a for a in answers if a["ts"] == bob_ts)
        assert bob["votes"] == []
        return answers

    answers = eventually(answers_settled)
    assert CAROL not in {a["user"] for a in answers}
    assert [a["ts"] for a in answers].count(first[0]) == 1  # the retry was not stored twice

    # Only admins reveal.
    slack.command("reveal", user=BOB, channel=CHANNEL)
    eventually(lambda: "only this channel's admins" in last_response(fake))
    assert len(fake.messages(CHANNEL)) == 1

    slack.command("reveal", user=LEAD, channel=CHANNEL)
    # (the reveal's own edit, which brings its mentions in, comes before the question closes)
    [update] = eventually(
        lambda: [c for c in fake.calls("chat.update") if c.args["ts"] == question]
    )
    assert "closed" in update.args["text"]
    reveal = in_thread(fake, question)[0]
    rendered = json.dumps(reveal["blocks"])
    assert "Sample answer" in rendered and "What the interviewer is looking for" in rendered
    assert "3 people answered" in rendered
    assert f"<@{ALICE}>" in rendered and "2 :+1: votes" in rendered
    # Alice's answer is quoted escaped: it cannot ping the channel.
    assert "&lt;!channel&gt;" in rendered and "<!channel>" not in rendered

    # After the reveal, late replies are not counted.
    late_ts, _ = slack.reply(CHANNEL, question, "late!", user=CAROL)
    eventually(lambda: "outcome=ignored: after the reveal" in bot.logs())
    exported = round_of(bot)
    assert exported["revealed_at"] is not None
    assert late_ts not in {a["ts"] for a in exported["answers"]}
    assert exported["message_ts"] == question
    assert exported["local_date"].count("-") == 2

    # One structured log line per request, with Slack's ids, and never a token.
    logs = bot.logs()
    assert f"kind=message team=T0TEAM channel={CHANNEL} user={ALICE} request_id=Ev" in logs
    assert "retry=1" in logs
    assert fake.bot_token not in logs and "xoxb-" not in logs


def test_admin_only_and_bad_input(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("now", user=BOB, channel=CHANNEL)
    assert "only this channel's admins" in last_response(fake)
    slack.command("schedule 25:00 Europe/Berlin", user=ADMIN, channel=CHANNEL)
    eventually(lambda: len(fake.calls("response_url")) == 2)
    reply = last_response(fake)
    assert "Nothing was saved" in reply and "`25:00` is not a time of day" in reply
    assert "Example: `/interview schedule 09:30" in reply
    slack.command("schedule 09:30 Mars/Olympus", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "not a time zone" in last_response(fake))
    slack.command("schedule", user=BOB, channel=CHANNEL)
    eventually(lambda: "no daily question yet" in last_response(fake))
    slack.command("shedule 09:30", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "Did you mean `/interview schedule`?" in last_response(fake))
    slack.command("now kubernetes", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "no category `kubernetes`" in last_response(fake))
    assert fake.messages(CHANNEL) == []
    assert all(c.args.get("response_type") == "ephemeral" for c in fake.calls("response_url"))


def test_schedule_and_pause(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command(
        "schedule 09:30 europe/berlin weekdays reveal 16:00 holidays de-by",
        user=ADMIN,
        channel=CHANNEL,
    )
    reply = eventually(lambda: fake.calls("response_url"))[-1].args
    assert reply["response_type"] == "in_channel"
    assert "every weekday at 09:30 (Europe/Berlin), reveal at 16:00" in reply["text"]
    assert "DE-BY" in reply["text"]
    slack.command("pause", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "paused" in last_response(fake))
    slack.command("schedule", user=CAROL, channel=CHANNEL)
    eventually(lambda: "It is *paused*" in last_response(fake))
    assert f"{CHANNEL}: every weekday at 09:30" in bot.cli("status")
    assert "    paused" in bot.cli("status")
    slack.command("resume", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "resumed" in last_response(fake))
    assert "next post: " in bot.cli("status")


def test_channel_categories(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("schedule 09:30 UTC categories sytem-design", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "Unknown category `sytem-design`" in last_response(fake))
    slack.command("schedule 09:30 UTC daily categories system-design", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "questions from system-design" in last_response(fake))

    def questions() -> list[str]:
        posts = fake.calls("chat.postMessage")
        return [c.args["text"] for c in posts if "thread_ts" not in c.args]

    def reveals() -> int:
        return sum("Revealed" in c.args["text"] for c in fake.calls("response_url"))

    def posted(count: int) -> bool:
        return len(questions()) == count

    def revealed(count: int) -> bool:
        return reveals() == count

    for i in range(3):  # the bank has three system-design questions: no repeats among them
        slack.command("now", user=ADMIN, channel=CHANNEL)
        eventually(partial(posted, i + 1))
        slack.command("reveal", user=ADMIN, channel=CHANNEL)
        eventually(partial(revealed, i + 1))
    texts = questions()
    assert len(texts) == 3 and len(set(texts)) == 3
    assert all("(System design)" in q for q in texts)


def test_bot_not_in_channel(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("now", user=ADMIN, channel="COUTSIDE")
    assert "/invite @interview-practice" in last_response(fake)
    slack.command("schedule 09:30", user=ADMIN, channel="COUTSIDE")
    eventually(lambda: len(fake.calls("response_url")) == 2)
    assert "Nothing was saved" in last_response(fake)
    assert "/invite" in last_response(fake)
    # Nothing was posted, so nothing holds the day's slot: the scheduled question still comes.
    assert "No failed rounds." in bot.cli("status")
    assert bot.export()["rounds"] == []


def test_rate_limited_post_is_retried(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    slack.command("now", user=ADMIN, channel=CHANNEL)
    eventually(lambda: fake.messages(CHANNEL))
    statuses = [c.status for c in fake.calls("chat.postMessage")]
    assert statuses == [429, 200]


def test_app_home_lists_the_channels(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("schedule 08:45 America/New_York daily", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "scheduled" in last_response(fake))
    home = json.dumps(open_home(slack, fake, ALICE))
    [publish] = fake.calls("views.publish")
    assert publish.args["user_id"] == ALICE
    assert f"<#{CHANNEL}>" in home and "every day at 08:45 (America/New_York)" in home
    assert "/interview schedule" in home


def test_a_channel_chooses_its_vote_emoji(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    slack.command("emoji :star:", user=BOB, channel=CHANNEL)
    eventually(lambda: "only this channel's admins" in last_response(fake))
    slack.command("emoji not an emoji", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "Usage" in last_response(fake))
    slack.command("emoji :star:", user=ADMIN, channel=CHANNEL)
    eventually(lambda: "vote emoji here to :star:" in last_response(fake))
    slack.command("now", user=ADMIN, channel=CHANNEL)
    [post] = eventually(lambda: fake.calls("chat.postMessage"))
    assert post.response is not None
    question = post.response["ts"]
    assert ":star:" in json.dumps(fake.calls("chat.postMessage")[0].args["blocks"])
    alice_ts, _ = slack.reply(CHANNEL, question, "an answer", user=ALICE)
    slack.react(CHANNEL, alice_ts, "+1", user=BOB, item_user=ALICE)  # no longer a vote
    slack.react(CHANNEL, alice_ts, "star", user=CAROL, item_user=ALICE)

    def votes() -> list[str] | None:
        answers = round_of(bot)["answers"]
        return answers[0]["votes"] if answers else None

    eventually(lambda: votes() == [CAROL])


def test_status_and_export_explain_a_missing_database(bot: BotProcess, tmp_path) -> None:
    import subprocess
    import sys

    env = {**bot.env, "DATABASE_URL": f"sqlite:///{tmp_path / 'nothing-here.db'}"}
    for command in ("status", "export"):
        result = subprocess.run(
            [sys.executable, "-m", "bot", command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"error: no database file at {tmp_path / 'nothing-here.db'}; check DATABASE_URL"
        )
    assert not (tmp_path / "nothing-here.db").exists()
