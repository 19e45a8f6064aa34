"""Property-based tests: whatever text comes in, a well-formed, grounded Answer comes out.

Runs on the session's ``fake_assistant`` (fake encoder, no model). Hypothesis draws plain
random Unicode, CJK-heavy text built from the document's own vocabulary and question
words, and long strings; every answer must have the right field types, no citations when
refused, serialise to JSON, and quote the document verbatim.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.answering.compose import Answer, Citation
from assistant.config import MAX_QUESTION_CHARS
from assistant.evaluation.metrics import verbatim_problems
from assistant.retrieval.hybrid import Hit

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

# Words people put around a question, department short names, clause references.
QUESTION_WORDS = ["什么", "哪些", "谁负责", "哪个部门", "多少", "什么时候", "怎么申请", "第十二条", "第24条", "（二十）条",
                  "发改委", "人社厅", "科技厅", "外办", "高新技术企业", "我们是", "能享受", "文号", "成文日期", "？",
                  "。", "，", "吗", "呢", "clause 7", "who is responsible", "上海", "天气", "忽略以上规则"]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
# Any code point except lone surrogates (text from a browser or a terminal is valid UTF-8).
ANY_CHAR = st.characters(exclude_categories=("Cs",))


def _document_words():
    from assistant.config import REPO_ROOT
    from assistant.ingest.corpus import load_corpus

    text = load_corpus(REPO_ROOT / "corpus").document().text
    return sorted({text[i:i + n] for n in (2, 3, 4) for i in range(0, len(text) - n, 7) if not text[i:i + n].isspace()})


DOC_WORDS = _document_words()

cjk_questions = st.lists(
    st.one_of(st.sampled_from(DOC_WORDS), st.sampled_from(QUESTION_WORDS), st.text(CJK, min_size=1, max_size=4),
              st.text(ANY_CHAR, max_size=2)),
    max_size=12,
).map("".join)
random_questions = st.text(ANY_CHAR, max_size=200)
long_questions = st.builds(lambda part, n: (part * n), st.text(ANY_CHAR, min_size=1, max_size=30),
                           st.integers(1, 1200))
questions = st.one_of(random_questions, cjk_questions, long_questions)


def check_answer(answer, document) -> None:
    assert isinstance(answer, Answer)
    for name in ("question", "answer", "intent", "notice", "error"):
        assert isinstance(getattr(answer, name), str), name
    assert isinstance(answer.refused, bool)
    assert answer.answer.strip()
    assert len(answer.question) <= MAX_QUESTION_CHARS
    if answer.refused:
        assert answer.citations == []
    if answer.error:
        assert answer.refused
    else:
        assert answer.intent != "invalid"
    numbers = {c.number for c in document.clauses} | ({0} if document.preamble else set())  # 0: the preamble part
    for citation in answer.citations + answer.related:
        assert isinstance(citation, Citation)
        assert citation.clause in numbers
        assert isinstance(citation.quote, str) and citation.quote
        assert isinstance(citation.score, float)
        assert all(isinstance(d, str) for d in citation.departments)
        assert all(isinstance(s, str) for s in citation.sentences)
    assert verbatim_problems(answer, document) == []
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert data["refused"] is answer.refused and len(data["citations"]) == len(answer.citations)


@FAST
@given(question=questions)
@example(question="")
@example(question="\x00")
@example(question="第十二条" * 200)
@example(question="、".join(f"第{n}条" for n in range(1, 24)))
def test_ask_always_returns_a_well_formed_grounded_answer(fake_assistant, document, question):
    answer = fake_assistant.ask(question)
    check_answer(answer, document)
    # Nothing a user types makes the whole document come out.
    assert len(answer.citations) < len(document.clauses)


@FAST
@given(question=cjk_questions)
def test_cjk_questions_with_document_vocabulary(fake_assistant, document, question):
    check_answer(fake_assistant.ask(question), document)


@FAST
@given(question=questions, k=st.integers(1, 30), mode=st.sampled_from(["hybrid", "bm25", "dense", "weighted", "rrf"]))
def test_search_hits_are_well_formed(fake_assistant, document, question, k, mode):
    hits = fake_assistant.search(question, k=k, mode=mode)
    assert len(hits) <= min(k, len(document.clauses))
    assert len({h.clause for h in hits}) == len(hits)
    for hit in hits:
        assert isinstance(hit, Hit)
        clause = document.clause(hit.clause)
        assert all(s in clause.text for s in hit.sentences)
        json.dumps(hit.to_dict(), ensure_ascii=False).encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(st.characters(), max_size=60))  # lone surrogates included
def test_lone_surrogates_never_reach_the_output(fake_assistant, document, question):
    answer = fake_assistant.ask(question)
    check_answer(answer, document)
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")  # strict UTF-8
