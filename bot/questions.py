"""Question bank: loading, validation and selection of interview practice questions.

The bank is a YAML file with a top-level mapping holding a ``questions`` list::

    questions:
    - id: cache-invalidation
      category: system-design
      difficulty: mid            # optional
      tags: [caching, redis]     # optional
      follow_ups: [...]          # optional
      question: ...
      rationale: ...
      sample_answer: ...

:func:`check_bank` reports every problem in a bank file (with file, line and entry) without
raising; :meth:`QuestionBank.load` raises :class:`QuestionBankError` carrying all of them.
This module is pure Python + PyYAML so it can be used from scripts, tests and the bot alike.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

__all__ = ["Problem", "Question", "QuestionBank", "QuestionBankError", "check_bank"]

_SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REQUIRED_FIELDS = ("id", "category", "question", "rationale", "sample_answer")
_LIST_FIELDS = ("tags", "follow_ups")
_OPTIONAL_STR_FIELDS = ("difficulty",)
_KNOWN_FIELDS = frozenset(_REQUIRED_FIELDS + _LIST_FIELDS + _OPTIONAL_STR_FIELDS)
_TOP_LEVEL_KEY = "questions"

_default_rng = random.Random()


@dataclass(frozen=True)
class Question:
    """One interview question with its rationale and a sample answer."""

    id: str
    category: str
    question: str
    rationale: str
    sample_answer: str
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    follow_ups: tuple[str, ...] = ()


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
    _, problems = _parse_bank(path)
    return problems


class QuestionBank:
    """An immutable, ordered collection of questions with unique ids."""

    questions: tuple[Question, ...]

    def __init__(self, questions: Iterable[Question]) -> None:
        self.questions = tuple(questions)
        self._by_id: dict[str, Question] = {}
        for question in self.questions:
            if question.id in self._by_id:
                raise ValueError(f"duplicate question id {question.id!r}")
            self._by_id[question.id] = question

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"QuestionBank({len(self.questions)} questions)"

    @classmethod
    def load(cls, path: str | Path) -> QuestionBank:
        """Load and validate a bank file.

        Raises :class:`QuestionBankError` listing all problems if the file is invalid.
        """
        questions, problems = _parse_bank(path)
        if problems:
            raise QuestionBankError(problems)
        return cls(questions)

    @classmethod
    def from_questions(cls, questions: Iterable[Question]) -> QuestionBank:
        """Build a bank from already-constructed questions (ids must be unique)."""
        return cls(questions)

    def get(self, question_id: str) -> Question | None:
        """Return the question with ``question_id``, or ``None`` if it is not in the bank."""
        return self._by_id.get(question_id)

    def categories(self) -> dict[str, int]:
        """Return ``{category: number of questions}``, sorted by category name."""
        counts = Counter(question.category for question in self.questions)
        return dict(sorted(counts.items()))

    def pick_next(
        self,
        history: Sequence[str],
        categories: Collection[str] | None = None,
        rng: random.Random | None = None,
    ) -> Question:
        """Pick the next question for a channel without repeating within a cycle.

        ``history`` lists the ids previously used in the channel, oldest first; ids that are
        not in the bank (or not among the candidates) are ignored. Candidates are the questions
        whose category is in ``categories`` (all questions if ``None`` or empty). No candidate
        repeats until every candidate has been used: the history is split into cycles, oldest
        first (a cycle ends when it holds every candidate, or when a question repeats, e.g. one
        asked again on purpose); the pick is uniform among candidates not in the current cycle,
        and a new cycle does not start with the question just asked.

        Raises ``ValueError`` if the bank is empty or ``categories`` selects no questions.
        """
        if isinstance(categories, str):
            categories = (categories,)
        if categories:
            wanted = set(categories)
            candidates = [q for q in self.questions if q.category in wanted]
        else:
            wanted = set()
            candidates = list(self.questions)
        if not candidates:
            if not self.questions:
                raise ValueError("the question bank is empty")
            unknown = sorted(wanted - set(self.categories()))
            raise ValueError(
                f"unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(repr(c) for c in unknown)}; "
                f"valid categories: {', '.join(self.categories())}"
            )

        candidate_ids = {q.id for q in candidates}
        used = [question_id for question_id in history if question_id in candidate_ids]
        current_cycle: set[str] = set()
        for question_id in used:  # split the history into cycles, oldest first
            if question_id in current_cycle or len(current_cycle) == len(candidates):
                current_cycle = set()
            current_cycle.add(question_id)
        if len(current_cycle) == len(candidates):  # a full cycle: start again, but not with
            current_cycle = {used[-1]} if len(candidates) > 1 else set()  # the one just asked
        available = [q for q in candidates if q.id not in current_cycle]
        return (rng or _default_rng).choice(available)


# --------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------


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

        # Work out the label first so every problem of this entry names its id when possible.
        values: dict[str, Any] = {}
        value_lines: dict[str, int] = {}
        constructed: dict[str, tuple[bool, Any]] = {}
        for key, (_, value_node) in pairs.items():
            constructed[key] = self.construct(value_node, label)
            value_lines[key] = _line(value_node)
        ok, raw_id = constructed.get("id", (False, None))
        if ok and isinstance(raw_id, str) and raw_id.strip():
            label = f"entry {index} (id {raw_id!r})"
            # Re-label problems already reported for this entry (e.g. duplicate keys).
            self.problems[n_problems:] = [
                Problem(p.file, p.line, label, p.message) for p in self.problems[n_problems:]
            ]

        for key, (key_node, _) in pairs.items():
            if key not in _KNOWN_FIELDS:
                self.problem(
                    _line(key_node),
                    label,
                    f"unknown key {key!r} (allowed: {', '.join(sorted(_KNOWN_FIELDS))})",
                )

        for field in _REQUIRED_FIELDS:
            if field not in pairs:
                self.problem(_line(node), label, f"missing field {field!r}")
                continue
            ok, value = constructed[field]
            if not ok:
                continue
            if not isinstance(value, str) or not value.strip():
                got = "empty string" if isinstance(value, str) else _type_name(value)
                self.problem(
                    value_lines[field],
                    label,
                    f"field {field!r} must be a non-empty string, got {got}",
                )
                continue
            values[field] = value

        for field in ("id", "category"):
            value = values.get(field)
            if value is not None and not _SLUG_RE.fullmatch(value):
                self.problem(
                    value_lines[field],
                    label,
                    f"field {field!r} must be a slug (lowercase letters, digits and "
                    f"single hyphens, e.g. 'system-design'), got {value!r}",
                )
                del values[field]

        for field in _OPTIONAL_STR_FIELDS:
            if field not in pairs:
                continue
            ok, value = constructed[field]
            if not ok:
                continue
            if not isinstance(value, str) or not value.strip():
                got = "empty string" if isinstance(value, str) else _type_name(value)
                self.problem(
                    value_lines[field],
                    label,
                    f"field {field!r} must be a non-empty string, got {got}",
                )
                continue
            values[field] = value

        for field in _LIST_FIELDS:
            if field not in pairs:
                values[field] = ()
                continue
            ok, value = constructed[field]
            if not ok:
                continue
            if not isinstance(value, list):
                self.problem(
                    value_lines[field],
                    label,
                    f"field {field!r} must be a list of strings, got {_type_name(value)}",
                )
                continue
            bad = [item for item in value if not isinstance(item, str) or not item.strip()]
            if bad:
                self.problem(
                    value_lines[field],
                    label,
                    f"field {field!r} must be a list of non-empty strings, got item {bad[0]!r}",
                )
                continue
            values[field] = tuple(value)

        question_id = values.get("id")
        if question_id is not None:
            if question_id in first_seen:
                other_label, other_line = first_seen[question_id]
                self.problem(
                    value_lines["id"],
                    label,
                    f"duplicate id {question_id!r}: already used by {other_label} "
                    f"at line {other_line}",
                )
            else:
                first_seen[question_id] = (label, value_lines["id"])

        if len(self.problems) > n_problems:
            return None
        return Question(
            id=values["id"],
            category=values["category"],
            question=values["question"],
            rationale=values["rationale"],
            sample_answer=values["sample_answer"],
            tags=values["tags"],
            difficulty=values.get("difficulty"),
            follow_ups=values["follow_ups"],
        )

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


def _parse_bank(path: str | Path) -> tuple[list[Question], list[Problem]]:
    """Parse and validate a bank file; return the valid questions and all problems."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(file, None, None, "file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(file, None, None, f"cannot read file: {exc}")]

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
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
