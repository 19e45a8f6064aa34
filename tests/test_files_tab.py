"""The web 文件 tab: the document list, upload off by default, loopback-only uploads that go
through the same checks as `assistant add` and switch the running assistant over."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.ingest.corpus import load_document
from assistant.qa import Assistant
from assistant.web.files_tab import add_uploads, documents_html
from assistant.web.net import is_loopback
from tests.doubles import FakeEncoder
from tests.formats import paragraphs_of, write_docx

SECOND = Path(__file__).parent / "samples" / "second_policy.txt"


@pytest.fixture
def assistant(tmp_path) -> Assistant:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt", corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "indexes", model_dir=tmp_path / "no-model",
                        feedback_path=tmp_path / "f.jsonl", eval_dir=tmp_path / "eval")
    return Assistant.load(settings, encoder=FakeEncoder(64))


def _elem_ids(demo) -> set[str]:
    return {c.get("props", {}).get("elem_id") for c in demo.config["components"]}


def test_list_shows_metadata_escaped(assistant):
    html = documents_html(assistant.corpus)
    assert "内政发〔2021〕13号" in html and "23 条" in html and "TXT" in html
    assistant.corpus.documents[0].meta.title = "<script>alert(1)</script>"
    assert "<script>" not in documents_html(assistant.corpus)


def test_upload_is_off_by_default_and_on_with_the_flag(assistant):
    from assistant.web.ui import build_ui

    assert "pa-files" in _elem_ids(build_ui(assistant)) and "pa-upload" not in _elem_ids(build_ui(assistant))
    assert "pa-upload" in _elem_ids(build_ui(assistant, allow_upload=True))


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                           ("0.0.0.0", False), ("192.168.1.5", False), (None, False), ("x", False)])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_upload_adds_and_the_running_assistant_answers_from_it(assistant, tmp_path):
    docx = write_docx(paragraphs_of(load_document(SECOND)), tmp_path / "数字经济.docx")
    status, _ = add_uploads(assistant, [str(docx)], "192.168.1.5")
    assert "只能从本机" in status and len(assistant.corpus.documents) == 1

    status, table = add_uploads(assistant, [str(docx)], "127.0.0.1")
    assert "已添加" in status and "某政办发〔2023〕8号" in table
    assert [d.doc_id for d in assistant.corpus.documents] == ["neimenggu-gaoxinqu-2021", "shuzijingji"]
    hits = assistant.search("5G基站建设有什么电价优惠？", k=3)
    assert (hits[0].doc_id, hits[0].clause) == ("shuzijingji", 2)

    status, _ = add_uploads(assistant, [str(docx)], "127.0.0.1")  # the same again: refused
    assert "未添加" in status and "重复" in status and len(assistant.corpus.documents) == 2


def test_bad_upload_changes_nothing(assistant, tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\n")
    before = assistant.index.path
    status, _ = add_uploads(assistant, [str(bad)], "127.0.0.1")
    assert "未添加" in status and "scan.pdf" in status
    assert sorted(p.name for p in assistant.settings.corpus_dir.iterdir()) == ["neimenggu-gaoxinqu-2021.txt"]
    assert assistant.index.path == before
