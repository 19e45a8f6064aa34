"""The evaluation harness measures, and can fail: each metric on a hand-worked example.

Answers here are hand-written ``Answer.to_dict()``-shaped dicts over a tiny source file in
tmp_path; no model, no index (except the one CLI test, which uses the session's fake
assistant).
"""

from __future__ import annotations

import json

import pytest

from assistant.evaluation import metrics as m
from assistant.evaluation.evaluate import EvalResult, score_split
from assistant.evaluation.gate import FLOORS, gate_failures
from assistant.evaluation.gold import GoldError, GoldQuestion, load_gold, load_gold_set
from assistant.evaluation.quotes import SourceTexts, answer_problems, blockquote_problems, citation_problems
from assistant.evaluation.report import render
from assistant.evaluation.runner import QuestionRun

DOC = "tiny-doc"
# A PDF-like source: a sentence broken across lines, a stray space before a line.
SOURCE = ("关于加强管理的意见\n"
          "（一）加强组织领导。建立\n"
          "  协调机制。落实各方责任。（责任单位：自治区科技厅、自治区财政厅）\n"
          "（二）强化金融服务。到2025年，高新区达到5家\n以上。（责任单位：自治区财政厅）\n")
CLAUSE_1 = "加强组织领导。建立协调机制。落实各方责任。（责任单位：自治区科技厅、自治区财政厅）"


@pytest.fixture
def sources(tmp_path) -> SourceTexts:
    (tmp_path / f"{DOC}.txt").write_text(SOURCE, encoding="utf-8")
    return SourceTexts([tmp_path])


def gold(**changes) -> GoldQuestion:
    row = dict(qid="t-1", question="谁负责？", group="official", category="responsibility", doc_id=DOC,
               clauses=[1], departments=None, facts=[], answer_type="content", yes_no=None, out_of_scope=False)
    row.update(changes)
    return GoldQuestion(**row)


def citation(clause=1, quote="加强组织领导。", quotes=None, departments=("自治区科技厅", "自治区财政厅"), doc_id=DOC):
    data = {"doc_id": doc_id, "clause": clause, "quote": quote, "departments": list(departments)}
    if quotes is not None:
        data["quotes"] = quotes
    return data


def answer(*citations, text="", refused=False, direct=None, related=()):
    data = {"question": "q", "answer": text, "refused": refused, "citations": list(citations), "related": list(related)}
    if direct is not None:
        data["direct"] = direct
    return data


# -- quotes ------------------------------------------------------------------------------


def test_quote_across_a_line_break_is_contiguous(sources):
    assert citation_problems(citation(quote="建立协调机制。"), sources.get(DOC)) == []


def test_quote_joining_two_non_adjacent_sentences_fails(sources):
    # 加强组织领导。 and 落实各方责任。 both occur, but not next to each other.
    problems = citation_problems(citation(quote="加强组织领导。落实各方责任。"), sources.get(DOC))
    assert problems and "contiguous" in problems[0]


def test_non_adjacent_spans_joined_with_ellipsis_pass_and_each_span_is_checked(sources):
    spans = [{"text": "加强组织领导。", "start": 0, "end": 7}, {"text": "落实各方责任。", "start": 14, "end": 21}]
    good = citation(quote="加强组织领导。……落实各方责任。", quotes=spans)
    assert citation_problems(good, sources.get(DOC), CLAUSE_1) == []
    glued = citation(quote="加强组织领导。落实各方责任。", quotes=spans)  # spans fine, quote glued
    assert citation_problems(glued, sources.get(DOC), CLAUSE_1)
    invented = citation(quote="加强组织领导。……落实全部责任。",
                        quotes=spans[:1] + [{"text": "落实全部责任。", "start": 14, "end": 21}])
    assert len(citation_problems(invented, sources.get(DOC), CLAUSE_1)) == 3  # span, offsets, quote part


def test_offsets_must_point_at_the_span(sources):
    wrong = citation(quote="建立协调机制。", quotes=[{"text": "建立协调机制。", "start": 0, "end": 7}])
    assert any("clause_text[0:7]" in p for p in citation_problems(wrong, sources.get(DOC), CLAUSE_1))
    outside = citation(quote="建立协调机制。", quotes=[{"text": "建立协调机制。", "start": 7, "end": 999}])
    assert any("outside" in p for p in citation_problems(outside, sources.get(DOC), CLAUSE_1))


def test_quote_checks_read_the_source_file_not_the_parser(sources):
    # A quote of text only the parser could have produced (not in the file) fails.
    assert citation_problems(citation(quote="加强组织领导，建立协调机制。"), sources.get(DOC))
    assert citation_problems(citation(doc_id="no-such-doc"), sources.get("no-such-doc")) == [
        "no-such-doc:1: source file not found"]


def test_related_clauses_are_checked_too(sources):
    bad = answer(refused=True, related=[citation(quote="不存在的句子。")])
    assert answer_problems(bad, sources)


def test_blockquote_lines_of_the_markdown_must_be_verbatim(sources):
    good = answer(citation(), text="**第（一）条**\n\n> 加强组织领导。\n> **建立**协调机制。")
    assert blockquote_problems(good, sources) == []
    glued = answer(citation(), text="> 加强组织领导。落实各方责任。")
    assert blockquote_problems(glued, sources)
    direct = answer(citation(), direct="根据第（一）条：“建立协调机制”。")
    assert blockquote_problems(direct, sources) == []
    assert blockquote_problems(answer(citation(), direct="根据第（一）条：“建立领导机制”。"), sources)


# -- retrieval metrics -------------------------------------------------------------------


def test_recall_and_mrr_hand_worked():
    ranked = [(DOC, 3), (DOC, 5), (DOC, 1)]
    relevant = {(DOC, 5)}
    assert m.recall_at_k(ranked, relevant, 1) == 0.0
    assert m.recall_at_k(ranked, relevant, 3) == 1.0
    assert m.reciprocal_rank(ranked, relevant) == 0.5
    assert m.reciprocal_rank(ranked, {("other-doc", 5)}) == 0.0  # same number, other document


def test_f1_hand_worked():
    assert m.f1({1, 2, 3}, {2, 3, 4, 5}) == pytest.approx(4 / 7)  # P 2/3, R 1/2
    assert m.f1(set(), {1}) == 0.0 and m.f1(set(), set()) == 1.0


def test_search_and_answer_recall_from_score_question(sources):
    checks = m.score_question(gold(clauses=[2]), answer(citation(clause=1)), [(DOC, 1), (DOC, 2)], sources)
    assert checks["search_recall@1"] == 0.0 and checks["search_recall@3"] == 1.0 and checks["search_mrr"] == 0.5
    assert checks["answer_recall@1"] == 0.0 and checks["correct"] == 0.0


# -- departments -------------------------------------------------------------------------


def test_departments_compare_with_gold_not_with_the_cited_clause(sources):
    row = gold(departments=["自治区财政厅", "自治区科技厅"])
    assert m.score_question(row, answer(citation()))["department_exact"] == 1.0  # order does not matter
    # The answer cites clause 2 and copies clause 2's departments faithfully: still wrong.
    wrong = m.score_question(row, answer(citation(clause=2, departments=["自治区财政厅"])))
    assert wrong["department_exact"] == 0.0
    assert wrong["department_f1"] == pytest.approx(2 / 3)  # P 1, R 1/2
    assert m.score_question(row, answer(refused=True))["department_f1"] == 0.0


def test_clause_set_f1_for_department_tasks():
    row = gold(category="department_tasks", clauses=[1, 2, 3, 4])
    checks = m.score_question(row, answer(citation(clause=2), citation(clause=3), citation(clause=9)))
    assert checks["clause_set_f1"] == pytest.approx(4 / 7)
    assert m.score_question(row, answer(refused=True))["clause_set_f1"] == 0.0


# -- facts, refusals, yes/no -------------------------------------------------------------


def test_facts_ignore_whitespace_and_must_all_be_present():
    row = gold(facts=["5家以上", "2025年"])
    assert m.score_question(row, answer(citation(), text="到 2025年，达到5家\n以上"))["facts"] == 1.0
    assert m.score_question(row, answer(citation(), text="到2025年，达到5家"))["facts"] == 0.0
    assert m.score_question(row, answer(text="5家以上 2025年", refused=True))["facts"] == 0.0
    meta = gold(category="metadata", answer_type="metadata", clauses=[], facts=["内政发〔2021〕13号"])
    assert m.score_question(meta, answer(text="文号：内政发〔2021〕13号"))["metadata_accuracy"] == 1.0


def test_refusals_and_false_refusals():
    oos = gold(category="out_of_scope", doc_id=None, clauses=[], out_of_scope=True)
    assert m.score_question(oos, answer(refused=True))["refusal_accuracy"] == 1.0
    assert m.score_question(oos, answer(citation()))["refusal_accuracy"] == 0.0
    refused = m.score_question(gold(), answer(refused=True))
    assert refused["false_refusal_rate"] == 1.0 and refused["correct"] == 0.0
    assert m.score_question(gold(), answer(citation()))["false_refusal_rate"] == 0.0


@pytest.mark.parametrize("expected,direct,refused,ok", [
    ("yes", "是。文件提出……", False, True),
    ("yes", "**是**，", False, True),
    ("yes", "是否……", False, False),
    ("yes", "否。", False, False),
    ("no", "否，文件规定……", False, True),
    ("no", "是。", False, False),
    ("not_stated", "文件未作规定。", False, True),
    ("not_stated", "文件中没有关于这个问题的规定。", True, True),
    ("not_stated", "是。", False, False),
])
def test_yes_no(expected, direct, refused, ok):
    row = gold(category="yes_no", answer_type="yes_no", yes_no=expected)
    assert m.score_question(row, answer(citation(), direct=direct, refused=refused))["yes_no_accuracy"] == float(ok)


def test_yes_no_falls_back_to_the_answer_text_without_direct():
    row = gold(category="yes_no", answer_type="yes_no", yes_no="yes")
    assert m.score_question(row, answer(citation(), text="是。第（一）条……"))["yes_no_accuracy"] == 1.0


# -- aggregation, stability ---------------------------------------------------------------


def test_aggregate_averages_each_metric_over_the_questions_it_applies_to():
    outcomes = [{"facts": 1.0, "correct": 1.0}, {"facts": 0.0, "refusal_accuracy": 1.0, "correct": 0.0},
                {"correct": 1.0}]
    out = m.aggregate(outcomes)
    assert out["facts"] == 0.5 and out["n/facts"] == 2
    assert out["refusal_accuracy"] == 1.0 and out["correct"] == pytest.approx(2 / 3) and out["questions"] == 3


def test_stability_counts_changed_first_citations():
    alone = {"a": answer(citation(clause=1)), "b": answer(refused=True), "c": answer(citation(clause=2))}
    together = {"a": answer(citation(clause=1)), "b": answer(refused=True),
                "c": answer(citation(clause=2, doc_id="other-doc"))}
    assert m.stability(alone, together) == pytest.approx(2 / 3)


def test_quote_integrity_is_a_question_check(sources):
    good = m.score_question(gold(), answer(citation(quote="建立协调机制。")), sources=sources)
    bad = m.score_question(gold(), answer(citation(quote="加强组织领导。落实各方责任。")), sources=sources)
    assert good["quote_integrity"] == 1.0 and good["correct"] == 1.0
    assert bad["quote_integrity"] == 0.0 and bad["correct"] == 0.0


# -- gold files ---------------------------------------------------------------------------


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


GOOD_ROW = {"qid": "seed-dev-0001", "question": "孵化器归谁管？", "group": "official", "category": "responsibility",
            "doc_id": DOC, "clauses": [1], "departments": ["自治区科技厅"], "facts": [], "answer_type": "department",
            "out_of_scope": False}
OOS_ROW = {"qid": "seed-dev-0002", "question": "深圳的补贴多少？", "group": "enterprise", "category": "out_of_scope",
           "doc_id": None, "clauses": [], "facts": [], "answer_type": "content", "out_of_scope": True}


def test_gold_file_loads_into_questions_and_ir_view(tmp_path):
    from assistant.evaluation.gold import ir_view

    rows = load_gold(_write(tmp_path / "seed_dev.jsonl", [GOOD_ROW, OOS_ROW]))
    assert rows[0].departments == ["自治区科技厅"] and rows[1].out_of_scope
    queries, relevant = ir_view(rows)
    assert queries == {"seed-dev-0001": "孵化器归谁管？"} and relevant == {"seed-dev-0001": {(DOC, 1)}}


@pytest.mark.parametrize("change,message", [
    ({"category": "nonsense"}, "category"),
    ({"clauses": [0]}, "clauses"),
    ({"out_of_scope": True}, "no gold clauses"),
    ({"answer_type": "yes_no"}, "yes_no"),
    ({"doc_id": None}, "doc_id"),
    ({"facts": [""]}, "facts"),
])
def test_invalid_gold_rows_are_named(tmp_path, change, message):
    path = _write(tmp_path / "seed_dev.jsonl", [GOOD_ROW, {**GOOD_ROW, "qid": "x", **change}])
    with pytest.raises(GoldError, match=rf"seed_dev.jsonl:2: .*{message}"):
        load_gold(path)


def test_duplicate_qids_and_bad_json_are_errors(tmp_path):
    path = _write(tmp_path / "g.jsonl", [GOOD_ROW, GOOD_ROW])
    with pytest.raises(GoldError, match="duplicate qid"):
        load_gold(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(GoldError, match="not JSON"):
        load_gold(path)


def test_legacy_rows_are_converted():
    from assistant.evaluation.gold import from_legacy

    row = from_legacy({"qid": "q1", "question": "文号？", "group": "official", "category": "metadata",
                       "clauses": [], "out_of_scope": False, "expected": "内政发〔2021〕13号"})
    assert row["facts"] == ["内政发〔2021〕13号"] and row["answer_type"] == "metadata"
    assert from_legacy({**row, "category": "department", "clauses": [1, 2]})["category"] == "department_tasks"


def test_gold_set_finds_splits_and_flags_leaks(tmp_path):
    (tmp_path / "gold").mkdir()
    _write(tmp_path / "gold" / "seed_dev.jsonl", [GOOD_ROW, OOS_ROW])
    _write(tmp_path / "gold" / "seed_test.jsonl", [{**GOOD_ROW, "qid": "seed-test-0001", "question": "孵化器 归谁管？"}])
    found = load_gold_set(tmp_path)
    assert set(found.seed) == {"dev", "test"} and found.leaks() == ["seed-test-0001"]
    with pytest.raises(GoldError):
        load_gold_set(tmp_path / "nowhere")


# -- splits, report, gate -----------------------------------------------------------------


def _tiny_split(split, sources, good=True):
    rows = [gold(qid=f"{split}-1", question=f"{split} 谁负责第一条？", departments=["自治区科技厅", "自治区财政厅"]),
            gold(qid=f"{split}-2", question=f"{split} 深圳补贴？", category="out_of_scope", doc_id=None, clauses=[],
                 out_of_scope=True)]
    runs = {f"{split}-1": QuestionRun(f"{split}-1", answer(citation(clause=1 if good else 2)), {"hybrid": [(DOC, 1)]}),
            f"{split}-2": QuestionRun(f"{split}-2", answer(refused=True), {"hybrid": []})}
    return score_split(split, rows, runs, sources)


def test_score_split_and_failures(sources):
    result = _tiny_split("dev", sources, good=False)
    assert result.metrics["answer_recall@1"] == 0.0 and result.metrics["refusal_accuracy"] == 1.0
    assert [f["qid"] for f in result.failures] == ["dev-1"]
    assert "first citation 2" in result.failures[0]["reasons"][0]


def test_report_shows_dev_and_test_side_by_side_but_no_test_questions(sources):
    result = EvalResult({"dev": _tiny_split("dev", sources, good=False), "test": _tiny_split("test", sources, False)},
                        info={"sources": {"dev": ["seed_dev.jsonl"], "test": ["seed_test.jsonl"]}})
    result.gate = gate_failures(result.splits["test"].metrics)
    text = "\n".join(render(result))
    assert "| metric | dev | test |" in text
    assert "| answer_recall@1 | 0.000 | 0.000 |" in text
    assert "dev 谁负责第一条？" in text  # dev failures in full
    assert "test 谁负责第一条？" not in text and "test-1" not in text  # test: counts only
    assert "Test questions not correct: 1 of 2" in text
    assert "FAILED" in text


def test_gate_fails_below_floor_above_ceiling_and_when_unmeasured():
    perfect = {name: (0.0 if side == "max" else max(floor, 1.0)) for name, (side, floor) in FLOORS.items()}
    assert gate_failures(perfect) == []
    assert gate_failures({**perfect, "answer_recall@1": 0.5}) == [
        f"answer_recall@1 = 0.500 (needs ≥ {FLOORS['answer_recall@1'][1]:g})"]
    assert gate_failures({**perfect, "false_refusal_rate": 0.5})[0].startswith("false_refusal_rate")
    missing = dict(perfect)
    del missing["quote_integrity"]
    assert "not measured" in gate_failures(missing)[0]
    assert "also occur in dev" in gate_failures(perfect, leaks=["seed-test-0001"])[0]


def test_every_question_metric_has_a_floor(sources):
    """A metric without a floor could fall to zero unnoticed."""
    rows = [gold(departments=["自治区科技厅"], facts=["加强"], category="joint", clauses=[1, 2]),
            gold(qid="y", category="yes_no", answer_type="yes_no", yes_no="yes"),
            gold(qid="m", category="metadata", answer_type="metadata", clauses=[], facts=["x"]),
            gold(qid="o", category="out_of_scope", doc_id=None, clauses=[], out_of_scope=True)]
    names = set()
    for row in rows:
        names |= set(m.score_question(row, answer(citation()), [(DOC, 1)], sources))
    assert names <= set(FLOORS)


def test_eval_command_writes_report_and_gate_fails(tmp_path, monkeypatch, fake_assistant):
    from click.testing import CliRunner

    from assistant import cli

    questions = _write(tmp_path / "tiny.jsonl", [
        {**GOOD_ROW, "doc_id": "neimenggu-gaoxinqu-2021", "question": "孵化器建设归哪个部门管？", "clauses": [11],
         "departments": None},
        {**OOS_ROW, "question": "深圳高新区企业落户奖励多少钱？"}])
    monkeypatch.setattr(cli, "_load_assistant", lambda quiet=False: fake_assistant)
    monkeypatch.setenv("ASSISTANT_EVAL_DIR", str(tmp_path / "eval"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.cli, ["eval", "--questions", str(questions), "--no-calibrate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.md").exists() and (out / "report.png").exists()
    assert "| metric | dev |" in (out / "report.md").read_text(encoding="utf-8")
    gated = CliRunner().invoke(cli.cli, ["eval", "--questions", str(questions), "--gate", "--no-calibrate",
                                         "--out", str(out)])
    assert gated.exit_code == 1  # no test split: the gate cannot pass
    wrong = CliRunner().invoke(cli.cli, ["eval", "--questions", str(questions), "--split", "test"])
    assert wrong.exit_code == 1 and "no gold questions for split test" in wrong.output


def test_evaluate_runs_the_extra_documents_in_a_temp_corpus(tmp_path, fake_assistant):
    from assistant.config import REPO_ROOT
    from assistant.evaluation.evaluate import evaluate
    from assistant.evaluation.gold import GoldSet

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "mou-shi-chuangxinquan.txt").write_bytes((REPO_ROOT / "tests" / "samples" / "articles.txt").read_bytes())
    seed = [gold(qid="s-1", question="孵化器建设归哪个部门管？", doc_id="neimenggu-gaoxinqu-2021", clauses=[11])]
    multi = [gold(qid="m-1", question="创新券适用于哪些企业？", doc_id="mou-shi-chuangxinquan", clauses=[2])]
    before = sorted(p.name for p in (REPO_ROOT / "corpus").iterdir())
    result = evaluate(fake_assistant, GoldSet({"test": seed}, {"test": multi}, {"test": ["x"]}), splits=("test",),
                      docs_dir=docs, calibrate=False)
    metrics = result.splits["test"].metrics
    assert result.info["extra_documents"] == ["mou-shi-chuangxinquan.txt"]
    assert {"with_docs.stability", "with_docs.answer_recall@1_delta", "multidoc.answer_recall@1"} <= set(metrics)
    assert metrics["multidoc.questions"] == 1 and metrics["n/with_docs.answer_recall@1"] == 1
    assert sorted(p.name for p in (REPO_ROOT / "corpus").iterdir()) == before  # the temp corpus was a copy


# -- facts in the direct answer, departments said, verdicts ---------------------------------


def test_facts_are_scored_in_the_direct_text_and_facts_answer_in_the_whole_answer():
    row = gold(facts=["5家以上"])
    below = answer(citation(), text="到2025年。\n\n> 高新区达到5家以上。", direct="到2025年。")
    checks = m.score_question(row, below)
    assert checks["facts"] == 0.0 and checks["facts_answer"] == 1.0 and checks["correct"] == 0.0
    said = m.score_question(row, answer(citation(), text="达到5家\n以上。", direct="达到 5家以上。"))
    assert said["facts"] == 1.0 and said["facts_answer"] == 1.0
    meta = gold(category="metadata", answer_type="metadata", clauses=[], facts=["内政发〔2021〕13号"])
    whole = m.score_question(meta, answer(text="文号：内政发〔2021〕13号", direct="见下。"))
    assert whole["metadata_accuracy"] == 1.0 and whole["facts"] == 0.0  # metadata: the whole answer
    reasons = m.failure_reasons(row, checks, below, None)
    assert any("direct answer lacks facts ['5家以上'] (only further down" in r for r in reasons)


def test_departments_are_what_the_direct_text_names_else_the_first_citation():
    row = gold(departments=["自治区科技厅"])
    cited = citation(departments=["自治区科技厅", "自治区财政厅"])
    # The direct text names only 科技厅 (core name): exact, although the clause lists two.
    named = m.score_question(row, answer(cited, direct="由自治区科技厅负责。"))
    assert named["department_exact"] == 1.0 and named["department_f1"] == 1.0
    core = m.score_question(row, answer(cited, direct="科技厅牵头。"))
    assert core["department_exact"] == 1.0
    both = m.score_question(row, answer(cited, direct="科技厅、财政厅负责。"))
    assert both["department_exact"] == 0.0 and both["department_f1"] == pytest.approx(2 / 3)
    silent = m.score_question(row, answer(cited, direct="见第（一）条。"))  # names none: the citation's
    assert silent["department_exact"] == 0.0 and silent["department_f1"] == pytest.approx(2 / 3)
    assert m.score_question(row, answer(refused=True, direct="科技厅"))["department_f1"] == 0.0


@pytest.mark.parametrize("expected,direct,refused,wrong,unfounded", [
    ("yes", "是。", False, 0.0, None),
    ("yes", "否，文件没有……", False, 1.0, None),
    ("yes", "文件未明确。", False, 0.0, None),  # not a verdict: not wrong (yes_no_accuracy fails it)
    ("no", "**是**，", False, 1.0, None),
    ("no", "是否……", False, 0.0, None),
    ("no", "否。", False, 0.0, None),
    ("not_stated", "是。", False, None, 1.0),
    ("not_stated", "否。", False, None, 1.0),
    ("not_stated", "文件未明确。", False, None, 0.0),
    ("not_stated", "是。", True, None, 0.0),  # a refusal gives no verdict
])
def test_wrong_and_unfounded_verdicts(expected, direct, refused, wrong, unfounded):
    row = gold(category="yes_no", answer_type="yes_no", yes_no=expected)
    checks = m.score_question(row, answer(citation(), direct=direct, refused=refused))
    assert checks.get("wrong_verdict") == wrong and checks.get("unfounded_verdict") == unfounded
    assert {"wrong_verdict", "unfounded_verdict"} <= m.LOWER_IS_BETTER


def test_verdict_rates_are_aggregated_reported_and_gated(sources):
    rows = [gold(qid="a", category="yes_no", answer_type="yes_no", yes_no="yes"),
            gold(qid="b", category="yes_no", answer_type="yes_no", yes_no="not_stated", doc_id=None, clauses=[],
                 out_of_scope=True)]
    runs = {"a": QuestionRun("a", answer(citation(), direct="否。"), {"hybrid": [(DOC, 1)]}),
            "b": QuestionRun("b", answer(citation(), direct="是。"), {"hybrid": []})}
    result = score_split("test", rows, runs, sources)
    assert result.metrics["wrong_verdict"] == 1.0 and result.metrics["unfounded_verdict"] == 1.0
    reasons = {f["qid"]: " ".join(f["reasons"]) for f in result.failures}
    assert "wrong verdict: says no" in reasons["a"] and "unfounded verdict: says yes" in reasons["b"]
    failures = gate_failures(result.metrics)
    assert any(f.startswith("wrong_verdict = 1.000 (needs ≤") for f in failures)
    assert any(f.startswith("unfounded_verdict = 1.000 (needs ≤") for f in failures)
    text = "\n".join(render(EvalResult({"test": result}, info={"sources": {}})))
    assert "| wrong_verdict |" in text and "**facts_answer**" in text and "**unfounded_verdict**" in text
