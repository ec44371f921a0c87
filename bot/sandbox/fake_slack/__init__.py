"""A local fake of Slack's Web API served over real HTTP.

Only the standard library is used, so the fake ships inside the package and can back the test
suite, the offline demo and the benchmarks alike::

    with FakeSlack() as fake:
        fake.add_user("U1", "alice")
        fake.add_channel("C1", "general")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages("C1")[0]["text"] == "hi"

Method names and required arguments follow Slack's published OpenAPI spec, a trimmed copy of
which ships in ``bot/sandbox/specs/`` (``$SLACK_OPENAPI_SPEC`` points elsewhere); without a spec
the fake refuses to start. Only what our bot needs is implemented, but what is implemented
answers like Slack does: the same error codes, the same response shapes, rate limiting with
``Retry-After`` (``slow_down`` and ``limit_rate`` add Slack's latency and pace). One module per API family:

- ``server``: routing, auth, recording, ``fail_next``, the spec check (``spec``); ``transport``:
  the HTTP server and body decoding; ``records``: the recorded calls and workspace state;
- ``conversations``: users and channels; ``chat``: messages and ephemerals;
- ``views``: modals and App Home; ``oauth``: ``auth.test``, OAuth installs (Enterprise Grid
  ones too) and ``auth.teams.list``;
- ``response_url``: ``respond()`` webhooks; ``files``: ``files_upload_v2`` uploads.
"""

from __future__ import annotations

from bot.sandbox.fake_slack.files import FilesApi
from bot.sandbox.fake_slack.limits import Rate
from bot.sandbox.fake_slack.oauth import OAuthApi
from bot.sandbox.fake_slack.records import Call, Handler, Upload
from bot.sandbox.fake_slack.response_url import ResponseUrls
from bot.sandbox.fake_slack.spec import (
    OFF_SPEC_REQUIRED_ARGS,
    SPEC_ENV_VAR,
    SpecError,
    default_spec_path,
    spec_required_args,
)
from bot.sandbox.fake_slack.views import ViewsApi

__all__ = [
    "IMPLEMENTED_METHODS",
    "OFF_SPEC_REQUIRED_ARGS",
    "SPEC_ENV_VAR",
    "Call",
    "FakeSlack",
    "Rate",
    "SpecError",
    "Upload",
    "default_spec_path",
    "spec_required_args",
]

IMPLEMENTED_METHODS: frozenset[str] = frozenset(
    {
        "auth.teams.list",
        "auth.test",
        "chat.delete",
        "chat.postEphemeral",
        "chat.postMessage",
        "chat.update",
        "conversations.history",
        "conversations.info",
        "conversations.replies",
        "files.completeUploadExternal",
        "files.getUploadURLExternal",
        "oauth.v2.access",
        "users.info",
        "views.open",
        "views.publish",
        "views.update",
    }
)


class FakeSlack(FilesApi, ResponseUrls, OAuthApi, ViewsApi):
    """An in-process Slack Web API over HTTP. Thread-safe; every request is recorded as a Call.

    Raises :class:`SpecError` at construction when the OpenAPI spec (``spec_path``, else
    :func:`default_spec_path`) cannot be read or lacks a method the fake implements.
    """

    def _api_methods(self) -> dict[str, Handler]:
        methods = super()._api_methods()
        assert frozenset(methods) == IMPLEMENTED_METHODS, "update IMPLEMENTED_METHODS"
        return methods
