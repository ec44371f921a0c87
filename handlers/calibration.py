"""Calibration buttons and forms: score a session privately, close it, start one from the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.calibration import render
from bot.calibration.ui import CalibrationUI
from handlers.respond import close_or_show_errors, field_values, number_value, say, user_of


def register(app: App, calibration: CalibrationUI, now: Callable[[], datetime]) -> None:
    @app.action(render.SCORE_BUTTON)
    def score(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        session_id = number_value(action)
        if session_id is not None:
            reply = calibration.score_button(
                context.team_id or "", session_id, user_of(body), body["trigger_id"]
            )
            say(respond, reply)

    @app.view(render.SCORE_VIEW)
    def score_saved(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id = context.team_id or "", user_of(body)
        errors, saved, session_id = calibration.submit_score(
            team_id, user_id, view.get("private_metadata"), field_values(view), now()
        )
        close_or_show_errors(ack, errors)
        if saved is not None and session_id is not None:
            calibration.after_score(team_id, user_id, session_id, saved)

    @app.action(render.CLOSE_BUTTON)
    def close(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        session_id = number_value(action)
        if session_id is not None:
            say(
                respond,
                calibration.close_button(context.team_id or "", session_id, user_of(body), now()),
            )

    def consent(allow: bool) -> Callable[..., None]:
        def answer(
            ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext
        ) -> None:
            ack()
            session_id = number_value(action)
            if session_id is not None:
                reply = calibration.consent(
                    context.team_id or "", session_id, user_of(body), allow, now()
                )
                say(respond, reply, replace=True)

        return answer

    app.action(render.CONSENT_ALLOW)(consent(True))
    app.action(render.CONSENT_DECLINE)(consent(False))

    @app.action(render.START_BUTTON)
    def start_from_home(ack: Ack, body: dict, context: BoltContext, respond: Respond) -> None:
        ack()
        reply = calibration.open_form_from_home(
            context.team_id or "", user_of(body), body["trigger_id"]
        )
        say(respond, reply, client=context.client, trigger_id=body["trigger_id"])

    @app.view(render.CALIBRATE_VIEW)
    def start(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id = context.team_id or "", user_of(body)
        errors, request, evidence, channel_id = calibration.submit_form(
            team_id, user_id, view.get("private_metadata"), field_values(view)
        )
        close_or_show_errors(ack, errors)
        if request is not None and evidence is not None and channel_id is not None:
            calibration.start_from_form(team_id, user_id, channel_id, request, evidence, now())
