"""Tests for bot.questions.bank: the shipped bank, validation problems and question selection."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.questions.bank import Problem, Question, QuestionBank, QuestionBankError, check_bank
from tests.helpers import ROOT, write_bank

BANK_PATH = ROOT / "data" / "questions.yaml"
SEED_PATH = ROOT / "tests" / "fixtures" / "seed" / "backend-engineer-interview-questions.txt"
ANSWER_PREFIX = "Answer Example: "


def parse_seed(text: str) -> list[tuple[str, str, str]]:
    """Return (question, rationale, sample answer) for every block of the seed document.

    A block is: the question line, a rationale line starting "Employers ask this", then an
    ``Answer Example: "..."`` line.
    """
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if not line.startswith("Employers ask this"):
            continue
        question, answer = lines[i - 1], lines[i + 1]
        assert answer.startswith(ANSWER_PREFIX + '"') and answer.endswith('"'), answer
        blocks.append((question, line, answer[len(ANSWER_PREFIX) + 1 : -1]))
    return blocks


def entry_yaml(qid: str, category: str = "system-design", **extra: str) -> str:
    lines = [
        f"- id: {qid}",
        f"  category: {category}",
        f"  question: Question {qid}?",
        f"  rationale: Because {qid}.",
        f"  sample_answer: Answer {qid}.",
    ]
    lines += [f"  {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def make_question(qid: str, category: str = "system-design") -> Question:
    return Question(
        id=qid,
        category=category,
        question=f"Question {qid}?",
        rationale=f"Because {qid}.",
        sample_answer=f"Answer {qid}.",
    )


def single_problem(path: Path) -> Problem:
    problems = check_bank(path)
    assert len(problems) == 1, problems
    return problems[0]


# --------------------------------------------------------------------------------------------
# The shipped bank
# --------------------------------------------------------------------------------------------


def test_shipped_bank_loads() -> None:
    assert check_bank(BANK_PATH) == []
    bank = QuestionBank.load(BANK_PATH)
    assert len(bank.questions) == 24
    categories = bank.categories()
    assert categories.get("system-design", 0) >= 2
    assert list(categories) == sorted(categories)
    assert sum(categories.values()) == 24
    for question in bank.questions:
        assert question.difficulty in {"junior", "mid", "senior"}
        assert question.tags
        assert bank.get(question.id) is question


@pytest.mark.skipif(not SEED_PATH.exists(), reason=f"seed document not found at {SEED_PATH}")
def test_shipped_bank_matches_seed_word_for_word() -> None:
    seed_text = SEED_PATH.read_text(encoding="utf-8")
    seed = parse_seed(seed_text)
    assert len(seed) == 24
    # The seed also lists the questions up front; the blocks must cover exactly that list.
    seed_lines = seed_text.splitlines()
    assert [q for q, _, _ in seed] == seed_lines[3 : 3 + len(seed)]

    bank = QuestionBank.load(BANK_PATH)
    from_bank = {q.question: (q.rationale, q.sample_answer) for q in bank.questions}
    from_seed = {question: (rationale, answer) for question, rationale, answer in seed}
    assert len(from_bank) == len(bank.questions) == 24
    assert from_bank.keys() == from_seed.keys()
    for question, expected in from_seed.items():
        assert from_bank[question] == expected, question


def test_shipped_bank_raw_yaml_has_only_known_shape() -> None:
    data = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
    assert list(data) == ["questions"]
    ids = [entry["id"] for entry in data["questions"]]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def test_valid_file_loads_with_optional_fields(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        """
        questions:
        - id: cache-invalidation
          category: system-design
          difficulty: senior
          tags: [caching, redis]
          follow_ups:
            - What about stampedes?
          question: How do you invalidate caches?
          rationale: >-
            Employers ask this
            to check things.
          sample_answer: "I use “TTLs” — mostly."
        """,
    )
    assert check_bank(path) == []
    (question,) = QuestionBank.load(path).questions
    assert question == Question(
        id="cache-invalidation",
        category="system-design",
        question="How do you invalidate caches?",
        rationale="Employers ask this to check things.",
        sample_answer="I use “TTLs” — mostly.",
        tags=("caching", "redis"),
        difficulty="senior",
        follow_ups=("What about stampedes?",),
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    problem = single_problem(path)
    assert problem.file == str(path)
    assert "not found" in problem.message
    with pytest.raises(QuestionBankError) as excinfo:
        QuestionBank.load(path)
    assert excinfo.value.problems == [problem]
    assert str(excinfo.value) == str(problem)


def test_unreadable_path_is_a_problem(tmp_path: Path) -> None:
    problem = single_problem(tmp_path)  # a directory cannot be read as a file
    assert problem.file == str(tmp_path)
    assert "cannot read" in problem.message


def test_malformed_yaml_reports_line(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        """
        questions:
        - id: a
          category: system-design
          question: "unterminated
          rationale: x
        """,
    )
    problem = single_problem(path)
    assert problem.line is not None
    assert str(problem).startswith(f"{path}:{problem.line}: malformed YAML")

    path = write_bank(tmp_path, "questions:\n- id: a\n  category: [x\n", name="bad2.yaml")
    problem = single_problem(path)
    assert "malformed YAML" in problem.message
    assert problem.line in (3, 4)

    path = write_bank(tmp_path, "questions:\n  - id: a\n bad: indentation\n", name="bad3.yaml")
    problem = single_problem(path)
    assert "malformed YAML" in problem.message
    assert problem.line == 3

    path = tmp_path / "bad4.yaml"
    path.write_text("questions:\n- id: a\n  question: x\x01\n", encoding="utf-8")
    problem = single_problem(path)
    # libyaml says "control characters", PyYAML's own parser "special characters"
    assert str(problem).startswith(f"{path}:3: malformed YAML: unacceptable character #x0001: ")
    assert str(problem).endswith(" characters are not allowed")


@pytest.mark.parametrize(
    ("text", "expected_line", "fragment"),
    [
        ("", None, "empty"),
        ("- just\n- a list\n", 1, "top level must be a mapping"),
        ("other: 1\n", 1, "no 'questions' key"),
        ("questions: 3\n", 1, "'questions' must be a list, got integer"),
        ("questions:\n", 1, "'questions' must be a list, got null"),
        ("questions: []\n", 1, "the question bank is empty"),
    ],
)
def test_top_level_problems(
    tmp_path: Path, text: str, expected_line: int | None, fragment: str
) -> None:
    path = write_bank(tmp_path, text)
    problem = single_problem(path)
    assert problem.line == expected_line
    assert problem.entry is None
    assert fragment in problem.message
    assert str(problem).startswith(str(path))


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "questions:\n" + entry_yaml("a") + "extra: 1\n")
    problem = single_problem(path)
    assert problem.line == 7
    assert "unknown top-level key 'extra'" in problem.message


def test_entry_not_a_mapping(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "questions:\n" + entry_yaml("a") + "- just a string\n")
    problem = single_problem(path)
    assert (problem.line, problem.entry) == (7, "entry 2")
    assert "must be a mapping" in problem.message


def test_missing_field_names_file_line_and_entry(tmp_path: Path) -> None:
    text = "questions:\n" + entry_yaml("a") + entry_yaml("cache-invalidation")
    text = text.replace("  rationale: Because cache-invalidation.\n", "")
    path = write_bank(tmp_path, text)
    problem = single_problem(path)
    assert str(problem) == (
        f"{path}:7: entry 2 (id 'cache-invalidation'): missing field 'rationale'"
    )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("question", "''", "field 'question' must be a non-empty string, got empty string"),
        ("rationale", "42", "field 'rationale' must be a non-empty string, got integer"),
        ("sample_answer", "[a, b]", "field 'sample_answer' must be a non-empty string, got list"),
        ("category", "null", "field 'category' must be a non-empty string, got null"),
        ("category", "System Design", "field 'category' must be a slug"),
        ("difficulty", "3", "field 'difficulty' must be a non-empty string, got integer"),
        ("tags", "caching", "field 'tags' must be a list of strings, got string"),
        ("tags", "[caching, 3]", "field 'tags' must be a list of non-empty strings"),
        ("follow_ups", "{a: b}", "field 'follow_ups' must be a list of strings, got mapping"),
    ],
)
def test_bad_field_values(tmp_path: Path, field: str, value: str, fragment: str) -> None:
    lines = entry_yaml("a").splitlines()
    lines = [line for line in lines if not line.startswith(f"  {field}:")]
    lines.insert(2, f"  {field}: {value}")
    path = write_bank(tmp_path, "questions:\n" + "\n".join(lines) + "\n")
    problem = single_problem(path)
    assert problem.line == 4
    assert problem.entry == "entry 1 (id 'a')"
    assert fragment in problem.message


@pytest.mark.parametrize("bad_id", ["Cache", "cache_invalidation", "-cache", "cache--x", "a b"])
def test_id_must_be_slug(tmp_path: Path, bad_id: str) -> None:
    path = write_bank(tmp_path, "questions:\n" + entry_yaml(f"'{bad_id}'"))
    problem = single_problem(path)
    assert problem.line == 2
    assert "field 'id' must be a slug" in problem.message
    assert repr(bad_id) in problem.message


def test_non_string_id(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "questions:\n" + entry_yaml("123"))
    problem = single_problem(path)
    assert (problem.line, problem.entry) == (2, "entry 1")
    assert "field 'id' must be a non-empty string, got integer" in problem.message


def test_duplicate_id_names_both_entries(tmp_path: Path) -> None:
    text = "questions:\n" + entry_yaml("a") + entry_yaml("b") + entry_yaml("a")
    path = write_bank(tmp_path, text)
    problem = single_problem(path)
    assert problem.line == 12
    assert problem.entry == "entry 3 (id 'a')"
    assert "duplicate id 'a'" in problem.message
    assert "entry 1 (id 'a') at line 2" in problem.message


def test_unknown_key_typo_is_reported(tmp_path: Path) -> None:
    text = "questions:\n" + entry_yaml("a").replace("sample_answer:", "sampel_answer:")
    path = write_bank(tmp_path, text)
    messages = {(p.line, p.message) for p in check_bank(path)}
    assert any(line == 6 and "unknown key 'sampel_answer'" in msg for line, msg in messages)
    assert any(line == 2 and "missing field 'sample_answer'" in msg for line, msg in messages)


def test_duplicate_key_in_entry_is_reported(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "questions:\n" + entry_yaml("a", question="Again?"))
    problem = single_problem(path)
    assert problem.line == 7
    assert problem.entry == "entry 1 (id 'a')"
    assert "duplicate key 'question' (first at line 4)" in problem.message


def test_check_bank_reports_all_problems_at_once(tmp_path: Path) -> None:
    second = entry_yaml("b").replace("  category: system-design\n", "")
    third = entry_yaml("c").replace("sample_answer", "sampleanswer")
    text = "questions:\n" + entry_yaml("a") + second + third + entry_yaml("d")
    path = write_bank(tmp_path, text)
    problems = check_bank(path)  # in file order
    assert [(p.line, p.entry) for p in problems] == [
        (7, "entry 2 (id 'b')"),  # missing category
        (11, "entry 3 (id 'c')"),  # missing sample_answer
        (15, "entry 3 (id 'c')"),  # unknown key
    ]
    with pytest.raises(QuestionBankError) as excinfo:
        QuestionBank.load(path)
    assert excinfo.value.problems == problems
    assert str(excinfo.value).splitlines() == [str(p) for p in problems]


def test_two_broken_entries_give_two_problems(tmp_path: Path) -> None:
    first = entry_yaml("a").replace("  rationale: Because a.\n", "")
    second = entry_yaml("b", tags="nope")
    path = write_bank(tmp_path, "questions:\n" + first + second)
    problems = check_bank(path)
    assert len(problems) == 2
    assert "entry 1 (id 'a')" in str(problems[0])
    assert "entry 2 (id 'b')" in str(problems[1])


def test_problem_str_formats() -> None:
    assert str(Problem("q.yaml", None, None, "file not found")) == "q.yaml: file not found"
    assert str(Problem("q.yaml", 3, None, "boom")) == "q.yaml:3: boom"
    assert str(Problem("q.yaml", 3, "entry 1", "boom")) == "q.yaml:3: entry 1: boom"


def test_merge_keys_and_anchors_are_supported(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        """
        questions:
        - &base
          id: a
          category: system-design
          question: Q?
          rationale: R.
          sample_answer: A.
          tags: &tags [x, y]
        - <<: *base
          id: b
          tags: *tags
        """,
    )
    assert check_bank(path) == []
    bank = QuestionBank.load(path)
    assert [q.id for q in bank.questions] == ["a", "b"]
    b = bank.get("b")
    assert b is not None
    assert b.question == "Q?"


# --------------------------------------------------------------------------------------------
# QuestionBank API and pick_next
# --------------------------------------------------------------------------------------------


def test_from_questions_get_and_categories() -> None:
    bank = QuestionBank(
        [make_question("a", "testing"), make_question("b", "api-design"), make_question("c")]
    )
    assert bank.get("b") == make_question("b", "api-design")
    assert bank.get("zzz") is None
    assert bank.categories() == {"api-design": 1, "system-design": 1, "testing": 1}
    with pytest.raises(ValueError, match="duplicate"):
        QuestionBank([make_question("a"), make_question("a")])


def test_pick_next_cycles_through_whole_bank_without_repeats() -> None:
    bank = QuestionBank.load(BANK_PATH)
    rng = random.Random(1234)
    history: list[str] = []
    for _ in range(len(bank.questions)):
        history.append(bank.pick_next(history, rng=rng).id)
    assert Counter(history) == Counter(q.id for q in bank.questions)

    # A new cycle starts: again every id exactly once over the next len(bank) picks.
    for _ in range(len(bank.questions)):
        history.append(bank.pick_next(history, rng=rng).id)
    second_cycle = history[len(bank.questions) :]
    assert sorted(second_cycle) == sorted(q.id for q in bank.questions)


def test_pick_next_ignores_unknown_history_ids() -> None:
    bank = QuestionBank([make_question("a"), make_question("b")])
    picked = bank.pick_next(["gone", "a", "removed"], rng=random.Random(0))
    assert picked.id == "b"


def test_pick_next_is_uniform_over_remaining_candidates() -> None:
    bank = QuestionBank([make_question(x) for x in "abcd"])
    rng = random.Random(7)
    counts = Counter(bank.pick_next(["a", "b"], rng=rng).id for _ in range(2000))
    assert set(counts) == {"c", "d"}
    assert 800 < counts["c"] < 1200


def test_pick_next_respects_category_filter() -> None:
    bank = QuestionBank.load(BANK_PATH)
    rng = random.Random(99)
    wanted = {"system-design", "databases"}
    expected = {q.id for q in bank.questions if q.category in wanted}
    history: list[str] = []
    for _ in range(len(expected)):
        question = bank.pick_next(history, categories=wanted, rng=rng)
        assert question.category in wanted
        history.append(question.id)
        # Unrelated questions in the history do not disturb the filtered cycle.
        history.append(bank.pick_next(history, categories=["behavioral"], rng=rng).id)
    assert {h for h in history if h in expected} == expected
    assert len([h for h in history if h in expected]) == len(expected)


def test_pick_next_single_category_string() -> None:
    bank = QuestionBank.load(BANK_PATH)
    question = bank.pick_next([], categories="system-design", rng=random.Random(3))
    assert question.category == "system-design"


def test_pick_next_empty_categories_means_all() -> None:
    bank = QuestionBank([make_question("a", "testing"), make_question("b")])
    seen = {bank.pick_next([], categories=[], rng=random.Random(i)).id for i in range(50)}
    assert seen == {"a", "b"}


def test_pick_next_unknown_category_raises_naming_valid_ones() -> None:
    bank = QuestionBank.load(BANK_PATH)
    with pytest.raises(ValueError) as excinfo:
        bank.pick_next([], categories=["sistem-design"])
    message = str(excinfo.value)
    assert "'sistem-design'" in message
    for category in bank.categories():
        assert category in message


def test_pick_next_on_empty_bank_raises() -> None:
    with pytest.raises(ValueError, match="empty"):
        QuestionBank([]).pick_next([])


def test_pick_next_after_a_repeat_still_covers_the_bank_before_repeating() -> None:
    bank = QuestionBank([make_question(x) for x in "abc"])
    # "a" was asked twice (once on purpose); "c" is the only one not asked since.
    assert {bank.pick_next(["a", "a", "b"], rng=random.Random(i)).id for i in range(50)} == {"c"}


def test_a_new_cycle_does_not_start_with_the_question_just_asked() -> None:
    bank = QuestionBank([make_question(x) for x in "abc"])
    picks = {bank.pick_next(["a", "b", "c"], rng=random.Random(i)).id for i in range(50)}
    assert picks == {"a", "b"}
