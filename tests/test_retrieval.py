"""Hybrid retrieval over the real corpus with the fake encoder: records, signals, rules."""

from __future__ import annotations

import pytest

from assistant.ingest.markers import clause_references
from assistant.retrieval.hybrid import Hit, quoted_phrases


def test_hits_are_records_with_verbatim_sentences(fake_assistant):
    hits = fake_assistant.search("科技企业孵化器建设", k=3)
    assert len(hits) == 3 and all(isinstance(h, Hit) for h in hits)
    assert hits[0].clause == 11
    clause = fake_assistant.document.clause(11)
    assert all(s in clause.text for s in hits[0].sentences)
    assert "孵化器" in "".join(hits[0].sentences)
    assert set(hits[0].signals) == {"bm25", "dense"}
    assert "bm25" in hits[0].found_by
    assert hits[0].score >= hits[1].score >= hits[2].score


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid", "weighted", "rrf"])
def test_every_mode_ranks(fake_assistant, mode):
    hits = fake_assistant.search("人才公寓", k=5, mode=mode)
    assert hits and len({h.clause for h in hits}) == len(hits)


def test_unknown_mode(fake_assistant):
    with pytest.raises(ValueError):
        fake_assistant.search("人才", mode="magic")


@pytest.mark.parametrize("question", ["", "   ", "的了吗"])
def test_nothing_to_search(fake_assistant, question):
    hits = fake_assistant.search(question)
    assert all(isinstance(h, Hit) for h in hits)
    if not question.strip():
        assert hits == []


@pytest.mark.parametrize("question,number", [("第十二条讲什么", 12), ("（二十）条的内容", 20), ("What does clause 3 say?", 3),
                                             ("第3条", 3)])
def test_explicit_clause_reference_comes_first(fake_assistant, question, number):
    assert clause_references(question) == [number]
    assert fake_assistant.search(question)[0].clause == number


def test_reference_outside_document_is_ignored(fake_assistant):
    assert clause_references("第二十四条") == [24]
    assert all(h.clause <= 23 for h in fake_assistant.search("第二十四条"))


def test_quoted_phrase_wins(fake_assistant):
    assert quoted_phrases("“管委会+公司”是什么") == ["管委会+公司"]
    assert fake_assistant.search("“管委会+公司”改革的责任单位是谁？")[0].clause == 19


def test_department_alias_expands_bm25(fake_assistant):
    retriever = fake_assistant.retriever
    assert "自治区卫生健康委" in retriever.expand("卫健委要干什么")
    top = fake_assistant.search("卫健委要干什么", mode="bm25", k=1)[0]
    assert top.clause == 7


def test_traditional_question(fake_assistant):
    assert fake_assistant.search("科技金融服務", k=1)[0].clause == 12
