"""Metrics: pure functions from gold questions and answer dicts to numbers.

Nothing here runs the assistant. :func:`score_question` compares one answer
(``Answer.to_dict()``) and one ranked search list with the gold row and returns the
question's *checks* — each a 0/1 (or F1) value for the metrics that apply to that question.
:func:`aggregate` averages each check over the questions it applies to, giving one flat
dict (sentence-transformers style: ``search_recall@1``, ``facts``, ``department_exact`` …).

Definitions (the report repeats them):

* ``search_recall@k`` — a gold (doc_id, clause) is among the first k search hits;
  ``search_mrr`` — 1/rank of the first gold hit (0 if none in the list).
* ``answer_recall@1`` — the answer's first citation is a gold (doc_id, clause).
* ``facts`` — every gold fact occurs in the answer's ``direct`` text (the one or two
  sentences that answer the question), after removing all whitespace: the fact must be
  *said*, not merely quoted somewhere below. A dict without a ``direct`` key (an old stored
  answer) falls back to the whole answer. ``facts_answer`` — the older, looser check: every
  gold fact occurs anywhere in the whole Markdown answer (direct answer, quotes, evidence).
* ``department_exact`` / ``department_f1`` — the departments the answer *says* vs the gold
  departments written in the gold row (never vs the clause the answer picked). What the
  answer says: the candidate names — the gold departments and the first citation's
  (normalised) departments — that the ``direct`` text names, by full name or by
  :func:`~assistant.ingest.departments.core_name` (自治区科技厅 is named by 科技厅), whitespace
  removed; when the direct text names none of them, the first citation's departments. A
  refusal scores 0. (A core name is matched as a plain substring, so a generic core such
  as 人民政府 can match another body's name; the candidates are few, so this is rare.)
* ``clause_set_f1`` — department_tasks/joint questions: F1 of the cited (doc_id, clause)
  set vs the gold set.
* ``refusal_accuracy`` — out-of-scope questions refused; ``false_refusal_rate`` —
  answerable questions refused.
* ``yes_no_accuracy`` — the direct answer (``direct``, else ``answer``) with leading
  Markdown removed starts with 是 (yes, but not 是否) / 否 (no) / one of
  :data:`NOT_STATED_PREFIXES` or is a refusal (not_stated).
* ``wrong_verdict`` — yes/no questions whose gold is yes or no: 1 when the direct answer
  states the opposite verdict (leads with 否 for a yes, with 是 — not 是否 — for a no), with
  the same lead parsing as ``yes_no_accuracy``; lower is better.
* ``unfounded_verdict`` — yes/no questions whose gold is not_stated: 1 when the answer is
  not a refusal and its direct answer leads with 是 or 否 instead of 文件未… ; lower is better.
* ``metadata_accuracy`` — ``facts_answer`` on answer_type metadata questions (it is about
  the metadata values, wherever the answer gives them).
* ``quote_integrity`` — every quote of the answer passes :mod:`.quotes` (source file,
  contiguous spans, offsets); ``blockquote_verbatim`` — every ``> …`` line of the Markdown
  is a contiguous span of a cited source.
* ``correct`` — every 0/1 check of :data:`CORRECTNESS_CHECKS` passed (``facts`` is the
  direct-text check; F1 values, ``facts_answer`` and the two verdict rates excluded — a wrong
  or unfounded verdict already fails ``yes_no_accuracy``).
"""

from __future__ import annotations

from collections import defaultdict

from assistant.evaluation.quotes import answer_problems, blockquote_problems, squeeze
from assistant.ingest.departments import core_name

NOT_STATED_PREFIXES = ("文件未", "文件中未", "文件没有", "文件中没有", "未作规定", "未规定", "没有规定")
# Metrics where lower is better (the gate's floor is a maximum).
LOWER_IS_BETTER = {"false_refusal_rate", "wrong_verdict", "unfounded_verdict"}
# 0/1 checks that decide ``correct`` (F1 values and search ranks do not).
CORRECTNESS_CHECKS = ("answer_recall@1", "facts", "department_exact", "refusal_accuracy", "false_refusal_rate",
                      "yes_no_accuracy", "quote_integrity")


def recall_at_k(ranked: list, relevant: set, k: int) -> float:
    return float(bool(set(ranked[:k]) & relevant))


def reciprocal_rank(ranked: list, relevant: set) -> float:
    for rank, ref in enumerate(ranked, 1):
        if ref in relevant:
            return 1.0 / rank
    return 0.0


def f1(predicted: set, gold: set) -> float:
    if not predicted and not gold:
        return 1.0
    hits = len(predicted & gold)
    if not hits:
        return 0.0
    precision, recall = hits / len(predicted), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def facts_present(text: str, facts: list[str]) -> bool:
    squeezed = squeeze(text)
    return all(squeeze(fact) in squeezed for fact in facts)


def _lead(text: str) -> str:
    return squeeze(text).lstrip("*#>_-–—:：“\"'「『【[")


def direct_text(answer: dict) -> str:
    """The answer's direct text (the whole answer only for a dict without a ``direct`` key)."""
    return (answer["direct"] or "") if "direct" in answer else (answer.get("answer") or "")


def verdict(answer: dict) -> str | None:
    """"yes" / "no" when the (non-refused) direct answer leads with 是 / 否, else None."""
    if answer.get("refused"):
        return None
    lead = _lead(answer.get("direct") or answer.get("answer") or "")
    if lead.startswith("是") and not lead.startswith("是否"):
        return "yes"
    if lead.startswith("否"):
        return "no"
    return None


def departments_said(answer: dict, gold_departments) -> set[str] | None:
    """The departments the answer names (module docs); None for a refusal / no citation."""
    citations = answer.get("citations") or []
    if answer.get("refused") or not citations:
        return None
    cited = list(citations[0].get("departments") or [])
    text = squeeze(direct_text(answer))
    named = {name for name in dict.fromkeys(list(gold_departments) + cited)
             if text and (squeeze(name) in text or squeeze(core_name(name)) in text)}
    return named or set(cited)


def yes_no_matches(answer: dict, expected: str) -> bool:
    """Does the direct answer say ``expected`` (yes / no / not_stated)? See the module docs."""
    lead = _lead(answer.get("direct") or answer.get("answer") or "")
    if expected == "yes":
        return lead.startswith("是") and not lead.startswith("是否") and not answer.get("refused")
    if expected == "no":
        return lead.startswith("否") and not answer.get("refused")
    return bool(answer.get("refused")) or lead.startswith(NOT_STATED_PREFIXES)


def _ref(item: dict) -> tuple:
    return (item.get("doc_id"), item.get("clause"))


def score_question(gold, answer: dict, ranked: list | None = None, sources=None, clause_text=None) -> dict:
    """The checks that apply to one gold question: ``{metric: value}``.

    ``ranked`` is the search result as (doc_id, clause) pairs; ``sources`` a
    :class:`~.quotes.SourceTexts` (quotes are not checked without it)."""
    checks: dict[str, float] = {}
    refused = bool(answer.get("refused"))
    citations = answer.get("citations") or []
    first = citations[0] if citations and not refused else None
    relevant = gold.refs
    if gold.out_of_scope:
        checks["refusal_accuracy"] = float(refused)
    else:
        checks["false_refusal_rate"] = float(refused)
        if relevant and ranked is not None:
            checks["search_recall@1"] = recall_at_k(ranked, relevant, 1)
            checks["search_recall@3"] = recall_at_k(ranked, relevant, 3)
            checks["search_mrr"] = reciprocal_rank(ranked, relevant)
        if relevant:
            checks["answer_recall@1"] = float(first is not None and _ref(first) in relevant)
        if gold.is_clause_set and relevant:
            cited = set() if refused else {_ref(c) for c in citations}
            checks["clause_set_f1"] = f1(cited, relevant)
        if gold.facts:
            checks["facts"] = float(not refused and facts_present(direct_text(answer), gold.facts))
            whole = not refused and facts_present(answer.get("answer") or "", gold.facts)
            checks["facts_answer"] = float(whole)
            if gold.answer_type == "metadata":
                checks["metadata_accuracy"] = float(whole)
        if gold.departments is not None:
            got = departments_said(answer, gold.departments)
            checks["department_exact"] = float(got is not None and got == set(gold.departments))
            checks["department_f1"] = f1(got, set(gold.departments)) if got is not None else 0.0
    if gold.answer_type == "yes_no" and gold.yes_no:
        checks["yes_no_accuracy"] = float(yes_no_matches(answer, gold.yes_no))
        said = verdict(answer)
        if gold.yes_no in ("yes", "no"):
            checks["wrong_verdict"] = float(said is not None and said != gold.yes_no)
        else:
            checks["unfounded_verdict"] = float(said is not None)
    if sources is not None and not answer.get("error"):
        checks["quote_integrity"] = float(not answer_problems(answer, sources, clause_text))
        checks["blockquote_verbatim"] = float(not blockquote_problems(answer, sources))
    passed = [checks[name] == (0.0 if name in LOWER_IS_BETTER else 1.0) for name in CORRECTNESS_CHECKS
              if name in checks]
    checks["correct"] = float(all(passed))
    return checks


def aggregate(outcomes: list[dict]) -> dict[str, float]:
    """Mean of each check over the questions it applies to, plus ``n/<metric>`` counts."""
    sums, counts = defaultdict(float), defaultdict(int)
    for checks in outcomes:
        for name, value in checks.items():
            sums[name] += value
            counts[name] += 1
    out = {name: sums[name] / counts[name] for name in sums}
    out.update({f"n/{name}": float(counts[name]) for name in counts})
    out["questions"] = float(len(outcomes))
    return out


def breakdown(gold: list, outcomes: list[dict], key: str) -> dict[str, dict[str, float]]:
    """:func:`aggregate` per value of a gold attribute (``category``, ``group``)."""
    groups = defaultdict(list)
    for g, checks in zip(gold, outcomes):
        groups[getattr(g, key)].append(checks)
    return {name: aggregate(rows) for name, rows in sorted(groups.items())}


def first_ref(answer: dict) -> tuple | None:
    """What an answer settled on: its first citation, or None for a refusal."""
    citations = answer.get("citations") or []
    return None if answer.get("refused") or not citations else _ref(citations[0])


def stability(alone: dict[str, dict], together: dict[str, dict]) -> float:
    """Share of questions answered the same (same first citation, or refused both times)
    when other documents are added to the corpus."""
    common = [q for q in alone if q in together]
    if not common:
        return 0.0
    return sum(first_ref(alone[q]) == first_ref(together[q]) for q in common) / len(common)


def failure_reasons(gold, checks: dict, answer: dict, ranked: list | None) -> list[str]:
    """Readable reasons a question is not ``correct`` (for the dev failures list)."""
    reasons = []
    got = first_ref(answer)
    if checks.get("refusal_accuracy") == 0.0:
        reasons.append(f"answered (first citation {got[1] if got else 'none'}) but should be refused")
    if checks.get("false_refusal_rate") == 1.0:
        reasons.append("refused but answerable")
    if checks.get("answer_recall@1") == 0.0 and got is not None:
        where = "" if got[0] == gold.doc_id else f"{got[0]}:"
        reasons.append(f"first citation {where}{got[1]} ∉ gold {sorted(gold.clauses)}")
    if checks.get("facts") == 0.0 and not answer.get("refused"):
        missing = [f for f in gold.facts if squeeze(f) not in squeeze(direct_text(answer))]
        where = "in the answer either" if checks.get("facts_answer") == 0.0 else "(only further down the answer)"
        reasons.append(f"direct answer lacks facts {missing} {where}")
    if checks.get("department_exact") == 0.0 and got is not None:
        said = departments_said(answer, gold.departments or [])
        reasons.append(f"departments said {sorted(said or [])} ≠ gold {gold.departments}")
    if checks.get("wrong_verdict") == 1.0:
        reasons.append(f"wrong verdict: says {verdict(answer)}, gold {gold.yes_no}")
    if checks.get("unfounded_verdict") == 1.0:
        reasons.append(f"unfounded verdict: says {verdict(answer)}, but the document does not state it")
    if checks.get("yes_no_accuracy") == 0.0:
        said = (answer.get("direct") or answer.get("answer") or "")[:30]
        reasons.append(f"direct answer does not say {gold.yes_no}: {said}")
    if checks.get("quote_integrity") == 0.0:
        reasons.append("a quote is not a contiguous span of the source")
    return reasons


# -- helpers other modules import (bench, older tests) -------------------------------------

from assistant.evaluation.gold import load_gold  # noqa: E402,F401 - re-exported for bench/


def retrieval_metrics(ranked: dict[str, list], relevant: dict[str, set], ks=(1, 3)) -> dict[str, float]:
    """Recall@k (hit rate) and MRR of ranked lists against gold sets, averaged over ``relevant``."""
    if not relevant:
        return {**{f"recall@{k}": 0.0 for k in ks}, "mrr": 0.0}
    out = {f"recall@{k}": sum(recall_at_k(ranked.get(q, []), gold, k) for q, gold in relevant.items()) / len(relevant)
           for k in ks}
    out["mrr"] = sum(reciprocal_rank(ranked.get(q, []), gold) for q, gold in relevant.items()) / len(relevant)
    return out


def percentile_ms(seconds: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(seconds) * 1000.0, q)) if seconds else 0.0


def verbatim_problems(answer, document) -> list[str]:
    """Quoted spans of an :class:`Answer` that are not contiguous in ``document``'s source file.

    Spans are ``quotes`` when the answer reports them, else each quoted sentence; the
    stricter whole-``quote`` check is :func:`~.quotes.answer_problems` (``quote_integrity``)."""
    from pathlib import Path

    from assistant.evaluation.quotes import SourceTexts, citation_problems

    data = answer.to_dict() if hasattr(answer, "to_dict") else answer
    path = Path(document.path)
    sources = SourceTexts([path.parent], fallback=lambda doc_id: document.text)
    problems = []
    for citation in (data.get("citations") or []) + (data.get("related") or []):
        spans = (citation.get("quotes") or [{"text": s} for s in citation.get("sentences") or []]
                 or [{"text": citation.get("quote", "")}])
        problems += citation_problems({"doc_id": citation.get("doc_id"), "clause": citation.get("clause"),
                                       "quotes": spans}, sources.get(citation.get("doc_id")))
    return problems
