"""`python -m bot demo`: today, played in seconds by the real bot against the local fake Slack.

The real app runs on its real HTTP server; Slack-signed requests play four teammates; a virtual
clock moves today along (and Slack's message timestamps with it). With `--questions FILE`, every
question of the bank is shown first as the channel would see it. The channel is printed as a person would read it. After the round, a
hiring manager runs an interviewer calibration: a panel scores a bank specimen blind, the reveal
and its charts follow, and a report across sessions; the charts are saved as PNG files."""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar
from zoneinfo import ZoneInfo

from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, create_server

from bot.app import Bot, build_bot
from bot.calibration import render as calibration_render
from bot.calibration.rubric import level_name
from bot.config import Settings
from bot.questions.bank import QuestionBank
from bot.questions.model import Question
from bot.rounds import render as round_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.transcript import blocks_to_text
from bot.server import make_wsgi
from bot.slack.mrkdwn import plural
from storage import inbox as inbox_store

ZONE = "Europe/Berlin"
CHANNEL, CHANNEL_NAME = "CDEMO", "interview-practice"
ADA, ALICE, BOB, CAROL, DAVE = "UADA", "UALICE", "UBOB", "UCAROL", "UDAVE"
NAMES = {
    ADA: "ada",
    ALICE: "alice",
    BOB: "bob",
    CAROL: "carol",
    DAVE: "dave",
    "UBOT": "Interview Practice",
    CHANNEL: CHANNEL_NAME,
}
DEFAULT_BANK = Path(__file__).resolve().parents[2] / "data" / "questions.yaml"
# Emoji the calibration messages use that the transcript leaves as `:code:`.
EMOJI = {":bar_chart:": "📊", ":scales:": "⚖️", ":warning:": "⚠️"}
T = TypeVar("T")


@dataclass
class VirtualClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def set_local(self, hhmm: str) -> None:
        local = self.current.astimezone(ZoneInfo(ZONE))
        hour, minute = map(int, hhmm.split(":"))
        self.current = local.replace(hour=hour, minute=minute).astimezone(UTC)


def this_morning(now: datetime) -> datetime:
    """09:25 today in the demo's time zone (earlier than now, or later: the clock is virtual)."""
    local = now.astimezone(ZoneInfo(ZONE))
    return local.replace(hour=9, minute=25, second=0, microsecond=0).astimezone(UTC)


class DemoSlack(FakeSlack):
    """The fake workspace on the demo's virtual clock: message timestamps are the played day's,
    so answers and the reveal line up whatever the real time is."""

    def __init__(self, clock: VirtualClock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self._ts_lock = threading.Lock()
        self._last_us = 0

    def next_ts(self) -> str:
        with self._ts_lock:
            now_us = int(self.clock.now().timestamp() * 1_000_000)
            self._last_us = max(now_us, self._last_us + 1)
            us = self._last_us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def preview_bank(bank: QuestionBank, path: Path, out: TextIO) -> None:
    """Every question of the bank as the channel would see it: the post, then the reveal's
    rationale and sample answer."""
    reveal_at = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    out.write(
        f"Your bank {path}: {plural(len(bank.questions), 'question')}, all valid. Each, as the channel "
        "would see it:\n"
    )
    for number, question in enumerate(bank.questions, start=1):
        out.write(f"\n── {number}/{len(bank.questions)} · {question.id} " + "─" * 20 + "\n")
        text, blocks = round_render.question_message(
            round_render.QuestionPost(question, reveal_at, ZONE)
        )
        post: list[Mapping[str, Any]] = list(blocks)
        out.write(blocks_to_text(post, text, NAMES) + "\n")
        _, blocks = round_render.reveal_message(question, [], [], "+1")
        # the reveal's rationale and sample answer: what comes before its divider
        answer: list[Mapping[str, Any]] = list(
            blocks[: next(i for i, b in enumerate(blocks) if b["type"] == "divider")]
        )
        out.write("  … and in its thread at the reveal:\n" + blocks_to_text(answer) + "\n")
    out.write("\n")
    out.flush()


class Narrator:
    def __init__(self, out: TextIO, clock: VirtualClock, pause: Callable[[], None]) -> None:
        self.out, self.clock, self.pause = out, clock, pause

    def _stamp(self) -> str:
        return f"{self.clock.now().astimezone(ZoneInfo(ZONE)):%H:%M}"

    def say(self, who: str, text: str, *, thread: bool = False, note: str = "") -> None:
        indent = "        ↳ " if thread else ""
        head = f"{self._stamp()}  {indent}{who}{note}: "
        lines = text.splitlines() or [""]
        pad = " " * (len(self._stamp()) + 2 + (10 if thread else 0) + 4)
        self.out.write(head + lines[0] + "\n")
        for line in lines[1:]:
            self.out.write(pad + line + "\n")
        self.out.flush()
        self.pause()

    def bot(self, message: dict, *, thread: bool = False, note: str = "") -> None:
        text = blocks_to_text(message.get("blocks"), message.get("text", ""), NAMES)
        for code, emoji in EMOJI.items():
            text = text.replace(code, emoji).replace(code.upper(), emoji)
        self.say(
            "Interview Practice (app)",
            "\n" + text if "\n" in text else text,
            thread=thread,
            note=note,
        )

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()


def latest_post(fake: FakeSlack) -> dict:
    """The bot's most recent chat.postMessage as the channel shows it now."""
    ts = (fake.calls("chat.postMessage")[-1].response or {})["ts"]
    return fake.find_message(CHANNEL, ts) or {}


@dataclass
class Stage:
    """What the scenes share: the fake workspace, the people's driver, the narration, the time,
    and where the charts the bot uploads are saved."""

    fake: FakeSlack
    slack: SlackDriver
    say: Narrator
    clock: VirtualClock
    charts: Path
    saved: dict[str, Path] = field(default_factory=dict)  # upload file id -> its saved copy


def wait_until(check: Callable[[], T], what: str, timeout: float = 15.0) -> T:
    """Poll until `check` returns something truthy (the bot answers after its ack)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the demo waited {timeout:.0f}s in vain for {what}")
        time.sleep(0.02)
    return result


def slash(stage: Stage, user: str, text: str) -> dict[str, Any]:
    """`/interview <text>` from `user`, narrated with the answer it got; returns that answer."""
    fake = stage.fake
    before = len(fake.calls("response_url"))
    stage.say.say(NAMES[user], f"/interview {text}")
    stage.slack.command(text, user=user, channel=CHANNEL)
    wait_until(lambda: len(fake.calls("response_url")) > before, f"an answer to /interview {text}")
    reply = fake.calls("response_url")[before].args
    note = "" if reply.get("response_type") == "in_channel" else " (only visible to you)"
    stage.say.bot({"text": reply.get("text", "")}, note=note)
    return reply


# -- the calibration session -------------------------------------------------------------------

RATERS = (ALICE, BOB, CAROL, DAVE, ADA)
# The first session's panel, in the order they score: (time, rater, score, why).
FIRST_PANEL = (
    ("16:14", ALICE, 3, "Covers the main pieces and the flow, but weighs no alternatives."),
    ("16:21", BOB, 2, "Names the components, never says how it scales or what breaks first."),
    ("16:26", CAROL, 4, "Clear, complete and concrete: reads like a strong answer."),
    ("16:33", DAVE, 4, "A concrete choice with a reason for every part; I'd hire on this."),
    ("16:38", ADA, 3, "Meets the bar; I'd probe the trade-offs in a follow-up."),
)
CHANGE = ("16:44", CAROL, 3, "On reflection it weighs no alternatives: a Yes, not a Strong yes.")
# The short sessions after it: each rater's lean against the specimen's expected score.
LEANS = ((0, -1, 0, 1, 0), (0, -1, 1, 0, 0))
SHORT_NOTES = {
    ALICE: "Matches the rubric's wording for this level.",
    BOB: "Misses detail I'd expect at this level.",
    CAROL: "The evidence is there, stated plainly.",
    DAVE: "Concrete enough to act on.",
    ADA: "Where I'd place it after a real interview.",
}


def calibration_question(bank: QuestionBank) -> Question | None:
    """The first question of the bank a panel can score: a rubric and specimens."""
    return next((q for q in bank.questions if q.can_calibrate and q.specimens), None)


def press(stage: Stage, action_id: str, value: str, user: str, message_ts: str) -> None:
    """`user` presses a button of the message `message_ts` in the channel."""
    payload = {
        "type": "block_actions",
        "user": user,
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": message_ts},
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
        "response_url": stage.fake.response_url(channel=CHANNEL, user=user),
    }
    stage.slack.action(payload)


def score(stage: Stage, session_id: str, card_ts: str, user: str, value: int, note: str) -> str:
    """`user` presses Score, fills in the form and saves it; returns the private confirmation."""
    fake = stage.fake
    opened, confirmed = len(fake.calls("views.open")), len(fake.ephemerals(CHANNEL, user))
    press(stage, calibration_render.SCORE_BUTTON, session_id, user, card_ts)
    call = wait_until(lambda: fake.calls("views.open")[opened:], "the score form")[0]
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    inputs = {
        calibration_render.SCORE_INPUT: {
            "type": "radio_buttons",
            "selected_option": {"value": str(value)},
        },
        calibration_render.NOTE_INPUT: {"type": "plain_text_input", "value": note},
    }
    state = {block: {block: element} for block, element in inputs.items()}
    submitted = {
        "id": "VDEMO",
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {"values": state},
    }
    answer = stage.slack.view_submission({"user": user, "view": submitted})
    if answer.body.strip() and answer.json():
        raise RuntimeError(f"the score form refused {NAMES[user]}'s score: {answer.body}")
    mine = wait_until(lambda: fake.ephemerals(CHANNEL, user)[confirmed:], "a score confirmation")
    return str(mine[-1]["text"])


def card_of(stage: Stage, card_ts: str) -> dict[str, Any]:
    return stage.fake.find_message(CHANNEL, card_ts) or {}


def start_session(stage: Stage, text: str) -> tuple[str, str]:
    """The manager runs `/interview <text>`; returns the new card's session id and ts."""
    fake = stage.fake
    before = {m["ts"] for m in fake.messages(CHANNEL)}
    reply = slash(stage, ADA, text)
    if "Calibration session posted" not in reply.get("text", ""):
        raise RuntimeError(f"the calibration session did not start: {reply.get('text')}")
    card = next(
        m
        for m in fake.messages(CHANNEL)
        if m["ts"] not in before and calibration_render.SCORE_BUTTON in json.dumps(m["blocks"])
    )
    session_id = next(
        element["value"]
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == calibration_render.SCORE_BUTTON
    )
    return str(session_id), str(card["ts"])


def results_of(stage: Stage, user: str) -> list[dict[str, Any]]:
    """The private calibration results `user` got from the bot, oldest first."""
    return [m for m in stage.fake.messages(user) if "Your calibration result" in m["text"]]


def close_and_reveal(stage: Stage, session_id: str, card_ts: str) -> dict[str, Any]:
    """The manager presses Close and reveal; returns the reveal once every rater heard theirs."""
    before = {user: len(results_of(stage, user)) for user in RATERS}
    stage.say.say(NAMES[ADA], "presses [ Close and reveal ]")
    press(stage, calibration_render.CLOSE_BUTTON, session_id, ADA, card_ts)
    wait_until(
        lambda: all(len(results_of(stage, u)) > n for u, n in before.items()),
        "the raters' private results",
    )
    wait_until(lambda: "(closed)" in card_of(stage, card_ts).get("text", ""), "the closed card")
    replies = [m for m in stage.fake.thread(CHANNEL, card_ts) if m["thread_ts"] == card_ts]
    return replies[0]


def save_charts(stage: Stage) -> None:
    """Save every chart the bot uploaded and has not been saved yet, and say where."""
    stage.charts.mkdir(parents=True, exist_ok=True)
    for upload in stage.fake.uploads():
        if upload.file_id in stage.saved:
            continue
        path = stage.charts / upload.filename
        if path.exists() or path.suffix != ".png":
            path = stage.charts / f"{Path(upload.filename).stem}-{upload.file_id}.png"
        path.write_bytes(upload.content)
        stage.saved[upload.file_id] = path
        where = "the card's thread" if upload.thread_ts else f"{NAMES[ADA]}'s direct messages"
        stage.say.say(
            "Interview Practice (app)",
            f"📎 uploaded the chart “{upload.title}” ({upload.filename}) to {where}",
            thread=bool(upload.thread_ts),
        )
        stage.say.line(f"       Chart saved: {path}")


def first_session(stage: Stage, question: Question) -> None:
    """A panel of five scores specimen 2 blind, one changes their mind, the manager reveals."""
    say, clock = stage.say, stage.clock
    clock.set_local("16:10")
    session_id, card_ts = start_session(stage, f"calibrate {question.id} specimen 2 for 1h")
    say.bot(card_of(stage, card_ts))
    for at, user, value, note in (*FIRST_PANEL, CHANGE):
        clock.set_local(at)
        again = "presses Score again, changes it to " if (at, user) == CHANGE[:2] else ""
        text = f"{again}{level_name(value)} · “{note}”"
        say.say(NAMES[user], text, note=" (in the private score form)")
        confirmation = score(stage, session_id, card_ts, user, value, note)
        if again:
            say.bot({"text": confirmation}, note=f" (only visible to {NAMES[user]})")
    counted = f"{len(FIRST_PANEL)} interviewers scored so far"
    wait_until(lambda: counted in json.dumps(card_of(stage, card_ts)), "the card's count")
    say.line(f"       (the card now says “{counted}”; nobody's score is visible yet)")
    clock.set_local("16:52")
    reveal = close_and_reveal(stage, session_id, card_ts)
    say.line("")
    say.line("The card now reads:")
    say.bot(card_of(stage, card_ts))
    say.bot(reveal, thread=True)
    save_charts(stage)
    say.line("")
    say.line(f"Privately, {NAMES[ADA]} (the manager) gets the named detail:")
    detail = [m for m in stage.fake.messages(ADA) if "Calibration detail" in m["text"]][-1]
    say.bot(detail, note=f" (direct message to {NAMES[ADA]})")
    say.line(f"and each rater their own result, e.g. {NAMES[BOB]}:")
    say.bot(results_of(stage, BOB)[-1], note=f" (direct message to {NAMES[BOB]})")


def short_session(
    stage: Stage, question: Question, specimen: int, at: str, leans: tuple[int, ...]
) -> None:
    """Another specimen of the same question, scored and closed at once (data for the report)."""
    stage.clock.set_local(at)
    session_id, card_ts = start_session(stage, f"calibrate {question.id} specimen {specimen}")
    expected = question.specimens[specimen - 1].expected_score
    scores = {u: min(4, max(1, expected + lean)) for u, lean in zip(RATERS, leans, strict=True)}
    for user, value in scores.items():
        score(stage, session_id, card_ts, user, value, SHORT_NOTES[user])
    panel = ", ".join(f"{NAMES[u]} {v}" for u, v in scores.items())
    stage.say.line(f"       (five interviewers score it blind: {panel})")
    reveal = close_and_reveal(stage, session_id, card_ts)
    stage.say.bot({"text": reveal["text"]}, thread=True)
    save_charts(stage)


def calibration_report(stage: Stage) -> None:
    """The manager's report across the closed sessions, and its chart in their DM."""
    stage.clock.set_local("17:40")
    slash(stage, ADA, "calibration report")
    wait_until(lambda: stage.fake.uploads(ADA), "the report's chart")
    heads = [m for m in stage.fake.messages(ADA) if "Your calibration report" in m["text"]]
    if heads:
        stage.say.bot(heads[-1], note=f" (direct message to {NAMES[ADA]})")
    save_charts(stage)


def play_calibration(stage: Stage, bank: QuestionBank) -> None:
    """Interviewer calibration after the round: a session in full, two short ones, the report."""
    say = stage.say
    say.line("")
    say.line("── Interviewer calibration: does the panel score the same answer the same way? ──")
    question = calibration_question(bank)
    if question is None:
        say.line("(No question in this bank has a rubric and specimens: nothing to calibrate on.)")
        return
    say.line(f"{NAMES[ADA]} is a workspace admin, so she may run calibration sessions.")
    say.line("")
    first_session(stage, question)
    others = [n for n in range(1, len(question.specimens) + 1) if n != 2][: len(LEANS)]
    say.line("")
    more = "one more specimen" if len(others) == 1 else f"{len(others)} more specimens"
    say.line(f"Then {more} of the same question, scored and closed at once, for the report:")
    for index, specimen in enumerate(others):
        short_session(stage, question, specimen, f"17:{index * 15:02d}", LEANS[index])
    say.line("")
    calibration_report(stage)


def run_demo(speed: float = 1.0, questions: Path | None = None, out: TextIO = sys.stdout) -> Path:
    """Play a day; returns the SQLite file it wrote."""
    workdir = Path(tempfile.mkdtemp(prefix="interview-demo-"))
    db_path = workdir / "interview-demo.db"
    clock = VirtualClock(this_morning(datetime.now(UTC)))
    say = Narrator(out, clock, lambda: time.sleep(0.25 / speed) if speed > 0 else None)
    fake = _demo_workspace(clock)
    bot, server, slack = _start_bot(fake, clock, db_path, questions)
    if questions is not None:
        preview_bank(bot.bank, questions, out)
    stage = Stage(fake, slack, say, clock, workdir / "calibration-charts")
    try:
        day = clock.now().astimezone(ZoneInfo(ZONE))
        say.line(
            f"#{CHANNEL_NAME} in Demo Co — today, {day:%A %d %B %Y} ({ZONE}), played in seconds "
            "on a simulated clock"
        )
        say.line("")
        days = "weekdays" if day.weekday() < 5 else "daily"  # so a weekend demo posts too
        slash(stage, ADA, f"schedule 09:30 {ZONE} {days} reveal 16:00")
        question, answers = _morning(stage, bot)
        _votes(stage, answers, bot)
        _reveal_and_progress(stage, bot, question)
        play_calibration(stage, bot.bank)
        say.line("")
        say.line(f"The day's data is in the SQLite file {db_path}")
        if stage.saved:
            say.line(f"  the calibration charts are in {stage.charts}")
        say.line(f"  see it as JSON:  DATABASE_URL=sqlite:///{db_path} python -m bot export")
        say.line("  connect a real workspace: README.md, 'Put it in your Slack workspace'")
    finally:
        server.close()
        fake.stop()
        bot.engine.dispose()
    return db_path


def _demo_workspace(clock: VirtualClock) -> FakeSlack:
    fake = DemoSlack(clock, team_name="Demo Co").start()
    fake.add_user(ADA, "ada", is_admin=True, tz=ZONE)
    for user in (ALICE, BOB, CAROL, DAVE):
        fake.add_user(user, NAMES[user], tz=ZONE)
    fake.add_channel(CHANNEL, CHANNEL_NAME)
    return fake


def _start_bot(
    fake: FakeSlack, clock: VirtualClock, db_path: Path, questions: Path | None
) -> tuple[Bot, BaseWSGIServer, SlackDriver]:
    """The real app on the production server, in this process, against the fake."""
    secret = secrets.token_hex(16)
    settings = Settings(
        signing_secret=secret,
        bot_token=fake.bot_token,
        database_url=f"sqlite:///{db_path}",
        slack_api_url=fake.api_url,
        questions_file=questions or DEFAULT_BANK,
    )
    bot = build_bot(settings, now=clock.now)
    server = create_server(
        make_wsgi(SlackRequestHandler(bot.app), bot.engine, secret, bot.store_event),
        host="127.0.0.1",
        port=0,
        threads=4,
    )
    assert isinstance(server, BaseWSGIServer)  # one host and port: a single-socket server
    threading.Thread(target=server.run, daemon=True).start()
    port = server.effective_port  # type: ignore[attr-defined]  # set by __init__, not in the stubs
    return bot, server, SlackDriver(f"http://127.0.0.1:{port}/slack/events", secret, fake)


def _settle(bot: Bot) -> None:
    """Wait until every event the bot acknowledged has been applied."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with bot.sessions.begin() as session:
            if not inbox_store.pending_events(session):
                return
        time.sleep(0.02)


def _morning(stage: Stage, bot: Bot) -> tuple[dict[str, Any], dict[str, str]]:
    """The scheduled post, four answers, a deleted message and an edit."""
    clock, say, slack = stage.clock, stage.say, stage.slack
    clock.set_local("09:30")
    bot.clock.tick()
    question = latest_post(stage.fake)
    say.bot(question)
    q = question["ts"]
    answers: dict[str, str] = {}

    def reply(at: str, user: str, text: str) -> None:
        clock.set_local(at)
        ts, _ = slack.reply(CHANNEL, q, text, user=user)
        answers[user] = ts
        say.say(NAMES[user], text, thread=True)

    reply(
        "09:41",
        ALICE,
        "I'd start by pinning down the requirements and constraints, sketch the simplest "
        "thing that meets them, then name the trade-offs out loud.",
    )
    reply("09:58", BOB, "Measure first: what does good look like, and how would we know?")
    reply("10:12", CAROL, "Let's order lunch at noon?")
    clock.set_local("10:13")
    slack.delete(CHANNEL, answers.pop(CAROL), user=CAROL, thread_ts=q)
    say.say("carol", "(deleted her message: it was meant for another thread)", thread=True)
    reply("10:30", DAVE, "A concrete story from my last job.")
    clock.set_local("10:34")
    edited = (
        "A concrete story from my last job: the situation, what I did, the result in "
        "numbers, and what I'd do differently."
    )
    slack.edit(CHANNEL, answers[DAVE], edited, user=DAVE, thread_ts=q)
    say.say("dave", edited, thread=True, note=" (edited)")
    reply(
        "11:05",
        CAROL,
        "Start from the failure modes: what breaks first, how we'd notice, and how we'd roll back.",
    )
    return question, answers


def _votes(stage: Stage, answers: dict[str, str], bot: Bot) -> None:
    for at, voter, author in (
        ("12:10", BOB, ALICE),
        ("12:20", CAROL, ALICE),
        ("13:02", DAVE, CAROL),
        ("13:40", ALICE, DAVE),
        ("14:15", BOB, BOB),
    ):
        stage.clock.set_local(at)
        stage.slack.react(CHANNEL, answers[author], "+1", user=voter, item_user=author)
        own = " (own answer: not a vote)" if voter == author else ""
        stage.say.say(NAMES[voter], f"reacted 👍 to {NAMES[author]}'s answer{own}", thread=True)
    _settle(bot)


def _reveal_and_progress(stage: Stage, bot: Bot, question: dict[str, Any]) -> None:
    """The reveal at 16:00, the closed question, stats and the leaderboard without pings."""
    fake, say, clock = stage.fake, stage.say, stage.clock
    clock.set_local("16:00")
    bot.clock.tick()
    say.bot(latest_post(fake), thread=True)
    closed = fake.find_message(CHANNEL, question["ts"]) or question
    say.line("")
    say.line("The question message now reads:")
    say.bot(closed)
    say.line("")
    clock.set_local("16:05")
    slash(stage, ALICE, "stats")
    updates = len(fake.calls("chat.update"))
    say.say(NAMES[ADA], "/interview leaderboard week")
    stage.slack.command("leaderboard week", user=ADA, channel=CHANNEL)
    wait_until(lambda: len(fake.calls("chat.update")) > updates, "the leaderboard")
    board = fake.calls("chat.update")[-1].args
    say.bot({"text": board.get("text", "")}, note=" (edited in, so nobody is pinged)")
