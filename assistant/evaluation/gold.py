"""Gold questions: loading, validation, and the IR view (``queries`` / ``relevant``).

A gold file (``eval/gold/*.jsonl``) has one JSON object per line in the schema of
``eval/gold/README`` (qid, question, group, category, doc_id, clauses, departments, facts,
answer_type, yes_no, out_of_scope, note). Every row is checked on load; a bad file is one
:class:`GoldError` naming each bad line, never a silently skipped row.

Splits are frozen files: ``seed_dev`` / ``seed_test`` (the first document's questions) and
``multidoc_dev`` / ``multidoc_test`` (questions that need the extra documents in
``eval/docs``). Thresholds are tuned on ``dev`` only; ``test`` is what the gate reads.

The legacy set ``eval/questions.jsonl`` (an older schema) is converted by
:func:`from_legacy` and used as a *dev* set only when no ``seed_dev.jsonl`` exists yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import AssistantError

GROUPS = {"enterprise", "official", "new_staff"}
CATEGORIES = {
    "paraphrase", "colloquial", "typo", "traditional", "english", "numbers", "dates", "count_list",
    "yes_no", "responsibility", "joint", "department_tasks", "bare_department", "department_typo",
    "eligibility", "structure", "metadata", "clause_lookup", "wrong_premise", "out_of_scope",
    "bad_reference",
    "cross_doc",  # multi-document files only: the same topic in several documents; the place decides
}
ANSWER_TYPES = {"number", "date", "yes_no", "department", "list", "section", "content", "eligibility",
                "metadata", "clause"}
YES_NO = {"yes", "no", "not_stated"}
# Categories whose ``clauses`` is the complete set of clauses the answer should list (scored
# by F1; any of them is also an acceptable first citation). eval/gold/README.md: bare
# department names and misspelt ones list the department's clauses like department_tasks.
CLAUSE_SET_CATEGORIES = {"department_tasks", "joint", "bare_department", "department_typo"}
SPLITS = ("dev", "test")


class GoldError(AssistantError):
    """A gold file that is missing or has invalid rows."""


@dataclass
class GoldQuestion:
    qid: str
    question: str
    group: str
    category: str
    doc_id: str | None
    clauses: list[int] = field(default_factory=list)
    departments: list[str] | None = None  # None: not a responsibility question
    facts: list[str] = field(default_factory=list)
    answer_type: str = "content"
    yes_no: str | None = None
    out_of_scope: bool = False
    note: str = ""

    @property
    def refs(self) -> set[tuple[str | None, int]]:
        """Gold clauses as (doc_id, clause) pairs."""
        return {(self.doc_id, n) for n in self.clauses}

    @property
    def is_clause_set(self) -> bool:
        return self.category in CLAUSE_SET_CATEGORIES


def validate(data: dict) -> list[str]:
    """Every problem of one row (empty when it is valid)."""
    problems = []

    def need(name, kind):
        if not isinstance(data.get(name), kind):
            problems.append(f"{name} must be {kind.__name__ if isinstance(kind, type) else 'set'}")

    need("qid", str)
    need("question", str)
    if isinstance(data.get("question"), str) and not data["question"].strip():
        problems.append("question is empty")
    if data.get("group") not in GROUPS:
        problems.append(f"group {data.get('group')!r} not in {sorted(GROUPS)}")
    if data.get("category") not in CATEGORIES:
        problems.append(f"category {data.get('category')!r} unknown")
    if data.get("answer_type", "content") not in ANSWER_TYPES:
        problems.append(f"answer_type {data.get('answer_type')!r} unknown")
    clauses = data.get("clauses", [])
    if not isinstance(clauses, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                                                for n in clauses):
        problems.append("clauses must be a list of positive integers")
    for name in ("facts", "departments"):
        value = data.get(name, [])
        if value is not None and (not isinstance(value, list) or not all(isinstance(s, str) and s.strip()
                                                                          for s in value)):
            problems.append(f"{name} must be a list of non-empty strings")
    oos = data.get("out_of_scope", False)
    if not isinstance(oos, bool):
        problems.append("out_of_scope must be true or false")
    elif oos and clauses:
        problems.append("an out-of-scope question has no gold clauses")
    elif not oos and not data.get("doc_id"):
        problems.append("an answerable question needs doc_id")
    if data.get("answer_type") == "yes_no" and data.get("yes_no") not in YES_NO:
        problems.append(f"answer_type yes_no needs yes_no in {sorted(YES_NO)}")
    if data.get("yes_no") is not None and data.get("answer_type") != "yes_no":
        problems.append("yes_no is only for answer_type yes_no")
    return problems


def load_gold(path: Path | str) -> list[GoldQuestion]:
    """The rows of one gold file, validated; raises :class:`GoldError` listing bad lines."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldError(f"金标准文件不存在 (gold file missing): {path}") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: 不是 UTF-8 文本 (not UTF-8)") from None
    rows, problems, seen = [], [], set()
    known = set(GoldQuestion.__dataclass_fields__)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{number}: not JSON ({exc.msg})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path.name}:{number}: not a JSON object")
            continue
        if "doc_id" not in data and "answer_type" not in data:  # the legacy schema
            data = from_legacy(data)
        bad = validate(data)
        if data.get("qid") in seen:
            bad.append(f"duplicate qid {data.get('qid')!r}")
        seen.add(data.get("qid"))
        if bad:
            problems.append(f"{path.name}:{number}: " + "; ".join(bad))
            continue
        rows.append(GoldQuestion(**{k: v for k, v in data.items() if k in known}))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise GoldError(f"{path}: {len(problems)} invalid gold rows:\n  {shown}{more}")
    if not rows:
        raise GoldError(f"{path}: no gold questions")
    return rows


LEGACY_DOC_ID = "neimenggu-gaoxinqu-2021"


def from_legacy(data: dict) -> dict:
    """An ``eval/questions.jsonl`` row (older schema) in the gold schema.

    ``department`` became ``department_tasks``; ``expected`` (a metadata value) and
    ``expected_text`` (a target's wording) became ``facts``. The legacy set has no gold
    departments, so it measures no department exactness."""
    category = {"department": "department_tasks"}.get(data.get("category"), data.get("category"))
    facts = [v for v in (data.get("expected"), data.get("expected_text")) if v]
    answer_type = {"metadata": "metadata", "clause_lookup": "clause", "department": "department"}.get(
        data.get("category"), "content")
    oos = bool(data.get("out_of_scope"))
    return {"qid": f"legacy-{data.get('qid')}", "question": data.get("question"), "group": data.get("group"),
            "category": category, "doc_id": None if oos else LEGACY_DOC_ID, "clauses": data.get("clauses", []),
            "facts": facts, "answer_type": answer_type, "out_of_scope": oos}


def ir_view(gold: list[GoldQuestion]) -> tuple[dict[str, str], dict[str, set]]:
    """sentence-transformers' InformationRetrievalEvaluator view: ``queries{qid: text}`` and
    ``relevant{qid: {(doc_id, clause)}}`` for the answerable questions with gold clauses."""
    kept = [g for g in gold if g.clauses and not g.out_of_scope]
    return {g.qid: g.question for g in kept}, {g.qid: g.refs for g in kept}


@dataclass
class GoldSet:
    """The gold files of one evaluation: seed and multi-document questions per split."""

    seed: dict[str, list[GoldQuestion]]  # split -> questions
    multidoc: dict[str, list[GoldQuestion]]
    sources: dict[str, list[str]]  # split -> file names, for the report
    dialogues: dict[str, Path] = field(default_factory=dict)

    def leaks(self) -> list[str]:
        """Test questions whose text also occurs in dev: a frozen split must not share them."""
        def key(text):
            return "".join(text.split())

        dev = {key(g.question) for g in self.seed.get("dev", []) + self.multidoc.get("dev", [])}
        return [g.qid for g in self.seed.get("test", []) + self.multidoc.get("test", []) if key(g.question) in dev]


def load_gold_set(eval_dir: Path, splits=SPLITS, questions: Path | None = None) -> GoldSet:
    """The gold files under ``eval_dir/gold`` (or one ``questions`` file, used as dev)."""
    eval_dir = Path(eval_dir)
    seed, multidoc, sources, dialogues = {}, {}, {}, {}
    if questions is not None:
        seed["dev"] = load_gold(questions)
        return GoldSet(seed, {}, {"dev": [Path(questions).name]})
    gold_dir = eval_dir / "gold"
    for split in splits:
        names = []
        path = gold_dir / f"seed_{split}.jsonl"
        if path.exists():
            seed[split] = load_gold(path)
            names.append(path.name)
        elif split == "dev" and (eval_dir / "questions.jsonl").exists():
            seed[split] = load_gold(eval_dir / "questions.jsonl")
            names.append("questions.jsonl (legacy)")
        # Later batches about the seed document, each split on arrival (fresh1_dev/fresh1_test …).
        for extra in sorted(gold_dir.glob(f"fresh*_{split}.jsonl")):
            seed.setdefault(split, []).extend(load_gold(extra))
            names.append(extra.name)
        path = gold_dir / f"multidoc_{split}.jsonl"
        if path.exists():
            multidoc[split] = load_gold(path)
            names.append(path.name)
        path = eval_dir / "dialogues" / f"{split}.jsonl"
        if path.exists():
            dialogues[split] = path
            names.append(f"dialogues/{path.name}")
        sources[split] = names
    if not seed:
        raise GoldError(f"{gold_dir}: 没有金标准问题 (no seed_dev.jsonl / seed_test.jsonl)")
    return GoldSet(seed, multidoc, sources, dialogues)
