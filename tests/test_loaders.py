"""Loaders: PDF, DOCX and HTML versions of a document parse to exactly the clauses of its
``.txt`` twin; bad files give one clear line naming the file and load nothing.

The PDF/DOCX/HTML files are made here (tests/formats.py) from the seed and from a second,
article-style policy (tests/samples/second_policy.txt)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT
from assistant.errors import CorpusError
from assistant.ingest.corpus import load_corpus, load_document
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_bytes
from assistant.ingest.normalize import compact
from tests.formats import paragraphs_of, write_docx, write_html, write_pdf

SEED = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
SECOND = Path(__file__).parent / "samples" / "second_policy.txt"
# 公文 of other shapes: 第X条 measures, chapters of articles with items, a 通知 (eval/docs)
OTHERS = sorted((REPO_ROOT / "eval" / "docs").glob("*.txt"))


def assert_same_document(parsed, reference):
    assert len(parsed.clauses) == len(reference.clauses)
    for got, want in zip(parsed.clauses, reference.clauses):
        assert (got.label, got.title, got.section_title) == (want.label, want.title, want.section_title)
        assert got.departments == want.departments
        assert got.text == want.text, got.label
    assert parsed.meta == reference.meta
    assert [s.title for s in parsed.sections] == [s.title for s in reference.sections]


@pytest.fixture(scope="module")
def references():
    return {path.stem: load_document(path) for path in (SEED, SECOND, *OTHERS)}


@pytest.mark.parametrize("source", [SEED, SECOND, *OTHERS], ids=lambda p: p.stem)
@pytest.mark.parametrize("writer,suffix", [(write_pdf, ".pdf"), (write_docx, ".docx"), (write_html, ".html")],
                         ids=["pdf", "docx", "html"])
def test_formats_parse_like_the_text_twin(tmp_path, references, source, writer, suffix):
    reference = references[source.stem]
    path = writer(paragraphs_of(reference), tmp_path / f"{source.stem}{suffix}")
    parsed = load_document(path)
    assert parsed.format == suffix.lstrip(".")
    assert_same_document(parsed, reference)
    original = compact(source.read_text(encoding="utf-8"))
    for clause in parsed.clauses:  # every clause one contiguous span of the original
        assert compact(clause.text) in original


def test_seed_pdf_has_its_23_clauses_and_no_page_furniture(tmp_path, references):
    path = write_pdf(paragraphs_of(references[SEED.stem]), tmp_path / "seed.pdf")
    text = load_bytes(path.read_bytes(), path.name)
    assert "内蒙古自治区人民政府文件" not in text  # running header
    assert "—" not in text.replace("——", "")  # "— 3 —" page numbers
    assert len(load_document(path).clauses) == 23


@pytest.mark.parametrize("page_number", ["-{n}-", "第{n}页", "第 {n} 页 共 9 页", "{n}"])
def test_pdf_page_number_styles_are_dropped(tmp_path, references, page_number):
    path = write_pdf(paragraphs_of(references[SECOND.stem]), tmp_path / "p.pdf", page_number=page_number,
                     lines_per_page=10, header="某自治区人民政府办公厅文件")
    assert_same_document(load_document(path), references[SECOND.stem])


def test_pdf_rejoins_wrapped_lines_but_not_markers_or_sentences(tmp_path, references):
    path = write_pdf(paragraphs_of(references[SECOND.stem]), tmp_path / "p.pdf")
    lines = load_bytes(path.read_bytes(), path.name).split("\n")
    clause_lines = [line for line in lines if line.startswith("第") and "条" in line[:4]]
    assert len(clause_lines) == 9  # each article starts its own line …
    assert any(line.startswith("第一条") and line.endswith("财政厅）") for line in lines)  # … and is whole
    assert "某政办发〔2023〕8号" in lines and "2023年5月20日" in lines  # frame lines stay apart


def test_docx_auto_numbering_is_resolved(tmp_path, references):
    path = write_docx(paragraphs_of(references[SECOND.stem]), tmp_path / "second.docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "第一条" not in xml and "第%2条" in zipfile.ZipFile(path).read("word/numbering.xml").decode()
    text = load_bytes(path.read_bytes(), path.name)
    assert "第一条" in text and "第九条" in text
    assert "内蒙古自治区人民政府文件" not in text  # the page header is not body text
    assert "10亿元以上｜200万元" in text  # the table, in place


def test_docx_without_resolution_would_lose_the_clauses(tmp_path, references):
    """Control: the same file with typed markers parses too, so the numbering test above is
    what makes auto-numbered articles count."""
    path = write_docx(paragraphs_of(references[SECOND.stem]), tmp_path / "typed.docx", auto_number=False)
    assert_same_document(load_document(path), references[SECOND.stem])


def test_html_takes_the_article_not_the_navigation(tmp_path, references):
    path = write_html(paragraphs_of(references[SEED.stem]), tmp_path / "page.html")
    text = load_bytes(path.read_bytes(), path.name)
    for noise in ("互动交流", "相关链接", "备案号", "当前位置", "var nav", "字号"):
        assert noise not in text
    assert text.startswith("内蒙古自治区人民政府关于促进")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_html_without_a_known_container_and_in_gbk(tmp_path, references, encoding):
    path = write_html(paragraphs_of(references[SECOND.stem]), tmp_path / "page.htm",
                      container='<div class="wrap"><div class="c1">', encoding=encoding)
    path.write_bytes(path.read_bytes().replace(b"</div>\n<div class=\"related\">", b"</div></div>\n<div class=\"related\">", 1))
    assert_same_document(load_document(path), references[SECOND.stem])


def test_supported_suffixes_come_from_the_registry():
    assert {".txt", ".md", ".pdf", ".docx", ".html"} <= set(SUPPORTED_SUFFIXES)


# -- bad input -------------------------------------------------------------------------------


def _seed_pdf(tmp_path, references) -> bytes:
    return write_pdf(paragraphs_of(references[SECOND.stem]), tmp_path / "ok.pdf").read_bytes()


def _encrypted_pdf(tmp_path, references) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(tmp_path / "ok.pdf" if (tmp_path / "ok.pdf").exists()
                                            else write_pdf(paragraphs_of(references[SECOND.stem]), tmp_path / "ok.pdf")))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = tmp_path / "enc.pdf"
    with open(out, "wb") as handle:
        writer.write(handle)
    return out.read_bytes()


def _scanned_pdf(tmp_path, references) -> bytes:
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    image = tmp_path / "scan.png"
    Image.new("L", (200, 280), 255).save(image)
    out = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(out), pagesize=A4)
    for _ in range(2):
        pdf.drawImage(str(image), 50, 50, 495, 740)
        pdf.showPage()
    pdf.save()
    return out.read_bytes()


def _zip_of_other_things(tmp_path, references) -> bytes:
    out = tmp_path / "other.zip"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/a.jpg", b"\xff\xd8\xff" + b"0" * 100)
        archive.writestr("readme.txt", "not a word file")
    return out.read_bytes()


def _xlsx_like(tmp_path, references) -> bytes:
    out = tmp_path / "sheet.zip"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<not-really/>")
    return out.read_bytes()


BAD = {
    "empty.pdf": (lambda tmp, refs: b"", "文件为空"),
    "truncated.pdf": (lambda tmp, refs: _seed_pdf(tmp, refs)[: len(_seed_pdf(tmp, refs)) // 2], "不完整"),
    "garbage.pdf": (lambda tmp, refs: b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "PDF"),
    "not-a-pdf.pdf": (lambda tmp, refs: "这不是PDF".encode() * 10, "不是 PDF"),
    "encrypted.pdf": (_encrypted_pdf, "加密"),
    "scan.pdf": (_scanned_pdf, "OCR"),
    "zip-of-photos.docx": (_zip_of_other_things, "docx"),
    "fake.docx": (_xlsx_like, "Word"),
    "text.docx": (lambda tmp, refs: "第一条 纯文本".encode(), "不是有效的 Word"),
    "empty.docx": (lambda tmp, refs: b"", "文件为空"),
    "nav-only.html": (lambda tmp, refs: ("<html><body><ul>" + "".join(
        f'<li><a href="/{i}">首页导航链接{i}</a></li>' for i in range(50)) + "</ul></body></html>").encode(),
        "没有找到正文"),
    "empty.html": (lambda tmp, refs: b"   ", "文件为空"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_give_one_clear_line(tmp_path, references, name):
    make, expected = BAD[name]
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / name).write_bytes(make(tmp_path, references))
    with pytest.raises(CorpusError) as info:
        load_document(folder / name)
    message = str(info.value)
    assert name in message and expected in message and "\n" not in message and len(message) < 300
    # beside a good document, the bad one is a reported problem, not a failed load
    (folder / "good.txt").write_bytes(SECOND.read_bytes())
    corpus = load_corpus(folder)
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert len(corpus.problems) == 1 and name in corpus.problems[0]


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:
        handle.truncate(200 * 2**20)  # sparse: 200 MB on paper, nothing on disk
    with pytest.raises(CorpusError, match="文件过大"):
        load_document(path)


def test_unsupported_format_names_the_way_out(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(CorpusError, match=r"old\.doc.*\.docx"):
        load_document(path)


def test_pdf_running_header_that_is_the_wenhao_keeps_the_real_one(tmp_path, references):
    """The header repeats the 文号; on page 1 the 文号 under a one-line title is body text."""
    reference = references[SEED.stem]
    paragraphs = [("center" if kind == "title" else kind, text) for kind, text in paragraphs_of(reference)]
    path = write_pdf(paragraphs, tmp_path / "seed.pdf", header="内政发〔2021〕13号", chars=30)
    assert_same_document(load_document(path), reference)


def test_html_wenhao_from_the_disclosure_table(tmp_path, references):
    """gov.cn pages state 发文字号 in a table above the article, not in it."""
    reference = references[SECOND.stem]
    paragraphs = [(k, t) for k, t in paragraphs_of(reference) if t != reference.meta.doc_number]
    path = write_html(paragraphs, tmp_path / "page.html")
    page = path.read_text(encoding="utf-8").replace(
        '<div class="info">', '<table class="xxgk"><tr><td>发文字号：</td><td>某政办发〔2023〕8号</td></tr></table><div class="info">')
    path.write_text(page, encoding="utf-8")
    assert_same_document(load_document(path), reference)


@pytest.mark.parametrize("writer,suffix", [(write_pdf, ".pdf"), (write_docx, ".docx"), (write_html, ".html")],
                         ids=["pdf", "docx", "html"])
def test_damaged_files_load_whole_or_fail_cleanly(tmp_path, references, writer, suffix):
    """Bytes flipped anywhere: a clean CorpusError naming the file, or a document — never
    another exception."""
    import random

    good = writer(paragraphs_of(references[SECOND.stem]), tmp_path / f"good{suffix}").read_bytes()
    rng = random.Random(7)
    for trial in range(8):
        data = bytearray(good)
        for _ in range(20):
            at = rng.randrange(len(data))
            data[at] = rng.randrange(256)
        path = tmp_path / f"damaged-{trial}{suffix}"
        path.write_bytes(bytes(data))
        try:
            load_document(path)
        except CorpusError as exc:
            assert path.name in str(exc) and "\n" not in str(exc)
