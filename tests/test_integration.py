"""The real EmbeddingGemma model end to end: questions of the three user groups.

These load the fetched model (``make test`` fetches it first) and build the real index in a
temporary folder (never the repo's ``indexes/``). A missing model is a failure with
instructions, not a skip: CI must prove the real thing works.
"""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.evaluation.metrics import verbatim_problems
from assistant.embedding.model import model_status

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory):
    settings = Settings.from_env().with_(index_dir=tmp_path_factory.mktemp("real-indexes"))
    status = model_status(settings)
    if not status["present"]:
        pytest.fail(f"embedding model missing at {status['path']}: run `make test` or `assistant model fetch`")
    from assistant.qa import Assistant

    return Assistant.load(settings)


@pytest.mark.parametrize(
    "question,clause,kind",
    [
        ("缺钱想找银行贷款，这文件能帮上啥忙？", 12, "general"),  # enterprise, colloquial
        ("孵化器建设归哪个部门管？", 11, "responsibility"),  # official
        ("国家级高新区研发投入强度要达到多少？", 2, "general"),  # new staff, a target
        ("Can researchers get ownership of their research results?", 9, "general"),
        ("高新區的人才公寓由哪個部門負責？", 22, "responsibility"),
        ("揭傍挂帅的方式用在哪", 8, "general"),  # typo
    ],
)
def test_real_answers(real_assistant, question, clause, kind):
    answer = real_assistant.ask(question)
    assert not answer.refused, answer.answer
    assert answer.intent == kind
    assert answer.citations[0].clause == clause
    assert not verbatim_problems(answer, real_assistant.document)


def test_target_quote_has_the_number(real_assistant):
    answer = real_assistant.ask("国家级高新区研发投入强度要达到多少？")
    assert "2.5%以上" in answer.citations[0].quote


def test_eligibility_for_researchers(real_assistant):
    answer = real_assistant.ask("我是高校的科研人员，政策对我有什么支持？")
    assert answer.intent == "eligibility"
    assert 9 in [c.clause for c in answer.citations]


@pytest.mark.parametrize("question", ["深圳高新区企业落户奖励多少钱？", "帮我写一首关于草原的诗", "个税起征点是多少？"])
def test_real_refusals(real_assistant, question):
    answer = real_assistant.ask(question)
    assert answer.refused and not answer.citations


def test_hybrid_beats_components_on_a_paraphrase(real_assistant):
    hits = real_assistant.search("政府会怎么帮企业建实验室、研发中心这类平台？", k=3)
    assert hits[0].clause == 6
    assert set(hits[0].found_by) & {"bm25", "dense"}
