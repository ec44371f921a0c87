"""Reading a question bank file: every problem reported with file, line and entry.

Pure Python and PyYAML, so scripts, tests, `python -m bot questions check` and the bot share it.
It walks the YAML node tree itself (not the loaded values) so every problem keeps its line; that
checker is one class and the module stays whole at a little over 400 lines for that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from bot.questions.model import RUBRIC_LEVELS, Question, Specimen

_SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REQUIRED_FIELDS = ("id", "category", "question", "rationale", "sample_answer")
_LIST_FIELDS = ("tags", "follow_ups")
_OPTIONAL_STR_FIELDS = ("difficulty",)
_CALIBRATION_FIELDS = ("rubric", "specimens")
_KNOWN_FIELDS = frozenset(
    _REQUIRED_FIELDS + _LIST_FIELDS + _OPTIONAL_STR_FIELDS + _CALIBRATION_FIELDS
)
_TOP_LEVEL_KEY = "questions"


@dataclass(frozen=True)
class Problem:
    """A single validation problem found in a question bank file.

    ``line`` is 1-based (``None`` if unknown, e.g. the file is missing) and ``entry`` describes
    the offending list entry (e.g. ``"entry 3 (id 'cache-invalidation')"``) or is ``None`` for
    file-level problems.
    """

    file: str
    line: int | None
    entry: str | None
    message: str

    def __str__(self) -> str:
        location = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.entry:
            return f"{location}: {self.entry}: {self.message}"
        return f"{location}: {self.message}"


class QuestionBankError(Exception):
    """Raised by :meth:`QuestionBank.load` when a bank file has problems.

    ``problems`` holds every problem found; ``str(exc)`` lists them one per line.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def check_bank(path: str | Path) -> list[Problem]:
    """Validate the question bank at ``path`` and return every problem found.

    Never raises: an unreadable file or malformed YAML is reported as a :class:`Problem` too.
    An empty list means the file loads cleanly with :meth:`QuestionBank.load`.
    """
    _, problems = parse_bank(path)
    return problems


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }.get(type(value), type(value).__name__)


class _Checker:
    """Walks the composed YAML node tree, collecting problems and valid questions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self._loader = yaml.SafeLoader("")

    def close(self) -> None:
        self._loader.dispose()

    def problem(self, line: int | None, entry: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, entry, message))

    def construct(self, node: Node, entry: str | None) -> tuple[bool, Any]:
        """Construct a Python value from ``node``; report and return ``(False, None)`` on error."""
        try:
            return True, self._loader.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or node.start_mark
            problem = getattr(exc, "problem", None) or str(exc)
            self.problem(mark.line + 1, entry, f"invalid value: {problem}")
            return False, None

    def check_document(self, root: Node | None) -> list[Question]:
        if root is None:
            self.problem(
                None, None, f"file is empty; expected a mapping with a {_TOP_LEVEL_KEY!r} list"
            )
            return []
        if not isinstance(root, MappingNode):
            self.problem(
                _line(root),
                None,
                f"top level must be a mapping with a {_TOP_LEVEL_KEY!r} list, "
                f"got {self._node_kind(root)}",
            )
            return []

        pairs = self._mapping_pairs(root, None)
        if _TOP_LEVEL_KEY not in pairs:
            self.problem(_line(root), None, f"top level has no {_TOP_LEVEL_KEY!r} key")
            return []
        key_node, seq = pairs[_TOP_LEVEL_KEY]
        for key, (unknown_key_node, _) in pairs.items():
            if key != _TOP_LEVEL_KEY:
                self.problem(
                    _line(unknown_key_node),
                    None,
                    f"unknown top-level key {key!r} (only {_TOP_LEVEL_KEY!r} is allowed)",
                )
        if not isinstance(seq, SequenceNode):
            kind = self._node_kind(seq)
            self.problem(_line(seq), None, f"{_TOP_LEVEL_KEY!r} must be a list, got {kind}")
            return []
        if not seq.value:
            self.problem(_line(key_node), None, "the question bank is empty")
            return []

        questions: list[Question] = []
        first_seen: dict[str, tuple[str, int]] = {}  # id -> (entry label, line)
        for index, entry_node in enumerate(seq.value, start=1):
            question = self._check_entry(index, entry_node, first_seen)
            if question is not None:
                questions.append(question)
        return questions

    def _check_entry(
        self, index: int, node: Node, first_seen: dict[str, tuple[str, int]]
    ) -> Question | None:
        label = f"entry {index}"
        if not isinstance(node, MappingNode):
            self.problem(_line(node), label, f"must be a mapping, got {self._node_kind(node)}")
            return None
        n_problems = len(self.problems)
        pairs = self._mapping_pairs(node, label)
        entry = _Entry(label, pairs, {}, {}, {})
        for key, (_, value_node) in pairs.items():
            entry.constructed[key] = self.construct(value_node, label)
            entry.lines[key] = _line(value_node)
        self._relabel(entry, index, n_problems)
        for key, (key_node, _) in pairs.items():
            if key not in _KNOWN_FIELDS:
                allowed = ", ".join(sorted(_KNOWN_FIELDS))
                self.problem(
                    _line(key_node), entry.label, f"unknown key {key!r} (allowed: {allowed})"
                )
        for field in _REQUIRED_FIELDS:
            if field not in pairs:
                self.problem(_line(node), entry.label, f"missing field {field!r}")
            else:
                self._check_string(entry, field)
        self._check_slugs(entry)
        for field in _OPTIONAL_STR_FIELDS:
            if field in pairs:
                self._check_string(entry, field)
        for field in _LIST_FIELDS:
            self._check_list(entry, field)
        rubric = self._check_rubric(entry)
        specimens = self._check_specimens(entry)
        self._check_duplicate(entry, first_seen)
        if len(self.problems) > n_problems:
            return None
        values = entry.values
        return Question(
            id=values["id"],
            category=values["category"],
            question=values["question"],
            rationale=values["rationale"],
            sample_answer=values["sample_answer"],
            tags=values["tags"],
            difficulty=values.get("difficulty"),
            follow_ups=values["follow_ups"],
            rubric=rubric,
            specimens=specimens,
        )

    def _relabel(self, entry: _Entry, index: int, n_problems: int) -> None:
        """Name the entry by its id when it has one, also in problems already reported."""
        ok, raw_id = entry.constructed.get("id", (False, None))
        if ok and isinstance(raw_id, str) and raw_id.strip():
            entry.label = f"entry {index} (id {raw_id!r})"
            self.problems[n_problems:] = [
                Problem(p.file, p.line, entry.label, p.message) for p in self.problems[n_problems:]
            ]

    def _check_string(self, entry: _Entry, field: str) -> None:
        ok, value = entry.constructed[field]
        if not ok:
            return
        if not isinstance(value, str) or not value.strip():
            got = "empty string" if isinstance(value, str) else _type_name(value)
            self.problem(
                entry.lines[field],
                entry.label,
                f"field {field!r} must be a non-empty string, got {got}",
            )
            return
        entry.values[field] = value

    def _check_slugs(self, entry: _Entry) -> None:
        for field in ("id", "category"):
            value = entry.values.get(field)
            if value is not None and not _SLUG_RE.fullmatch(value):
                self.problem(
                    entry.lines[field],
                    entry.label,
                    f"field {field!r} must be a slug (lowercase letters, digits and "
                    f"single hyphens, e.g. 'system-design'), got {value!r}",
                )
                del entry.values[field]

    def _check_list(self, entry: _Entry, field: str) -> None:
        if field not in entry.pairs:
            entry.values[field] = ()
            return
        ok, value = entry.constructed[field]
        if not ok:
            return
        line, label = entry.lines[field], entry.label
        if not isinstance(value, list):
            got = _type_name(value)
            self.problem(line, label, f"field {field!r} must be a list of strings, got {got}")
            return
        bad = [item for item in value if not isinstance(item, str) or not item.strip()]
        if bad:
            self.problem(
                line,
                label,
                f"field {field!r} must be a list of non-empty strings, got item {bad[0]!r}",
            )
            return
        entry.values[field] = tuple(value)

    def _check_rubric(self, entry: _Entry) -> tuple[tuple[int, str], ...]:
        """Optional; when present, exactly the four anchored levels, each a non-empty text."""
        if "rubric" not in entry.pairs:
            return ()
        ok, value = entry.constructed["rubric"]
        if not ok:
            return ()
        line, label = entry.lines["rubric"], entry.label
        levels = ", ".join(f"{n} ({name})" for n, name in RUBRIC_LEVELS.items())
        if not isinstance(value, dict) or set(value) != set(RUBRIC_LEVELS):
            self.problem(
                line, label, f"'rubric' must map exactly the four levels {levels} to texts"
            )
            return ()
        empty = [
            level for level, text in value.items() if not isinstance(text, str) or not text.strip()
        ]
        if empty:
            self.problem(line, label, f"'rubric' level {empty[0]} must be a non-empty text")
            return ()
        return tuple((level, value[level]) for level in sorted(value))

    def _check_specimens(self, entry: _Entry) -> tuple[Specimen, ...]:
        """Optional; when present, answers with an expected score 1-4 and a why, spanning at
        least two levels (a panel can't be checked against specimens that are all alike)."""
        if "specimens" not in entry.pairs:
            return ()
        ok, value = entry.constructed["specimens"]
        if not ok:
            return ()
        line, label = entry.lines["specimens"], entry.label
        if not isinstance(value, list) or not value:
            self.problem(line, label, "'specimens' must be a list of answers to score")
            return ()
        specimens: list[Specimen] = []
        for number, item in enumerate(value, start=1):
            problem = _specimen_problem(item)
            if problem:
                self.problem(line, label, f"specimen {number}: {problem}")
                return ()
            specimens.append(Specimen(item["answer"], item["expected_score"], item["why"]))
        if len({s.expected_score for s in specimens}) < 2:
            self.problem(line, label, "'specimens' must span at least two levels of expected_score")
            return ()
        return tuple(specimens)

    def _check_duplicate(self, entry: _Entry, first_seen: dict[str, tuple[str, int]]) -> None:
        question_id = entry.values.get("id")
        if question_id is None:
            return
        if question_id in first_seen:
            other_label, other_line = first_seen[question_id]
            self.problem(
                entry.lines["id"],
                entry.label,
                f"duplicate id {question_id!r}: already used by {other_label} at line {other_line}",
            )
        else:
            first_seen[question_id] = (entry.label, entry.lines["id"])

    def _mapping_pairs(self, node: MappingNode, label: str | None) -> dict[str, tuple[Node, Node]]:
        """Return ``{key: (key_node, value_node)}``, reporting bad and duplicate keys.

        YAML merge keys (``<<: *anchor``) are resolved; keys written explicitly override merged
        ones, but a key written twice in the same mapping is reported as a duplicate.
        """
        explicit = {id(key_node) for key_node, _ in node.value}
        try:
            self._loader.flatten_mapping(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or node.start_mark
            self.problem(mark.line + 1, label, f"invalid merge key: {exc}")
        pairs: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(_line(key_node), label, "keys must be strings")
                continue
            ok, key = self.construct(key_node, label)
            if not ok:
                continue
            if not isinstance(key, str):
                self.problem(_line(key_node), label, f"keys must be strings, got {key!r}")
                continue
            previous = pairs.get(key)
            if previous is not None and id(previous[0]) in explicit and id(key_node) in explicit:
                self.problem(
                    _line(key_node),
                    label,
                    f"duplicate key {key!r} (first at line {_line(previous[0])})",
                )
                continue
            pairs[key] = (key_node, value_node)  # later (explicit) keys override merged ones
        return pairs

    def _node_kind(self, node: Node) -> str:
        """Describe what ``node`` holds, e.g. ``list`` or ``string 'hello'``."""
        if isinstance(node, SequenceNode):
            return "list"
        if isinstance(node, MappingNode):
            return "mapping"
        try:
            value = self._loader.construct_document(node)
        except yaml.YAMLError:
            return "scalar"
        if isinstance(value, str):
            return f"string {value!r}"
        return _type_name(value)


# libyaml's parser when PyYAML was built with it (the wheels are): 20 times faster than the
# pure-Python one, a tenth of a second of start-up for the shipped bank. Same nodes and marks.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_bank(path: str | Path) -> tuple[list[Question], list[Problem]]:
    """Parse and validate a bank file; return the valid questions and all problems."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(file, None, None, "file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(file, None, None, f"cannot read file: {exc}")]

    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = exc.context
        if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            context = f"{context} (at line {exc.context_mark.line + 1})"
        detail = "; ".join(part for part in (context, exc.problem) if part) or str(exc)
        return [], [Problem(file, line, None, f"malformed YAML: {detail}")]
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character
        shown = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        message = f"malformed YAML: unacceptable character {shown}: {exc.reason}"
        return [], [Problem(file, line, None, message)]
    except yaml.YAMLError as exc:
        return [], [Problem(file, None, None, f"malformed YAML: {exc}")]

    checker = _Checker(file)
    try:
        questions = checker.check_document(root)
    except RecursionError:
        checker.problem(None, None, "YAML structure is nested too deeply")
        questions = []
    finally:
        checker.close()
    if checker.problems:
        # Report in file order (stable, so problems on one line keep their discovery order).
        return [], sorted(checker.problems, key=lambda problem: problem.line or 0)
    return questions, []


@dataclass
class _Entry:
    """One entry of the bank while it is checked."""

    label: str
    pairs: dict[str, tuple[Node, Node]]
    constructed: dict[str, tuple[bool, Any]]
    lines: dict[str, int]
    values: dict[str, Any]


def _specimen_problem(item: Any) -> str | None:
    if not isinstance(item, dict) or set(item) != {"answer", "expected_score", "why"}:
        return "must be a mapping with answer, expected_score and why"
    score = item["expected_score"]
    if isinstance(score, bool) or not isinstance(score, int) or score not in RUBRIC_LEVELS:
        return f"expected_score must be 1, 2, 3 or 4, got {score!r}"
    for key in ("answer", "why"):
        if not isinstance(item[key], str) or not item[key].strip():
            return f"{key} must be a non-empty text"
    return None
