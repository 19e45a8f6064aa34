"""PDFs as real engines make them (issue 22): Chromium's text layer with Kangxi/Radicals
Supplement code points, and scanned pages read by OCR.

The Chromium prints need Debian's Chromium and CJK fonts (``make test`` installs them); the
OCR test recognises one page (a mixed PDF: page 1 text, the last page scanned). The full
23-page scanned check is ``python -m bench.ocr_acceptance`` (eval/bench.md)."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest

from assistant.config import REPO_ROOT
from assistant.ingest.corpus import load_document
from assistant.ingest.loaders import load_bytes
from assistant.ingest.normalize import clean_line, normalize_radicals
from assistant.lexicons import load as load_data
from tests.formats import CHROMIUM, paragraphs_of, scan_pdf, write_pdf_chromium
from tests.test_loaders import OTHERS, SEED, assert_same_document

RADICAL = re.compile("[\u2e80-\u2fdf]")


def test_radicals_fold_to_the_ideographs_they_stand_for():
    assert normalize_radicals("内蒙古⾃治区⼈⺠政府（⼀）⾼新区") == "内蒙古自治区人民政府（一）高新区"
    # a sample of the CJK Radicals Supplement, which NFKC leaves alone
    assert normalize_radicals("⺠⻅⻓⻔⻢⻥⾦⻋⻝⻛") == "民见长门马鱼金车食风"
    assert normalize_radicals("⼾") == "户"  # drawn as 户 in a 简体 font (Unicode says 戶)
    text = "（一）加强，全角标点：保持；ＡＢＣ"  # nothing else changes: no full NFKC
    assert normalize_radicals(text) is text


def test_radical_table_is_unicodes_with_its_source():
    data = load_data("radicals")
    assert data["_version"] == "15.0.0" and "EquivalentUnifiedIdeograph" in data["_source"]
    supplement = [k for k in data["radicals"] if 0x2E80 <= ord(k) <= 0x2EFF]
    kangxi = [k for k in data["radicals"] if 0x2F00 <= ord(k) <= 0x2FDF]
    assert len(supplement) >= 110 and len(kangxi) == 214
    assert all(RADICAL.fullmatch(k) and not RADICAL.match(v) for k, v in data["radicals"].items())


def test_every_loader_folds_radicals():
    text = load_bytes("⼀、总体要求\n（⼀）指导思想。以⼈⺠为中⼼。".encode(), "a.txt")
    assert text == "一、总体要求\n（一）指导思想。以人民为中心。"


@pytest.mark.parametrize("line,fixed", [
    ("(一)指导思想", "（一）指导思想"), ("（－）指导思想", "（一）指导思想"), ("(-)指导思想", "（一）指导思想"),
    ("（十－）支持", "（十一）支持"), ("-、总体要求", "一、总体要求"), ("第-条为了", "第一条为了"),
    ("（一）不变", "（一）不变"), ("——全面", "——全面"), ("(1)项目", "(1)项目"), ("一一对应", "一一对应"),
    ("（一一）不是编号", "（一一）不是编号"),
])
def test_markers_mangled_by_ocr_are_repaired(line, fixed):
    assert clean_line(line) == fixed


@pytest.fixture(scope="module")
def references():
    return {path.stem: load_document(path) for path in (SEED, *OTHERS)}


def _print(tmp_path, reference, name):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Chromium and CJK fonts "
                    "(apt-get install -y chromium fonts-noto-cjk).")
    return write_pdf_chromium(paragraphs_of(reference), tmp_path / f"{name}.pdf")


@pytest.mark.parametrize("source", [SEED, *OTHERS], ids=lambda p: p.stem)
def test_chromium_print_parses_like_the_text_twin(tmp_path, references, source):
    from pypdf import PdfReader

    path = _print(tmp_path, references[source.stem], source.stem)
    reader = PdfReader(path)
    raw = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and RADICAL.search(raw)  # what users' files look like
    text = load_bytes(path.read_bytes(), path.name)
    assert not RADICAL.search(text) and "— 2 —" not in text and "人民政府文件" not in text.split("\n")[0]
    parsed = load_document(path)
    assert_same_document(parsed, references[source.stem])  # titles, departments, texts verbatim
    assert not parsed.ocr and not any(c.ocr for c in parsed.clauses)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, references):
    """The seed printed by Chromium, pages 1–3; page 2 scanned (150 dpi, skewed, blurred),
    pages 1 and 3 kept as text — one page of OCR."""
    folder = tmp_path_factory.mktemp("mixed")
    printed = _print(folder, references[SEED.stem], "seed")
    from pypdf import PdfReader

    assert len(PdfReader(printed).pages) >= 3
    return scan_pdf(printed, folder / "mixed.pdf", pages=[1, 2, 3], keep_text=(1, 3)), 2


@pytest.mark.integration  # one page of OCR: 15-50 s on 2 shared cores
def test_mixed_pdf_ocrs_only_the_scanned_page(mixed, references, monkeypatch, tmp_path):
    from rapidfuzz.distance import Indel

    monkeypatch.setenv("ASSISTANT_OCR_CACHE", str(tmp_path / "ocr"))
    path, scanned = mixed
    doc = load_document(path)
    assert doc.ocr["pages"] == [scanned] and doc.ocr["total_pages"] == 3
    assert doc.meta.title == references[SEED.stem].meta.title  # page 1: the text layer
    assert doc.ocr["mean_confidence"] > 0.9 and 0 <= doc.ocr["low_confidence_lines"] <= doc.ocr["lines"]
    reference = {c.label: c for c in references[SEED.stem].clauses}
    text_clauses = [c for c in doc.clauses if not c.ocr]
    ocr_clauses = [c for c in doc.clauses if c.ocr]
    assert ocr_clauses and ocr_clauses[0].label == "（一）"  # begins on page 1, ends on the scan
    assert text_clauses and text_clauses[0].number > ocr_clauses[-1].number
    for clause in text_clauses[:-1]:  # wholly on page 3 (the last is cut off): verbatim
        assert clause.text == reference[clause.label].text
    for clause in ocr_clauses[1:]:  # clauses wholly on the scanned page: recognised closely
        want = reference[clause.label]
        assert Indel.normalized_similarity(clause.title, want.title) >= 0.9
        assert Indel.normalized_similarity(clause.text, want.text) >= 0.95
    assert list((tmp_path / "ocr").glob("*.json"))  # cached: the corpus is re-read at every start
    assert load_document(path).ocr["pages"] == [2]


@pytest.mark.integration  # one page of OCR: 15-50 s on 2 shared cores
def test_ocr_citations_are_marked(mixed, tmp_path, monkeypatch):
    from assistant.answering.spans import make_citation
    from assistant.cli import ocr_line
    from assistant.web.render import citation_html, source_html

    doc = load_document(mixed[0])
    clause = next(c for c in doc.clauses if c.ocr)
    citation = asdict(make_citation(doc, clause, [0], 1.0))
    assert citation["ocr"] is True  # as --json and the API show it
    assert "文字识别" in citation_html(citation) and "文字识别" in source_html(1, citation)
    plain = asdict(make_citation(doc, next(c for c in doc.clauses if not c.ocr), [0], 1.0))
    assert plain["ocr"] is False and "文字识别" not in citation_html(plain)
    assert "1/3 页" in ocr_line(doc.ocr) and "平均置信度" in ocr_line(doc.ocr)


def test_without_the_ocr_engine_a_scan_is_refused_clearly(mixed, monkeypatch):
    from assistant.errors import CorpusError
    from assistant.ingest.loaders import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(CorpusError) as info:
        load_document(mixed[0])
    assert "OCR" in str(info.value) and f"第{mixed[1]}页" in str(info.value)
