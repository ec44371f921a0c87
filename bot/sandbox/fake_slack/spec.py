"""Slack's Web API OpenAPI spec: which arguments each method requires.

A trimmed copy of Slack's published spec ships in ``bot/sandbox/specs/`` (see its README); set
``$SLACK_OPENAPI_SPEC`` to check against another copy, such as the full upstream file. The fake
never runs without a spec: a missing or unreadable file is an error, not a silent fallback.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

SPEC_FILENAME = "slack_web_openapi_v2_trimmed.json"
SPEC_ENV_VAR = "SLACK_OPENAPI_SPEC"
SPECS_DIR = Path(__file__).resolve().parent.parent / "specs"

# Methods the fake implements that Slack's published spec (v2, last updated upstream in April 2020,
# before org-wide apps and the external upload flow) does not list. Their required arguments
# come from Slack's method reference pages; a test fails once a refreshed spec lists them, so
# they move to the spec.
OFF_SPEC_REQUIRED_ARGS: dict[str, frozenset[str]] = {
    "auth.teams.list": frozenset(),  # org-wide apps (2020): only the token is required
    "files.completeUploadExternal": frozenset({"files"}),
    "files.getUploadURLExternal": frozenset({"filename", "length"}),
}


class SpecError(RuntimeError):
    """The OpenAPI spec is missing, unreadable or lacks a method the fake implements."""


def default_spec_path() -> Path:
    """The OpenAPI spec location: ``$SLACK_OPENAPI_SPEC`` or the copy in bot/sandbox/specs."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    return SPECS_DIR / SPEC_FILENAME


@cache
def _load_spec_required_args(path: str) -> dict[str, frozenset[str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            spec = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SpecError(
            f"cannot read Slack's OpenAPI spec at {path}: {exc}. The fake Slack ships a copy in "
            f"{SPECS_DIR}; ${SPEC_ENV_VAR} overrides it."
        ) from exc
    paths = spec.get("paths") if isinstance(spec, dict) else None
    if not isinstance(paths, dict):
        raise SpecError(f"{path} is not an OpenAPI spec: it has no 'paths' object")
    result: dict[str, frozenset[str]] = {}
    for route, operations in paths.items():
        required: set[str] = set()
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param.get("required") and param.get("name") != "token":
                    required.add(param["name"])
        result[route.lstrip("/")] = frozenset(required)
    return result


def spec_required_args(path: Path | None = None) -> dict[str, frozenset[str]]:
    """Required non-token arguments of every method in the spec; SpecError if it is unreadable."""
    return _load_spec_required_args(str(path or default_spec_path()))


def required_args_for(
    methods: frozenset[str], path: Path | None = None
) -> dict[str, frozenset[str]]:
    """Required arguments of each of ``methods``: from the spec, or the off-spec table.

    Raises SpecError when a method is in neither, so a spec that lacks an implemented method
    (an old copy given through the environment, say) stops the fake at construction.
    """
    from_spec = spec_required_args(path)
    result: dict[str, frozenset[str]] = {}
    for method in sorted(methods):
        if method in from_spec:
            result[method] = from_spec[method]
        elif method in OFF_SPEC_REQUIRED_ARGS:
            result[method] = OFF_SPEC_REQUIRED_ARGS[method]
        else:
            raise SpecError(
                f"{method} is implemented by the fake Slack but missing from the OpenAPI spec at "
                f"{path or default_spec_path()}"
            )
    return result
