"""Block Kit for calibration: the session card, the score form, the reveal, the private notes
and the report. Pure: domain values in, Block Kit out. Nothing a rater wrote is ever shown
next to their name in a channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    RadioButtonsElement,
    SectionBlock,
)

from bot.calibration.agreement import RELIABILITY_THRESHOLD, AlphaEstimate, SessionSummary
from bot.calibration.interviewers import InterviewerProfile
from bot.calibration.overview import CalibrationReport
from bot.calibration.rubric import level_name
from bot.questions.model import RUBRIC_LEVELS, Question
from bot.questions.render import question_meta
from bot.slack.blocks import Message, context, finish, md, modal, plain, sections, text_input
from bot.slack.mrkdwn import escape, fit, plural, quote, slack_date_time

SCORE_BUTTON = "calibration.score_open"
CLOSE_BUTTON = "calibration.close"
SCORE_VIEW = "calibration.score_submit"
SCORE_INPUT = "score"
NOTE_INPUT = "note"
NOTE_LIMIT = 1500
TITLE = ":scales: Calibration session"


@dataclass(frozen=True)
class SessionCard:
    session_id: int
    question: Question
    evidence: str  # as typed or stored: escaped here
    evidence_label: str  # "Specimen 2 from the bank", "An answer pasted by the manager", ...
    closes_at: datetime
    timezone: str
    scored: int = 0
    closed: bool = False


def evidence_label(kind: str, specimen: int | None) -> str:
    if kind == "specimen":
        return f"Specimen {specimen} from the question bank"
    if kind == "answer":
        return "A teammate's answer, shared with their agreement"
    return "An answer the hiring manager pasted"


def _rubric_text(question: Question) -> str:
    lines = [f"*{level_name(level)}* {escape(text)}" for level, text in question.rubric]
    return "*Rubric*\n" + "\n".join(lines)


def session_card(card: SessionCard) -> Message:
    q = card.question
    when = slack_date_time(card.closes_at, card.timezone)
    blocks: list[Block] = [
        HeaderBlock(text=plain(TITLE + (" (closed)" if card.closed else ""))),
        context(f"{question_meta(q)} · `{q.id}` · {card.evidence_label}"),
        *sections(f"*Question*\n{escape(q.question)}"),
        *sections(f"*Evidence to score*\n{quote(escape(card.evidence))}"),
        *sections(_rubric_text(q)),
    ]
    if card.closed:
        blocks.append(
            context(
                f"Closed · {plural(card.scored, 'interviewer')} scored · the reveal is in the thread"
            )
        )
    else:
        blocks += [
            context(
                f"Score it blind by {when} · {plural(card.scored, 'interviewer')} scored so far · "
                "nobody sees a score before the close, managers included"
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Score",
                        action_id=SCORE_BUTTON,
                        value=str(card.session_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Close and reveal", action_id=CLOSE_BUTTON, value=str(card.session_id)
                    ),
                ]
            ),
        ]
    state = "closed" if card.closed else f"open until {when}"
    return finish(f"Calibration session ({state}): {escape(q.question)}", blocks)


def score_modal(
    session_id: int, question: Question, evidence: str, current: tuple[int, str] | None
) -> dict[str, Any]:
    options = [
        Option(value=str(level), label=level_name(level), description=fit(text, 75))
        for level, text in question.rubric
    ]
    initial = next((o for o in options if current and o.value == str(current[0])), None)
    blocks: list[Block] = [
        *sections(f"*{escape(question.question)}*"),
        *sections(f"*Evidence*\n{quote(escape(evidence))}"),
        *sections(_rubric_text(question)),
        InputBlock(
            block_id=SCORE_INPUT,
            label=plain("Your score"),
            element=RadioButtonsElement(
                action_id=SCORE_INPUT, options=options, initial_option=initial
            ),
        ),
        text_input(
            NOTE_INPUT,
            "Why this score",
            hint="The evidence for your score: what the answer shows or misses",
            initial=current[1] if current else None,
            multiline=True,
            max_length=NOTE_LIMIT,
        ),
        context("Only you see your score until the session closes; you can change it until then."),
    ]
    return modal(SCORE_VIEW, "Score the answer", "Save score", blocks, session_id=session_id)


def score_saved(score: int, changed: bool, closes_at: datetime, timezone: str) -> str:
    verb = "changed to" if changed else "saved:"
    return (
        f"Your score is {verb} *{level_name(score)}*. Nobody sees it before the close "
        f"({slack_date_time(closes_at, timezone)}); press *Score* again to change it."
    )


@dataclass(frozen=True)
class RevealNotes:
    high: tuple[int, str] | None  # (score, note) of the highest score
    low: tuple[int, str] | None


def _distribution(summary: SessionSummary) -> str:
    return " · ".join(
        f"{level_name(level)}: *{summary.counts.get(level, 0)}*" for level in RUBRIC_LEVELS
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def reveal_message(summary: SessionSummary, notes: RevealNotes) -> Message:
    """The reveal in the card's thread: numbers for everyone, notes without names."""
    if not summary.enough_raters:
        text = (
            f"*Calibration closed* with {plural(summary.n, 'score')}: a panel needs at least 2 "
            "interviewers, so there are no statistics this time."
        )
        return finish(text, [SectionBlock(text=md(text))])
    lines = [
        f"*Calibration reveal* · {plural(summary.n, 'interviewer')} scored",
        f"Scores: {_distribution(summary)}",
        f"Median *{_num(summary.median, 1)}* · mean *{_num(summary.mean)}* · "
        f"standard deviation *{_num(summary.sd)}*",
        f"Agreement: *{_pct(summary.exact_agreement)}* of pairs gave the same score, "
        f"*{_pct(summary.within_one_agreement)}* within one point",
    ]
    if summary.expected is not None and summary.distance is not None:
        direction = "above" if summary.distance > 0 else "below" if summary.distance < 0 else "at"
        lines.append(
            f"The specimen's author expected *{level_name(summary.expected)}*: the panel's mean is "
            f"{abs(summary.distance):.2f} {direction} it"
            if direction != "at"
            else f"The specimen's author expected *{level_name(summary.expected)}*: the panel's mean is exactly that"
        )
    blocks: list[Block] = [
        HeaderBlock(text=plain(":bar_chart: The calibration reveal")),
        *sections("\n".join(lines)),
    ]
    if notes.high and notes.low:
        blocks.append(context("Notes of the highest and the lowest score, without names:"))
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(
                        text=fit(f"*{label}: {level_name(score)}*\n{quote(escape(note))}", 1900)
                    )
                    for label, (score, note) in (("Highest", notes.high), ("Lowest", notes.low))
                ]
            )
        )
    return finish("Calibration reveal: " + " · ".join(lines[1:3]), blocks)


def manager_detail(
    question: Question, scores: Sequence[tuple[str, int, str]], summary: SessionSummary
) -> Message:
    """The named detail, sent only to managers: who scored what and why."""
    lines = [f"*Calibration detail* (only you see this) · `{question.id}`"]
    for rater, score, note in sorted(scores, key=lambda s: (-s[1], s[0])):
        lines.append(f"• <@{rater}> *{level_name(score)}*: {escape(fit(note, 400))}")
    if not scores:
        lines.append("Nobody scored.")
    text = "\n".join(lines)
    return finish(text, sections(text))


def rater_note(score: int, summary: SessionSummary) -> Message:
    """What a rater hears after the close: their score against the panel's."""
    text = f"*Your calibration result* · you scored *{level_name(score)}*."
    if summary.enough_raters and summary.median is not None and summary.mean is not None:
        gap = score - summary.mean
        side = "above" if gap > 0 else "below" if gap < 0 else "exactly at"
        text += (
            f" The panel's consensus (median) was *{_num(summary.median, 1)}*, its mean "
            f"{_num(summary.mean)}: you were {abs(gap):.2f} {side} the mean."
            if side != "exactly at"
            else f" The panel's consensus (median) was *{_num(summary.median, 1)}*; you were exactly at its mean."
        )
    if summary.expected is not None:
        text += f" The specimen's author expected {level_name(summary.expected)}."
    return finish(text, [SectionBlock(text=md(text))])


# -- the report --------------------------------------------------------------------------------


def _alpha(estimate: AlphaEstimate) -> str:
    if estimate.value is None:
        return "not enough data"
    interval = (
        f" (95% interval {estimate.low:.2f} to {estimate.high:.2f})"
        if estimate.low is not None and estimate.high is not None
        else ""
    )
    flag = " :warning: below .667" if estimate.value < RELIABILITY_THRESHOLD else ""
    return f"*{estimate.value:.2f}*{interval}{flag}"


def _profile_line(profile: InterviewerProfile) -> str:
    who = f"<@{profile.rater}> — {plural(profile.sessions, 'session')}"
    if not profile.ranked or profile.severity is None:
        return f"• {who} · too few sessions to rank"
    sev = profile.severity
    parts = [
        f"severity *{sev.shrunk:+.2f}* ({sev.low:+.2f} to {sev.high:+.2f})",
        f"mean deviation {_num(profile.mean_abs_deviation)}",
        f"{_pct(profile.within_one_of_expected)} within one of expected",
        f"{_pct(profile.middle_share)} middle ratings",
    ]
    mark = ":white_check_mark: calibrated" if profile.calibrated else "needs another session"
    return f"• {who} · " + " · ".join(parts) + f" · {mark}"


def report_text(
    report: CalibrationReport,
    *,
    since: str | None,
    only: str | None = None,
    question_names: Mapping[str, str] | None = None,
) -> str:
    """The report in words: the panel, each interviewer, drift, who is calibrated."""
    scope = f" since {since}" if since else ""
    if report.sessions == 0:
        return f"*Calibration report*{scope}\nNo closed calibration sessions yet. Start one with `/interview calibrate <question-id>`."
    lines = [
        f"*Calibration report*{scope} · {plural(report.sessions, 'session')}, "
        f"{plural(report.ratings, 'score')}, {plural(report.raters, 'interviewer')}",
        f"*Panel agreement* (Krippendorff's alpha, ordinal): {_alpha(report.overall)}",
        "_Below .667 the scores are too inconsistent for even tentative conclusions._",
        "*By question:* "
        + " · ".join(f"`{q}` {_alpha(a)}" for q, a in sorted(report.by_question.items())),
        "*By category:* "
        + " · ".join(f"{c} {_alpha(a)}" for c, a in sorted(report.by_category.items())),
        "",
        "*Interviewers* (severity: their score minus the others' mean on the same session, "
        "shrunk toward 0 for few sessions; + lenient, − harsh)",
    ]
    profiles = [p for p in report.profiles if only is None or p.rater == only]
    lines += [_profile_line(p) for p in profiles] or ["• nobody yet"]
    if report.drift:
        lines += ["", "*Drift by month*"]
        for month in report.drift:
            severities = ", ".join(
                f"<@{rater}> {value:+.2f}"
                for rater, value in sorted(month.severity.items())
                if only is None or rater == only
            )
            lines.append(
                f"• {month.month}: alpha {_alpha(month.alpha)}"
                + (f" · {severities}" if severities else "")
            )
    calibrated = [p for p in profiles if p.calibrated]
    pending = [p for p in profiles if not p.calibrated]
    lines += [
        "",
        "*Calibrated:* " + (", ".join(f"<@{p.rater}>" for p in calibrated) or "nobody yet"),
        "*Needs another session:* "
        + ("; ".join(f"<@{p.rater}> ({', '.join(p.reasons())})" for p in pending) or "nobody"),
    ]
    return "\n".join(lines)


CALIBRATE_VIEW = "calibration.start_submit"
START_FIELDS = ("question", "evidence", "pasted", "duration")


@dataclass(frozen=True)
class PastAnswer:
    """A teammate's answer from a revealed round, offered as evidence (after they agree)."""

    answer_id: int
    question_id: str
    text: str


def _answer_select(answers: Sequence[PastAnswer]) -> InputBlock:
    from slack_sdk.models.blocks import StaticSelectElement

    options = [
        Option(value=str(a.answer_id), label=fit(f"{a.question_id}: {a.text}", 75))
        for a in answers[:100]
    ]
    return InputBlock(
        block_id="answer",
        label=plain("Teammate's answer"),
        optional=True,
        hint=plain("Only for a teammate's answer; its author is asked privately first"),
        element=StaticSelectElement(action_id="answer", options=options),
    )


def consent_request(session_id: int, question: Question, answer: str, manager: str) -> Message:
    """The private question to an answer's author: may the panel score it, without their name?"""
    text = (
        f"<@{manager}> would like interviewers to score your answer to *{escape(question.question)}* "
        "in a calibration session. Your name is never shown with it; the panel sees only the "
        "answer. Nothing is posted unless you agree."
    )
    blocks: list[Block] = [
        *sections(text),
        *sections(f"*Your answer*\n{quote(escape(answer))}"),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Allow", action_id=CONSENT_ALLOW, value=str(session_id), style="primary"
                ),
                ButtonElement(text="Decline", action_id=CONSENT_DECLINE, value=str(session_id)),
            ]
        ),
    ]
    return finish(f"May interviewers score your answer? ({question.id})", blocks)


CONSENT_ALLOW = "calibration.consent_allow"
CONSENT_DECLINE = "calibration.consent_decline"


def calibrate_modal(
    channel_id: str | None,
    questions: Sequence[Question],
    answers: Sequence[PastAnswer] = (),
) -> dict[str, Any]:
    """`/interview calibrate` alone (or the Home tab's button, which also asks for the channel):
    choose the question, the evidence and the deadline."""
    from slack_sdk.models.blocks import (
        ConversationFilter,
        ConversationSelectElement,
        StaticSelectElement,
    )

    question_options = [
        Option(value=q.id, label=fit(f"{q.id} ({q.category})", 75)) for q in questions[:100]
    ]
    most = max((len(q.specimens) for q in questions), default=0)
    evidence_options = [Option(value="auto", label="A bank specimen (the one used least here)")]
    evidence_options += [
        Option(value=f"specimen-{n}", label=f"Specimen {n}") for n in range(1, most + 1)
    ]
    evidence_options.append(Option(value="pasted", label="The answer I paste below"))
    evidence_options.append(
        Option(value="answer", label="A teammate's round answer (they are asked first)")
    )
    blocks: list[Block] = []
    if channel_id is None:
        blocks.append(
            InputBlock(
                block_id="channel",
                label=plain("Post the session in"),
                element=ConversationSelectElement(
                    action_id="channel",
                    filter=ConversationFilter(
                        include=["public", "private"], exclude_bot_users=True
                    ),
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id="question",
            label=plain("Question"),
            element=StaticSelectElement(action_id="question", options=question_options),
        ),
        InputBlock(
            block_id="evidence",
            label=plain("Evidence to score"),
            element=StaticSelectElement(
                action_id="evidence", options=evidence_options, initial_option=evidence_options[0]
            ),
        ),
        text_input(
            "pasted",
            "Pasted answer",
            hint="Only for a pasted answer; remove names and anything that identifies a candidate",
            optional=True,
            multiline=True,
            max_length=3000,
        ),
        *([_answer_select(answers)] if answers else []),
        text_input("duration", "Open for", hint="e.g. 2h, 90m or 3d", initial="24h"),
    ]
    return modal(CALIBRATE_VIEW, "Calibration session", "Start", blocks, channel_id=channel_id)


START_BUTTON = "calibration.start_open"


def home_section(
    calibrated: Sequence[str], pending: Sequence[tuple[str, Sequence[str]]]
) -> list[dict[str, Any]]:
    """The managers' part of the Home tab: who is calibrated, who needs another session."""
    needs = "\n".join(f"• <@{rater}>: {', '.join(reasons)}" for rater, reasons in pending[:20])
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text=plain("Interviewer calibration")),
        SectionBlock(
            text=md(
                "Your panel scores the same answer blind; the reveal shows the spread and each "
                "interviewer's bias. Check here before putting someone on a real loop."
            ),
            accessory=ButtonElement(
                text="Start a calibration session", action_id=START_BUTTON, style="primary"
            ),
        ),
        SectionBlock(
            text=md(
                "*Calibrated:* "
                + (", ".join(f"<@{r}>" for r in calibrated) or "nobody yet")
                + "\n*Needs another session:*\n"
                + (needs or "nobody so far")
            )
        ),
        context("Managers only · `/interview calibration report` has the full figures"),
    ]
    return [b.to_dict() for b in blocks]
