"""Other 公文 layouts and bad files, on small documents written for these tests."""

from __future__ import annotations

import pytest

from assistant.ingest.corpus import load_corpus, load_document
from assistant.errors import CorpusError

from .conftest import SAMPLES


def test_articles_with_items_and_half_width_colon():
    doc = load_document(SAMPLES / "articles.txt")
    assert doc.meta.title == "某市科技创新券管理办法"
    assert [c.label for c in doc.clauses] == ["第一条", "第二条", "第三条", "第四条"]
    assert doc.clauses[1].heading == "第二条 适用范围"
    assert [i.label for i in doc.clauses[1].items] == ["（一）", "（二）"]
    assert doc.clauses[1].items[1].text == "上年度研发投入不低于50万元。"
    third = doc.clauses[2]
    assert [i.label for i in third.items] == ["1.", "2."]
    assert third.departments == ["市科技局", "财政局"]  # bare 市 is not a distributable prefix
    assert "责任单位" not in third.items[-1].text
    assert doc.clauses[3].departments == []


def test_clauses_with_comma_parenthesised_words_and_tail():
    doc = load_document(SAMPLES / "clauses_variants.txt")
    assert doc.meta.doc_number == "某政发〔2022〕5号"
    assert doc.meta.addressees == "各旗县人民政府，市直各部门"
    assert doc.meta.issuer == "某市人民政府"
    assert doc.meta.signed_date == "2022年3月1日"
    assert doc.meta.publication == "此件公开发布"
    assert [c.label for c in doc.clauses] == ["（一）", "（二）", "（三）"]
    first = doc.clauses[0]
    # （内蒙古） and a wrapped line starting with （市） do not split the clause.
    assert "中国（内蒙古）自由贸易试验区在（市）级层面先行先试" in first.text
    assert [i.label for i in first.items] == ["（1）", "（2）"]
    assert first.departments == ["市商务局", "发改委"]  # 责任单位 with a comma
    assert doc.clauses[1].departments == [] and doc.clauses[1].departments_raw == ""
    assert doc.clauses[2].departments == ["呼和浩特市人民政府", "包头市人民政府", "鄂尔多斯市人民政府", "各高新区管委会"]
    assert [s.title for s in doc.sections] == ["加强支持", "组织实施"]


def test_gbk_file_reads_like_utf8():
    utf8 = load_document(SAMPLES / "clauses_variants.txt")
    gbk = load_document(SAMPLES / "gbk.txt")
    assert [c.text for c in gbk.clauses] == [c.text for c in utf8.clauses]


def test_markdown_notice():
    doc = load_document(SAMPLES / "notice.md")
    assert doc.meta.title == "关于加强人才工作的通知"
    assert [c.title for c in doc.clauses] == ["设立人才公寓", "发放补贴"]
    assert doc.clauses[0].departments == ["市住建局"]


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n ", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin.txt", "caf\xe9 \xfc\xe8 r\xe9sum\xe9 \xff\xfe\xfd".encode("latin-1") * 40, "编码"),
        ("noclauses.txt", "一段没有条款的文字。".encode(), "no numbered clauses"),
    ],
)
def test_bad_files_are_reported_and_others_still_load(tmp_path, name, data, message):
    (tmp_path / "good.txt").write_bytes((SAMPLES / "clauses_variants.txt").read_bytes())
    (tmp_path / name).write_bytes(data)
    (tmp_path / "ignored.doc").write_bytes(b"\xd0\xcf\x11\xe0")  # unsupported formats are skipped
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert len(corpus.problems) == 1
    assert name in corpus.problems[0] and message in corpus.problems[0]


def test_folder_without_usable_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="empty.txt"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="不存在"):
        load_corpus(tmp_path / "missing")
