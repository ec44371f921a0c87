"""The baseline: a Bolt app that only acknowledges, on the same waitress options as the bot.

PORT=3001 SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... SLACK_API_URL=... python bench/bare_app.py
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import Ack, App  # noqa: E402
from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from waitress import serve  # noqa: E402

from bot.server import server_options  # noqa: E402


def main() -> None:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    @app.command("/interview")
    def interview(ack: Ack) -> None:
        ack()

    @app.event("message")
    def message() -> None:
        pass

    @app.event("reaction_added")
    def reaction() -> None:
        pass

    bolt = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return bolt(environ, start_response)

    serve(wsgi, host="127.0.0.1", port=int(os.environ["PORT"]), **server_options())


if __name__ == "__main__":
    main()
