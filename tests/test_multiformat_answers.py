"""A second document, arriving as PDF or DOCX, is answered beside the seed; once removed it
is never cited again. Fake encoder here; the real model in the integration variant."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.ingest.corpus import load_document
from assistant.ingest.library import add_files, remove_document
from assistant.qa import Assistant
from tests.doubles import FakeEncoder
from tests.formats import paragraphs_of, write_docx, write_pdf

SEED = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
SECOND = Path(__file__).parent / "samples" / "second_policy.txt"
QUESTIONS = [  # (question, clause of the second document)
    ("建设5G基站的用电有什么优惠？", 2),
    ("企业购买云服务能拿多少补贴？", 3),
    ("数字技能培训补贴每人最高多少钱？", 6),
]


def _home(tmp_path: Path, writer) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus)
    source = writer(paragraphs_of(load_document(SECOND)), tmp_path / f"second_policy{'.pdf' if writer is write_pdf else '.docx'}")
    add_files([source], corpus)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "indexes", model_dir=Settings.from_env().model_dir,
                    feedback_path=tmp_path / "f.jsonl", eval_dir=tmp_path / "eval")


def _check(assistant: Assistant):
    for question, clause in QUESTIONS:
        answer = assistant.ask(question)
        assert ("second_policy", clause) in [(c.doc_id, c.clause) for c in answer.citations], question
        for citation in answer.citations:  # every quote verbatim from the document it names
            text = assistant.corpus.document(citation.doc_id).clause(citation.clause).text
            assert all(sentence in text for sentence in citation.sentences)
        hits = assistant.search(question, k=3)
        found = [h for h in hits if (h.doc_id, h.clause) == ("second_policy", clause)]
        assert found, (question, [(h.doc_id, h.clause) for h in hits])
        doc = assistant.corpus.document("second_policy")
        assert all(sentence in doc.clause(clause).text for sentence in found[0].sentences)
    assert assistant.search("孵化器建设归哪个部门管？", k=1)[0].doc_id == "neimenggu-gaoxinqu-2021"

    remove_document("second_policy", assistant.settings.corpus_dir)
    after = Assistant.load(assistant.settings, encoder=assistant.encoder)
    assert {u.doc_id for u in after.index.units} == {"neimenggu-gaoxinqu-2021"}
    for question, _ in QUESTIONS:
        assert all(h.doc_id != "second_policy" for h in after.search(question, k=10))
        answer = after.ask(question)
        assert all(c.doc_id != "second_policy" for c in answer.citations + answer.related)


@pytest.mark.parametrize("writer", [write_pdf, write_docx], ids=["pdf", "docx"])
def test_second_document_is_answered_then_forgotten(tmp_path, writer):
    _check(Assistant.load(_home(tmp_path, writer), encoder=FakeEncoder(64)))


@pytest.mark.integration
@pytest.mark.parametrize("writer", [write_pdf, write_docx], ids=["pdf", "docx"])
def test_second_document_with_the_real_model(tmp_path, writer):
    from assistant.embedding.model import model_status

    settings = _home(tmp_path, writer)
    if not model_status(settings)["present"]:
        pytest.fail("embedding model missing: run `make test` or `assistant model fetch`")
    _check(Assistant.load(settings))
