"""Validate manifest.yml (HTTP) and manifest.socket-mode.yml against Slack's published app
manifest JSON schema, and check that the two describe the same app.

The schema (slackapi/manifest-schema, ``manifest.schema.2.0.0.json``) is vendored with its
licence in ``tests/fixtures/slack``; the structural checks on the manifest itself (command,
events, scopes, interactivity) run alongside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from tests.helpers import ROOT

MANIFEST_PATH = ROOT / "manifest.yml"
SOCKET_MODE_MANIFEST_PATH = ROOT / "manifest.socket-mode.yml"
MANIFESTS = [MANIFEST_PATH, SOCKET_MODE_MANIFEST_PATH]

SCHEMA_FILENAME = "manifest.schema.2.0.0.json"
SCHEMA_MAJOR_VERSION = 2
SPECS_DIR = ROOT / "tests" / "fixtures" / "slack"

SLASH_COMMAND = "/interview"
# Bot events the bot's handlers listen to.
EXPECTED_BOT_EVENTS = {
    "message.channels",
    "message.groups",
    "reaction_added",
    "reaction_removed",
    "app_home_opened",
    "member_joined_channel",
}
# Scopes Slack requires before it delivers each event (https://api.slack.com/events).
EVENT_REQUIRED_SCOPES: dict[str, set[str]] = {
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "app_home_opened": set(),
    # either: public channels need channels:read, private ones groups:read (the bot has both)
    "member_joined_channel": {"channels:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), f"{path.name} must be a YAML mapping"
    return data


@pytest.fixture(scope="module", params=MANIFESTS, ids=lambda p: p.name)
def manifest(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _load(request.param)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS_DIR / SCHEMA_FILENAME).read_text(encoding="utf-8"))
    return data


def test_schema_is_vendored_with_its_licence() -> None:
    assert (SPECS_DIR / SCHEMA_FILENAME).is_file()
    assert (SPECS_DIR / "LICENSE-manifest-schema").is_file()


def _retrieve_offline(uri: str) -> Resource:
    """Resolve remote ``$ref``s from the local specs directory; never touch the network.

    Slack's schemas reference each other by URLs such as
    ``https://raw.githubusercontent.com/slackapi/manifest-schema/.../manifest.schema.1.0.0.json``,
    so map a URL to the local file with the same name when there is one.
    """
    name = Path(urlsplit(uri).path).name
    candidate = SPECS_DIR / name
    if name and candidate.is_file():
        return Resource.from_contents(json.loads(candidate.read_text(encoding="utf-8")))
    # referencing declares its classes with its own wrapper of attrs.frozen, which mypy's attrs
    # plugin does not recognise, so it sees no ``ref`` field.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _bot_events(manifest: dict[str, Any]) -> list[str]:
    return manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", [])


def _bot_scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest.get("oauth_config", {}).get("scopes", {}).get("bot", []))


def test_schema_refs_resolve_offline(schema: dict[str, Any]) -> None:
    unresolvable = sorted(
        ref
        for ref in set(_refs(schema))
        if urldefrag(ref).url and not (SPECS_DIR / Path(urlsplit(ref).path).name).is_file()
    )
    assert not unresolvable, f"remote $refs with no local copy in {SPECS_DIR}: {unresolvable}"


def test_manifest_matches_slack_schema(manifest: dict[str, Any], schema: dict[str, Any]) -> None:
    # Slack's schemas declare their JSON Schema draft in $schema (draft-07 today).
    validator_cls = validator_for(schema, default=jsonschema.Draft7Validator)
    validator_cls.check_schema(schema)
    validator = validator_cls(
        schema,
        registry=Registry(retrieve=_retrieve_offline),  # type: ignore[call-arg]  # as above
        format_checker=validator_cls.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    assert not errors, "manifest.yml does not match Slack's manifest schema:\n" + "\n".join(
        f"  {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
    )


def test_manifest_targets_the_schema_version_it_is_validated_against(
    manifest: dict[str, Any],
) -> None:
    # Without _metadata Slack reads the manifest as major version 1.
    assert manifest.get("_metadata", {}).get("major_version") == SCHEMA_MAJOR_VERSION


def test_background_color_is_a_hex_color(manifest: dict[str, Any]) -> None:
    # The schema states this pattern under a non-standard "regex" keyword, so the
    # validator does not enforce it.
    color = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color), color


def test_declares_interview_slash_command(manifest: dict[str, Any]) -> None:
    commands = manifest.get("features", {}).get("slash_commands", [])
    assert SLASH_COMMAND in [c.get("command") for c in commands]
    assert "commands" in _bot_scopes(manifest)


def test_subscribes_to_the_bot_events_we_handle(manifest: dict[str, Any]) -> None:
    events = _bot_events(manifest)
    assert len(events) == len(set(events)), f"duplicate bot events: {events}"
    missing = EXPECTED_BOT_EVENTS - set(events)
    assert not missing, f"bot_events is missing {sorted(missing)}"


def test_every_bot_event_has_its_required_scopes(manifest: dict[str, Any]) -> None:
    scopes = _bot_scopes(manifest)
    for event in _bot_events(manifest):
        assert event in EVENT_REQUIRED_SCOPES, (
            f"add the scopes Slack requires for {event!r} to EVENT_REQUIRED_SCOPES"
        )
        missing = EVENT_REQUIRED_SCOPES[event] - scopes
        assert not missing, f"{event} needs bot scope(s) {sorted(missing)}"


def test_interactivity_enabled(manifest: dict[str, Any]) -> None:
    assert manifest.get("settings", {}).get("interactivity", {}).get("is_enabled") is True


def test_people_can_read_what_the_bot_sends_them_but_not_chat(manifest: dict[str, Any]) -> None:
    """The bot DMs people (Practise now, calibration results, consent requests): with the
    Messages tab off Slack hides those DMs once they are left, so it is on, and read-only."""
    home = manifest["features"]["app_home"]
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is True
    assert "message.im" not in _bot_events(manifest)  # nothing listens to DMs


def test_request_urls_present_unless_socket_mode(manifest: dict[str, Any]) -> None:
    settings = manifest.get("settings", {})
    if settings.get("socket_mode_enabled"):
        pytest.skip("Socket Mode: Slack delivers requests over the websocket, no URLs needed")
    urls = {
        "settings.event_subscriptions.request_url": settings.get("event_subscriptions", {}).get(
            "request_url"
        ),
        "settings.interactivity.request_url": settings.get("interactivity", {}).get("request_url"),
    }
    for command in manifest.get("features", {}).get("slash_commands", []):
        urls[f"features.slash_commands[{command.get('command')}].url"] = command.get("url")
    for key, url in urls.items():
        assert isinstance(url, str), f"{key} is required when socket_mode_enabled is false"
        assert url.startswith("https://"), f"{key} must be an https URL: {url}"


def test_oauth_install_asks_for_the_manifest_scopes(manifest: dict[str, Any]) -> None:
    """The OAuth install flow requests exactly the scopes the manifest declares."""
    from bot.app import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def _urls(node: Any, path: str = "") -> Iterator[str]:
    """Every string value in the manifest that is a web address, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _urls(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _urls(value, f"{path}[{i}]")
    elif isinstance(node, str) and node.startswith(("http://", "https://")):
        yield f"{path}: {node}"


def _what_the_app_does(manifest: dict[str, Any]) -> dict[str, Any]:
    features = manifest.get("features", {})
    return {
        "scopes": sorted(_bot_scopes(manifest)),
        "commands": [
            {k: v for k, v in c.items() if k != "url"} for c in features.get("slash_commands", [])
        ],
        "events": sorted(_bot_events(manifest)),
        "interactivity": manifest["settings"]["interactivity"]["is_enabled"],
        "app_home": features.get("app_home"),
        "bot_user": features.get("bot_user"),
        "display_information": manifest.get("display_information"),
    }


def test_the_socket_mode_manifest_describes_the_same_app_as_the_http_one() -> None:
    http, socket = _load(MANIFEST_PATH), _load(SOCKET_MODE_MANIFEST_PATH)
    assert _what_the_app_does(socket) == _what_the_app_does(http)


def test_the_socket_mode_manifest_has_socket_mode_on_and_no_urls() -> None:
    socket = _load(SOCKET_MODE_MANIFEST_PATH)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert list(_urls(socket)) == []


def test_the_http_manifest_has_socket_mode_off_and_its_urls_are_placeholders() -> None:
    """The placeholders are replaced once the bot runs behind HTTPS (the README says when)."""
    http = _load(MANIFEST_PATH)
    assert http["settings"]["socket_mode_enabled"] is False
    urls = list(_urls(http))
    assert len(urls) == 4, urls  # the command, events, interactivity, the OAuth redirect
    assert all(": https://example.com/slack/" in url for url in urls), urls
