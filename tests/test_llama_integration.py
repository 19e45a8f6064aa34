"""assistant.integrations.llama_index against llama-index-core alone (fake encoder, no LLM)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.config import REPO_ROOT
from assistant.errors import CorpusError

pytest.importorskip("llama_index.core")

from llama_index.core.base.response.schema import Response  # noqa: E402
from llama_index.core.schema import Document, NodeWithScore  # noqa: E402

from assistant.integrations.llama_index import PolicyQueryEngine, PolicyReader, PolicyRetriever  # noqa: E402

KEYS = {"doc_id", "doc_title", "doc_number", "clause", "label", "heading", "section", "departments"}
SEED = "neimenggu-gaoxinqu-2021"
QUESTION = "科技金融服务的责任单位有哪些？"


def test_reader_loads_the_seed_as_23_clauses_plus_the_preamble(corpus):
    docs = PolicyReader().load_data(REPO_ROOT / "corpus" / f"{SEED}.txt")
    assert len(docs) == 24 and all(isinstance(d, Document) for d in docs)
    assert [d.metadata["clause"] for d in docs] == list(range(24))
    preamble, twelve = docs[0], docs[12]
    assert KEYS <= set(preamble.metadata) and preamble.metadata["label"] == "前言"
    assert preamble.text == corpus.document().preamble and preamble.metadata["departments"] == []
    assert twelve.id_ == f"{SEED}:12" and twelve.text == corpus.document().clause(12).text
    assert twelve.metadata["heading"] == "第（十二）条 强化科技金融服务"
    assert twelve.metadata["section"] == "四、激发企业创新发展活力"
    assert twelve.metadata["doc_number"] == "内政发〔2021〕13号"
    assert "自治区地方金融监管局" in twelve.metadata["departments"]
    assert len({d.id_ for d in docs}) == 24
    # Identifying metadata stays out of the text an embedding model sees.
    assert "doc_id" not in twelve.get_content(metadata_mode="embed")


def test_reader_takes_a_folder_and_reports_bad_files(tmp_path):
    (tmp_path / "a.txt").write_text((REPO_ROOT / "corpus" / f"{SEED}.txt").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    reader = PolicyReader()
    docs = reader.load_data(tmp_path)
    assert len(docs) == 24 and docs[0].metadata["doc_id"] == "a"
    assert any("empty.txt" in p for p in reader.problems)
    with pytest.raises(CorpusError):
        PolicyReader().load_data(tmp_path / "empty.txt")


def test_retriever_finds_clause_12_first_with_its_departments(fake_assistant):
    nodes = PolicyRetriever(fake_assistant, k=3).retrieve(QUESTION)
    assert len(nodes) == 3 and all(isinstance(n, NodeWithScore) for n in nodes)
    first = nodes[0]
    assert first.node.node_id == f"{SEED}:12" and KEYS <= set(first.node.metadata)
    assert first.node.metadata["departments"][0] == "自治区地方金融监管局"
    assert first.node.get_content() == fake_assistant.corpus.document().clause(12).text
    assert first.node.metadata["sentences"] and first.score >= nodes[1].score >= nodes[2].score
    assert [n.score for n in nodes] == [pytest.approx(h.score) for h in fake_assistant.search(QUESTION, k=3)]


def test_retriever_checks_k_and_documents(fake_assistant):
    assert len(PolicyRetriever(fake_assistant, k=1).retrieve(QUESTION)) == 1
    assert PolicyRetriever(fake_assistant, doc_ids=[SEED]).retrieve(QUESTION)[0].node.metadata["clause"] == 12
    with pytest.raises(CorpusError):
        PolicyRetriever(fake_assistant, doc_ids=["no-such-doc"]).retrieve(QUESTION)
    with pytest.raises(ValueError):
        PolicyRetriever(fake_assistant, k=0)


def test_retriever_in_a_llama_index_pipeline(fake_assistant):
    """The README's example: our retriever inside llama-index's own query engine."""
    from llama_index.core import get_response_synthesizer
    from llama_index.core.llms import MockLLM
    from llama_index.core.postprocessor import SimilarityPostprocessor
    from llama_index.core.query_engine import RetrieverQueryEngine

    engine = RetrieverQueryEngine(
        retriever=PolicyRetriever(fake_assistant, k=3),
        response_synthesizer=get_response_synthesizer(llm=MockLLM(), response_mode="compact"),
        node_postprocessors=[SimilarityPostprocessor(similarity_cutoff=0.0)])
    response = engine.query(QUESTION)
    assert response.source_nodes[0].node.metadata["clause"] == 12


def test_query_engine_answers_with_citations_as_source_nodes(fake_assistant):
    response = PolicyQueryEngine(fake_assistant).query(QUESTION)
    answer = fake_assistant.ask(QUESTION)
    assert isinstance(response, Response)
    assert str(response) == answer.answer and "地方金融监管局" in str(response)
    assert [n.node.metadata["clause"] for n in response.source_nodes] == [c.clause for c in answer.citations]
    first = response.source_nodes[0].node
    assert first.node_id == f"{SEED}:12" and KEYS <= set(first.metadata)
    quote = first.metadata["quotes"][0]
    assert first.get_content()[quote["start"]:quote["end"]] == quote["text"]
    assert response.metadata["refused"] is False and response.metadata["analysis"]["kind"] == "responsibility"
    assert response.metadata["direct"] == answer.direct


def test_query_engine_refusal_has_no_sources(fake_assistant):
    response = PolicyQueryEngine(fake_assistant).query("今天呼和浩特天气怎么样？")
    assert response.metadata["refused"] is True and response.source_nodes == []
    assert str(response)


def test_query_engine_retrieve_and_async(fake_assistant):
    import asyncio

    engine = PolicyQueryEngine(fake_assistant, doc_ids=[SEED])
    from llama_index.core.schema import QueryBundle

    assert engine.retrieve(QueryBundle(QUESTION))[0].node.metadata["clause"] == 12
    response = asyncio.run(engine.aquery(QUESTION))
    assert response.source_nodes[0].node.metadata["clause"] == 12


def test_integration_imports_no_llm_client():
    """The integration needs llama-index-core only: no OpenAI client, no torch."""
    code = ("import sys; import assistant.integrations.llama_index; "
            "print(sorted(m for m in ('openai', 'llama_index.llms.openai_like', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


DONE_WHEN = r'''
import json, sys
from llama_index.core.base.response.schema import Response
from llama_index.core.schema import NodeWithScore
from assistant.integrations.llama_index import PolicyQueryEngine, PolicyReader, PolicyRetriever

retriever = PolicyRetriever()
nodes = retriever.retrieve("科技金融服务的责任单位有哪些？")
response = PolicyQueryEngine(retriever.assistant).query("科技金融服务的责任单位有哪些？")
docs = PolicyReader().load_data(sys.argv[1])
print(json.dumps({
    "first": nodes[0].node.metadata["clause"], "departments": nodes[0].node.metadata["departments"],
    "is_node": isinstance(nodes[0], NodeWithScore), "is_response": isinstance(response, Response),
    "text": str(response), "source": response.source_nodes[0].node.metadata["clause"],
    "refused": response.metadata["refused"], "docs": [d.metadata["clause"] for d in docs],
}, ensure_ascii=False))
'''


@pytest.mark.integration
def test_done_when_with_the_real_model(tmp_path):
    """Issue 23's check, as a user's script would run it: the real model, no LLM."""
    import json
    import os

    from assistant.embedding.model import model_status
    from assistant.config import Settings

    status = model_status(Settings.from_env())
    if not status["present"]:
        pytest.fail(f"embedding model missing at {status['path']}: run `make test` or `assistant model fetch`")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_LLM")}
    env |= {"ASSISTANT_INDEX_DIR": str(tmp_path / "indexes"), "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", DONE_WHEN, str(REPO_ROOT / "corpus" / f"{SEED}.txt")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["is_node"] and result["is_response"]
    assert result["first"] == 12 and "自治区地方金融监管局" in result["departments"]
    assert "地方金融监管局" in result["text"] and result["source"] == 12 and result["refused"] is False
    assert result["docs"] == list(range(24))  # the preamble and 23 clauses
    assert "语言模型" not in result["text"]
