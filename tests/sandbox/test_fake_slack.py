"""Tests of the Slack fake and the signed-request driver that the e2e tests lean on."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import (
    IMPLEMENTED_METHODS,
    OFF_SPEC_REQUIRED_ARGS,
    SPEC_ENV_VAR,
    FakeSlack,
    SpecError,
    default_spec_path,
    spec_required_args,
)
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "slack"
EVENT_WRAPPER_SCHEMA = FIXTURES / "slack_common_event_wrapper_schema.json"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def small_fake() -> Iterator[FakeSlack]:
    """A fake with a small cast of its own (not the sandbox's): U1 alice (an admin), U2 bob in
    New York, #general, #random without the bot and a private group without it."""
    with FakeSlack() as small_fake:
        small_fake.add_user("U1", "alice", is_admin=True)
        small_fake.add_user("U2", "bob", tz="America/New_York")
        small_fake.add_channel("C1", "general")
        small_fake.add_channel("C2", "random", bot_is_member=False)
        small_fake.add_channel("G1", "secret", is_private=True, bot_is_member=False)
        yield small_fake


@pytest.fixture
def client(small_fake: FakeSlack) -> WebClient:
    return WebClient(base_url=small_fake.api_url, token=small_fake.bot_token)


def _error_of(call: Callable[[], Any]) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SlackApiError) as info:
        call()
    data = info.value.response.data
    assert isinstance(data, dict)
    return info.value.response.status_code, data


# ------------------------------------------------------------------------------ Web API


def test_api_url_has_trailing_slash(small_fake: FakeSlack) -> None:
    assert small_fake.api_url.startswith("http://127.0.0.1:")
    assert small_fake.api_url.endswith("/api/")


def test_auth_test(client: WebClient) -> None:
    data = client.auth_test().data
    assert isinstance(data, dict)
    assert data["ok"] is True
    assert data["team_id"] == "T0TEAM"
    assert data["team"] == "Acme"
    assert data["user_id"] == "UBOT"
    assert data["bot_id"] == "B0BOT"
    assert data["url"] == "https://acme.slack.com/"


def test_post_message_is_visible_in_channel(small_fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Question*"}}]
    top = client.chat_postMessage(channel="C1", text="Today's question", blocks=blocks)
    assert top["channel"] == "C1"
    assert top["message"]["text"] == "Today's question"
    assert top["message"]["user"] == "UBOT"
    reply = client.chat_postMessage(channel="C1", text="hint", thread_ts=top["ts"])
    assert float(reply["ts"]) > float(top["ts"])

    assert small_fake.messages("C1") == [
        {
            "ts": top["ts"],
            "thread_ts": None,
            "text": "Today's question",
            "blocks": blocks,
            "user": "UBOT",
        },
        {"ts": reply["ts"], "thread_ts": top["ts"], "text": "hint", "blocks": None, "user": "UBOT"},
    ]
    assert [m["text"] for m in small_fake.thread("C1", top["ts"])] == ["Today's question", "hint"]
    assert small_fake.calls("chat.postMessage")[0].args["channel"] == "C1"


def test_form_encoded_blocks_are_decoded(small_fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)}
    )
    assert small_fake.messages("C1")[0]["blocks"] == blocks
    assert small_fake.calls("chat.postMessage")[0].args["blocks"] == blocks


def test_update(small_fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="v2", blocks=[{"type": "divider"}])
    assert updated["ts"] == ts
    assert small_fake.messages("C1") == [
        {"ts": ts, "thread_ts": None, "text": "v2", "blocks": [{"type": "divider"}], "user": "UBOT"}
    ]
    unknown = _error_of(lambda: client.chat_update(channel="C1", ts="1.000001", text="v3"))
    assert unknown[1]["error"] == "message_not_found"


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1"
    assert user["name"] == "alice"
    assert user["is_admin"] is True
    assert user["tz"] == "Europe/Berlin"
    assert user["tz_offset"] in (3600, 7200)
    assert user["profile"]["display_name"] == "alice"
    assert client.users_info(user="U2")["user"]["tz_offset"] in (-18000, -14400)
    assert _error_of(lambda: client.users_info(user="U404"))[1]["error"] == "user_not_found"


def test_channel_membership_errors(client: WebClient) -> None:
    assert _error_of(lambda: client.chat_postMessage(channel="C2", text="x"))[1]["error"] == (
        "not_in_channel"
    )
    assert _error_of(lambda: client.chat_postMessage(channel="C404", text="x"))[1]["error"] == (
        "channel_not_found"
    )
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is False
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    assert client.conversations_info(channel="G1")["channel"]["is_private"] is True
    assert _error_of(lambda: client.conversations_info(channel="C404"))[1]["error"] == (
        "channel_not_found"
    )


def test_auth_errors(small_fake: FakeSlack) -> None:
    bad = WebClient(base_url=small_fake.api_url, token="xoxb-not-a-real-token")
    assert _error_of(bad.auth_test)[1]["error"] == "invalid_auth"
    anonymous = WebClient(base_url=small_fake.api_url)
    assert _error_of(anonymous.auth_test)[1]["error"] == "not_authed"
    assert all(call.token != small_fake.bot_token for call in small_fake.calls())


def test_unknown_method_and_missing_arguments(client: WebClient) -> None:
    status, data = _error_of(lambda: client.api_call("chat.postMessageTypo"))
    assert (status, data["error"]) == (404, "unknown_method")
    data = _error_of(lambda: client.api_call("chat.update", json={"channel": "C1"}))[1]
    assert data["error"] == "invalid_arguments"
    assert data["response_metadata"]["messages"] == ["[ERROR] missing required field: ts"]
    no_text = _error_of(lambda: client.api_call("chat.postMessage", json={"channel": "C1"}))
    assert no_text[1]["error"] == "no_text"


def test_ephemeral(small_fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert small_fake.ephemerals("C1", user="U1") == [
        {
            "channel": "C1",
            "user": "U1",
            "ts": resp["message_ts"],
            "thread_ts": None,
            "text": "only you",
            "blocks": None,
        }
    ]
    assert small_fake.ephemerals(user="U2") == []


def test_dm_by_user_id(small_fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel="U1", text="psst")
    assert resp["channel"].startswith("D")
    assert client.chat_postMessage(channel="U1", text="again")["channel"] == resp["channel"]
    dm = client.conversations_info(channel=resp["channel"])["channel"]
    assert (dm["is_im"], dm["user"]) == (True, "U1")
    assert small_fake.channel_type(resp["channel"]) == "im"
    assert [m["text"] for m in small_fake.messages("U1")] == ["psst", "again"]
    assert small_fake.messages(resp["channel"]) == small_fake.messages("U1")


def test_views(small_fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert published["id"].startswith("V")
    assert (small_fake.home_view("U1") or {})["blocks"] == [{"type": "divider"}]

    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Practice"}, "blocks": []}
    trigger = small_fake.new_trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert _error_of(lambda: client.views_open(trigger_id=trigger, view=modal))[1]["error"] == (
        "exchanged_trigger_id"
    )
    assert _error_of(lambda: client.views_open(trigger_id="1.2.3", view=modal))[1]["error"] == (
        "invalid_trigger_id"
    )
    assert opened["id"] != published["id"]
    republished = client.views_publish(user_id="U1", view={**home, "blocks": []})["view"]
    assert republished["id"] == published["id"]
    assert (small_fake.home_view("U1") or {})["blocks"] == []
    stale = _error_of(lambda: client.views_publish(user_id="U1", view=home, hash=published["hash"]))
    assert stale[1]["error"] == "hash_conflict"


def test_fail_next_with_error(small_fake: FakeSlack, client: WebClient) -> None:
    small_fake.fail_next("chat.postMessage", error="channel_not_found")
    assert _error_of(lambda: client.chat_postMessage(channel="C1", text="x"))[1]["error"] == (
        "channel_not_found"
    )
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_fail_next_rate_limit_is_retried(small_fake: FakeSlack) -> None:
    small_fake.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(
        base_url=small_fake.api_url,
        token=small_fake.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="eventually")["ok"] is True
    assert time.monotonic() - started >= 1.0
    calls = small_fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}
    assert [m["text"] for m in small_fake.messages("C1")] == ["eventually"]


def test_rate_limit_without_retry_handler_surfaces(
    small_fake: FakeSlack, client: WebClient
) -> None:
    small_fake.fail_next("users.info", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U1")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"


def test_wait_for_and_reset(small_fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    calls = small_fake.wait_for(
        "chat.postMessage", lambda c: c.args.get("text") == "later", timeout=5
    )
    timer.join()
    assert calls[0].args["channel"] == "C1"
    with pytest.raises(AssertionError) as info:
        small_fake.wait_for("views.open", timeout=0.05)
    message = str(info.value)
    assert "chat.postMessage" in message
    assert small_fake.bot_token not in message
    assert small_fake.bot_token not in repr(small_fake.calls())

    small_fake.reset()
    assert small_fake.calls() == []
    assert small_fake.messages("C1") == []
    assert client.users_info(user="U1")["ok"] is True  # users survive a reset


def test_ts_values_are_unique_and_increasing(small_fake: FakeSlack, client: WebClient) -> None:
    values = [small_fake.next_ts(), client.chat_postMessage(channel="C1", text="x")["ts"]]
    values += [small_fake.next_ts() for _ in range(200)]
    assert len(set(values)) == len(values)
    assert values == sorted(values, key=float)
    assert all(len(v.split(".")[1]) == 6 for v in values)


def test_oauth_v2_access(small_fake: FakeSlack) -> None:
    code = small_fake.issue_oauth_code("T0OTHER", "Other Corp", installer_user_id="U9")
    anonymous = WebClient(base_url=small_fake.api_url)
    resp = anonymous.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=code)
    assert resp["token_type"] == "bot"
    assert resp["access_token"].startswith("xoxb-")
    assert resp["team"] == {"id": "T0OTHER", "name": "Other Corp"}
    assert resp["authed_user"] == {"id": "U9"}
    assert resp["enterprise"] is None
    assert resp["is_enterprise_install"] is False
    assert isinstance(resp.data, dict)
    assert {"bot_user_id", "app_id", "scope"} <= resp.data.keys()

    installed = WebClient(base_url=small_fake.api_url, token=resp["access_token"])
    assert installed.auth_test()["team_id"] == "T0OTHER"
    assert "client_secret" not in small_fake.calls("oauth.v2.access")[0].args

    reuse = _error_of(
        lambda: anonymous.oauth_v2_access(client_id="1", client_secret="s", code=code)
    )
    assert reuse[1]["error"] == "invalid_code"


def test_oauth_v2_access_checks_client_credentials() -> None:
    with FakeSlack(client_id="111.222", client_secret="right") as fake:
        code = fake.issue_oauth_code("T0TEAM")
        client = WebClient(base_url=fake.api_url)
        wrong = _error_of(
            lambda: client.oauth_v2_access(client_id="111.222", client_secret="wrong", code=code)
        )
        assert wrong[1]["error"] == "bad_client_secret"
        ok = client.oauth_v2_access(client_id="111.222", client_secret="right", code=code)
        assert ok["ok"] is True


def test_response_url(small_fake: FakeSlack) -> None:
    url = small_fake.response_url(channel="C1", user="U1")
    assert WebhookClient(url).send(text="just for you").status_code == 200
    assert WebhookClient(url).send(text="for all", response_type="in_channel").status_code == 200
    assert [c.args["text"] for c in small_fake.calls("response_url")] == ["just for you", "for all"]
    assert [e["text"] for e in small_fake.ephemerals("C1", user="U1")] == ["just for you"]
    assert [m["text"] for m in small_fake.messages("C1")] == ["for all"]
    small_fake.fail_next("response_url", "no_active_hooks", status=404)
    assert WebhookClient(url).send(text="x").status_code == 404


# ------------------------------------------------------------------------------ spec


def test_spec_lists_exactly_the_implemented_methods() -> None:
    spec_path = default_spec_path()
    assert spec_path.is_file(), f"the fake's OpenAPI spec is missing: {spec_path}"
    assert (spec_path.parent / "LICENSE-slack-api-specs").is_file()
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    paths = {p.lstrip("/") for p in spec["paths"]}
    # The trimmed copy holds the spec'd methods we implement and nothing else.
    assert paths == IMPLEMENTED_METHODS - OFF_SPEC_REQUIRED_ARGS.keys()
    # Once Slack's spec lists an off-spec method, take its entry instead of our table.
    assert not paths & OFF_SPEC_REQUIRED_ARGS.keys()
    assert OFF_SPEC_REQUIRED_ARGS.keys() <= IMPLEMENTED_METHODS
    required = spec_required_args(spec_path)
    assert required["chat.update"] == {"channel", "ts"}
    assert required["views.publish"] == {"user_id", "view"}


def test_missing_spec_stops_the_fake(tmp_path: Path) -> None:
    missing = tmp_path / "no-spec.json"
    with pytest.raises(SpecError, match="no-spec.json"):
        spec_required_args(missing)
    with pytest.raises(SpecError):
        FakeSlack(spec_path=missing)


def test_spec_without_an_implemented_method_stops_the_fake(tmp_path: Path) -> None:
    spec = json.loads(default_spec_path().read_text(encoding="utf-8"))
    del spec["paths"]["/chat.update"]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(SpecError, match="chat.update"):
        FakeSlack(spec_path=partial)


def test_spec_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "spec.json"
    copy.write_text(default_spec_path().read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(SPEC_ENV_VAR, str(copy))
    assert default_spec_path() == copy
    monkeypatch.setenv(SPEC_ENV_VAR, str(tmp_path / "absent.json"))
    with pytest.raises(SpecError, match="absent.json"):
        FakeSlack()


def test_required_args_come_from_the_spec(client: WebClient) -> None:
    data = _error_of(lambda: client.api_call("chat.postEphemeral", params={"channel": "C1"}))[1]
    assert data["error"] == "invalid_arguments"
    assert data["response_metadata"]["messages"] == ["[ERROR] missing required field: user"]
    _, data = _error_of(lambda: client.api_call("files.getUploadURLExternal", params={"length": 3}))
    assert data["response_metadata"]["messages"] == ["[ERROR] missing required field: filename"]


# ------------------------------------------------------------------------------ file uploads


def test_files_upload_v2_lands_in_uploads(small_fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="Calibration report")["ts"]
    response = client.files_upload_v2(
        channel="C1",
        thread_ts=parent,
        content=PNG,
        filename="agreement.png",
        title="Agreement by question",
        initial_comment="Here is the chart",
    )
    assert response["file"]["name"] == "agreement.png"
    assert response["file"]["title"] == "Agreement by question"
    assert response["file"]["mimetype"] == "image/png"
    assert response["file"]["size"] == len(PNG)
    assert response["file"]["channels"] == ["C1"]

    [upload] = small_fake.uploads()
    assert upload.file_id == response["file"]["id"]
    assert upload.content == PNG
    assert (upload.filename, upload.title) == ("agreement.png", "Agreement by question")
    assert (upload.channel_id, upload.thread_ts) == ("C1", parent)
    assert upload.initial_comment == "Here is the chart"
    assert small_fake.uploads("general") == [upload]
    assert small_fake.uploads("C2") == []

    # The three steps as Slack sees them; the bytes went to the fake's own upload URL.
    get_url, complete = (
        small_fake.calls("files.getUploadURLExternal"),
        small_fake.calls("files.completeUploadExternal"),
    )
    assert get_url[0].args["filename"] == "agreement.png"
    assert get_url[0].args["length"] == str(len(PNG))
    assert get_url[0].response is not None
    assert get_url[0].response["upload_url"].startswith(small_fake.base_url + "/upload/")
    assert small_fake.calls("upload_url")[0].args == {"file_id": upload.file_id, "length": len(PNG)}
    assert complete[0].args["channel_id"] == "C1"
    assert json.loads(complete[0].args["files"]) == [
        {"id": upload.file_id, "title": "Agreement by question"}
    ]
    small_fake.reset()
    assert small_fake.uploads() == []


def test_upload_without_channel_stays_private(small_fake: FakeSlack, client: WebClient) -> None:
    response = client.files_upload_v2(content="plain text", filename="notes.txt")
    [upload] = small_fake.uploads()
    assert upload.channel_id is None
    assert upload.title == "notes.txt"  # slack_sdk defaults the title to the filename
    assert upload.content == b"plain text"
    assert response["file"]["is_public"] is False


def test_upload_errors_raise_slack_api_error(small_fake: FakeSlack, client: WebClient) -> None:
    small_fake.fail_next("files.getUploadURLExternal", "file_uploads_disabled")
    with pytest.raises(SlackApiError) as info:
        client.files_upload_v2(channel="C1", content=PNG, filename="x.png")
    assert info.value.response["error"] == "file_uploads_disabled"

    small_fake.fail_next("files.completeUploadExternal", "invalid_channel")
    with pytest.raises(SlackApiError) as info:
        client.files_upload_v2(channel="C1", content=PNG, filename="x.png")
    assert info.value.response["error"] == "invalid_channel"

    with pytest.raises(SlackApiError) as info:
        client.files_upload_v2(channel="C2", content=PNG, filename="x.png")
    assert info.value.response["error"] == "not_in_channel"
    assert small_fake.uploads() == []


def test_upload_url_failure_raises_http_error(small_fake: FakeSlack, client: WebClient) -> None:
    # slack_sdk POSTs the bytes with urllib's urlopen, so a non-2xx answer from the upload URL
    # surfaces as urllib's HTTPError rather than a SlackApiError.
    small_fake.fail_next("upload_url", "upstream_unavailable", status=500)
    with pytest.raises(urllib.error.HTTPError) as info:
        client.files_upload_v2(channel="C1", content=PNG, filename="x.png")
    assert info.value.code == 500
    assert [c.status for c in small_fake.calls("upload_url")] == [500]
    assert small_fake.calls("files.completeUploadExternal") == []
    assert small_fake.uploads() == []


def test_upload_url_accepts_a_multipart_form(small_fake: FakeSlack, client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="x.png", length=len(PNG))
    boundary = "fake-slack-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="filename"; filename="x.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        started["upload_url"],
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == f"OK - {len(PNG)}".encode()
    client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="C1")
    assert [u.content for u in small_fake.uploads("C1")] == [PNG]


def test_complete_needs_uploaded_bytes_and_runs_once(client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="x.png", length=3)["file_id"]
    files = [{"id": file_id, "title": "x"}]
    missing = _error_of(lambda: client.files_completeUploadExternal(files=files))
    assert missing[1]["error"] == "file_not_found"  # nothing was POSTed to the upload URL

    uploaded = client.files_upload_v2(content=b"abc", filename="y.txt")["file"]["id"]
    again = _error_of(lambda: client.files_completeUploadExternal(files=[{"id": uploaded}]))
    assert again[1]["error"] == "file_not_found"
    bad = _error_of(lambda: client.api_call("files.completeUploadExternal", params={"files": "{"}))
    assert bad[1]["error"] == "invalid_arguments"


# ------------------------------------------------------------------------------ driver


@dataclass
class _Captured:
    body: bytes
    headers: dict[str, str]


@dataclass
class _CaptureServer:
    requests: list[_Captured] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def capture() -> Iterator[_CaptureServer]:
    state = _CaptureServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(_Captured(body, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_driver_requests_are_signed_like_slack(
    small_fake: FakeSlack, capture: _CaptureServer
) -> None:
    driver = SlackDriver(capture.url, SIGNING_SECRET, small_fake)
    verifier = SignatureVerifier(SIGNING_SECRET)

    assert driver.command("start", user="U1", channel="C1").status == 200
    thread_ts, _ = driver.post("C1", "hello", user="U1")
    driver.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1.000001"})
    driver.action({"type": "block_actions", "user": "U1", "actions": []})
    driver.url_verification("challenge-me")

    assert len(capture.requests) == 5
    for request in capture.requests:
        assert verifier.is_valid_request(request.body, request.headers)
        assert not SignatureVerifier("another-secret").is_valid_request(
            request.body, request.headers
        )

    command, message, _mention, action, _verification = capture.requests
    assert command.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(command.body.decode()).items()}
    assert form["command"] == "/interview"
    assert form["text"] == "start"
    assert form["user_id"] == "U1"
    assert form["user_name"] == "alice"
    assert form["channel_name"] == "general"
    assert form["team_id"] == "T0TEAM"
    assert form["response_url"].startswith(small_fake.base_url)
    assert form["trigger_id"]

    assert message.headers["Content-Type"] == "application/json"
    envelope = json.loads(message.body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "UBOT"
    assert envelope["event"]["ts"] == envelope["event"]["event_ts"] == thread_ts
    assert envelope["event"]["channel_type"] == "channel"

    payload = json.loads(parse_qs(action.body.decode())["payload"][0])
    assert payload["user"]["id"] == "U1"
    assert payload["team"]["id"] == "T0TEAM"


def test_event_envelope_matches_schema(small_fake: FakeSlack, capture: _CaptureServer) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(EVENT_WRAPPER_SCHEMA.read_text(encoding="utf-8"))
    driver = SlackDriver(capture.url, SIGNING_SECRET, small_fake)
    ts, _ = driver.post("C1", "root", user="U1")
    driver.reply("C1", ts, "answer", user="U2")
    driver.bot_reply("C1", ts, "beep")
    driver.edit("C1", ts, "root (edited)", user="U1")
    driver.delete("C1", ts, user="U1")
    driver.react("C1", ts, "thumbsup", user="U2", item_user="U1")
    driver.unreact("C1", ts, "thumbsup", user="U2", item_user="U1")
    envelopes = [json.loads(r.body) for r in capture.requests]
    assert len(envelopes) == 7
    for envelope in envelopes:
        jsonschema.validate(envelope, schema)

    _post, reply, bot, edit, delete, react, unreact = (e["event"] for e in envelopes)
    assert reply["thread_ts"] == ts
    assert reply["parent_user_id"] == "U1"
    assert bot["subtype"] == "bot_message"
    assert bot["bot_id"] == "B0OTHER"
    assert edit["subtype"] == "message_changed"
    assert edit["message"]["text"] == "root (edited)"
    assert edit["message"]["edited"]["user"] == "U1"
    assert edit["previous_message"]["text"] == "root"
    assert delete["subtype"] == "message_deleted"
    assert delete["deleted_ts"] == ts
    assert delete["previous_message"]["text"] == "root (edited)"
    assert react["type"] == "reaction_added"
    assert react["item"] == {"type": "message", "channel": "C1", "ts": ts}
    assert unreact["type"] == "reaction_removed"
    event_tss = [e["event"]["event_ts"] for e in envelopes]
    assert len(set(event_tss)) == len(event_tss)


def test_retry_headers(small_fake: FakeSlack, capture: _CaptureServer) -> None:
    driver = SlackDriver(capture.url, SIGNING_SECRET, small_fake)
    driver.post("C1", "hi", user="U1")
    driver.resend_last_event(retry_num=1)
    driver.event({"type": "message", "ts": "1.2"}, event_id="Ev123", retry_num=2)
    first, retried, explicit = capture.requests
    assert "X-Slack-Retry-Num" not in first.headers
    assert retried.body == first.body
    assert retried.headers["X-Slack-Retry-Num"] == "1"
    assert retried.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(explicit.body)["event_id"] == "Ev123"
    assert explicit.headers["X-Slack-Retry-Num"] == "2"


def test_driver_returns_error_responses(small_fake: FakeSlack) -> None:
    driver = SlackDriver(small_fake.base_url + "/nowhere", SIGNING_SECRET, small_fake)
    response = driver.url_verification("x")
    assert response.status == 404
    assert not response.ok


# ------------------------------------------------------------------------------ with Bolt


@pytest.fixture
def bolt_url(small_fake: FakeSlack) -> Iterator[str]:
    """A real Bolt app behind a stdlib HTTP server, talking to the fake."""
    app = App(
        client=WebClient(base_url=small_fake.api_url, token=small_fake.bot_token),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @app.command("/interview")
    def interview(ack: Callable[..., None], respond: Callable[..., None], command: dict) -> None:
        ack()
        respond(f"you said {command['text']}")

    @app.event("message")
    def on_message(event: dict, say: Callable[..., Any]) -> None:
        say(text=f"echo: {event['text']}", thread_ts=event["ts"])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            headers: dict[str, str | Sequence[str]] = {k: [v] for k, v in self.headers.items()}
            response = app.dispatch(BoltRequest(body=body, headers=headers))
            payload = response.body.encode()
            self.send_response(response.status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()


def test_bolt_round_trip(small_fake: FakeSlack, bolt_url: str) -> None:
    driver = SlackDriver(bolt_url, SIGNING_SECRET, small_fake)
    assert driver.url_verification("abc").json() == {"challenge": "abc"}

    assert driver.command("hello", user="U1", channel="C1").status == 200
    small_fake.wait_for("response_url")
    assert [e["text"] for e in small_fake.ephemerals("C1", user="U1")] == ["you said hello"]

    ts, response = driver.post("C1", "ping", user="U1")
    assert response.status == 200
    small_fake.wait_for("chat.postMessage")
    assert small_fake.messages("C1")[-1]["text"] == "echo: ping"
    assert small_fake.messages("C1")[-1]["thread_ts"] == ts

    bad = SlackDriver(bolt_url, "wrong-secret", small_fake)
    assert bad.command("hello", user="U1", channel="C1").status == 401
