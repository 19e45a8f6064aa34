"""The chat's one-message answers (markers, folded sources), the document selectors of
按部门查看 and 政策原文 over two documents, the duty table (view, .xlsx/.csv, CLI), the 导读,
corpus swaps under the answer lock, and the feedback file's rotation. Fake encoder."""

from __future__ import annotations

import csv
import re
import shutil
import threading
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.qa import Assistant
from tests.doubles import FakeEncoder

SEED = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
SECOND = Path(__file__).parent / "samples" / "second_policy.txt"
SEED_ID, SECOND_ID = "neimenggu-gaoxinqu-2021", "second_policy"

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _assistant(home: Path, *files: Path) -> Assistant:
    corpus = home / "corpus"
    corpus.mkdir(parents=True)
    for f in files:
        shutil.copy(f, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=home / "indexes", model_dir=home / "no-model",
                        feedback_path=home / "feedback.jsonl", eval_dir=home / "eval")
    return Assistant.load(settings, encoder=FakeEncoder(64))


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Assistant:
    """The seed and a second (region-less) document: the seed's jurisdiction is the wider."""
    return _assistant(tmp_path_factory.mktemp("two"), SECOND, SEED)


@pytest.fixture(scope="module")
def handlers(two, tmp_path_factory):
    from assistant.web.handlers import Handlers

    return Handlers(two, tmp_path_factory.mktemp("fb") / "feedback.jsonl")


# ------------------------------------------------------------------------------ one message per answer


def test_markers_follow_the_sentence_or_the_name_in_a_list():
    from assistant.web.render import marker_positions

    one = [{"heading": "第（十一）条 加强服务", "label": "（十一）"}]
    direct = "第（十一）条 加强服务 的责任单位是：甲。"
    assert marker_positions(direct, one) == {len(direct): [1]}
    listing = [{"heading": "第（十四）条 甲"}, {"heading": "第（十五）条 乙"}, {"heading": "第（二）条 丙"}]
    direct = "商务厅是2条的责任单位：第（十四）条 甲、第（十五）条 乙。"
    assert marker_positions(direct, listing) == {direct.index("、"): [1], len(direct) - 1: [2], len(direct): [3]}
    quoted = "根据第（二）条 目标：“到2025年。达到5家”。另有说明。"
    assert marker_positions(quoted, [{"heading": "第（二）条 目标"}]) == {quoted.index("”。") + 2: [1]}


def test_one_message_with_markers_sources_and_no_debug(handlers):
    _, history, _, _ = handlers.respond("商务厅负责哪些工作？", [], None)
    assert [m["role"] for m in history] == ["user", "assistant"]
    body = history[1]["content"]
    text, _, folded = body.partition('<details class="pa-sources">')
    markers = re.findall(r'data-n="(\d+)" href="#pa-open-clause:([^"]+)"', text)
    sources = re.findall(r'<div class="pa-source" data-n="(\d+)">', folded)
    assert markers and [n for n, _ in markers] == sources == [str(i) for i in range(1, len(sources) + 1)]
    assert {k.split("%3A")[0] for _, k in markers} == {SEED_ID, SECOND_ID}  # both documents' clauses
    assert "问题分析" not in body


def test_refusal_shows_nearby_clauses_folded_for_reference(handlers):
    from assistant.web.render import chat_messages

    answer = handlers.ask("孵化器建设补贴多少钱？")
    assert answer["refused"] and answer["related"]
    body = chat_messages(answer["question"], answer, handlers.corpus)[1]["content"]
    assert "【文件未涉及】" in body and 'class="pa-sources pa-sources-ref"' in body
    assert body.count("pa-tag-ref") == len(answer["related"]) and "pa-marker" not in body


def test_debug_folds_the_analysis_into_the_answer(two, tmp_path):
    from assistant.web.handlers import Handlers

    h = Handlers(two, tmp_path / "f.jsonl", debug=True)
    _, history, _, _ = h.respond("孵化器建设归哪个部门管？", [], None)
    assert len(history) == 2 and '<details class="pa-debug"><summary>问题分析（调试）</summary>' in history[1]["content"]


def test_app_has_a_debug_flag():
    sys_path = str(REPO_ROOT)
    import sys

    if sys_path not in sys.path:
        sys.path.insert(0, sys_path)
    import app

    assert app.parse_args(["--debug"]).debug is True and app.parse_args([]).debug is False


# ------------------------------------------------------------------------------ every tab, every document


def test_tabs_cover_every_document_widest_first(handlers):
    ids = [value for _, value in handlers.document_choices()]
    assert ids == ["", SEED_ID, SECOND_ID]  # all, then the region's (widest) before the unplaced one
    overview = handlers.department_view("")
    assert overview.index(f'data-doc="{SEED_ID}"') < overview.index(f'data-doc="{SECOND_ID}"')
    choices, body, outline, meta, guide = handlers.policy_tab("")
    assert f'data-clause="{SECOND_ID}:2"' in outline and f'data-clause="{SEED_ID}:12"' in outline
    assert "某政办发〔2023〕8号" in meta and "内政发〔2021〕13号" in meta
    assert any(v == f"{SECOND_ID}:9" for _, v in choices["choices"])
    choices, body, outline, meta, guide = handlers.policy_tab(SECOND_ID)
    assert SEED_ID not in outline and "某政办发〔2023〕8号" in meta and "第一条" in body
    # Short names resolve per document; a document choice narrows the answer.
    both = handlers.department_view("发改委")
    assert f'data-key="{SEED_ID}:5"' in both and f'data-key="{SECOND_ID}:1"' in both
    assert SEED_ID not in handlers.department_view("发改委", SECOND_ID)
    assert "自治区通信管理局" in handlers.department_view("通信管理局", SECOND_ID)


def test_clause_link_opens_the_clause_with_the_quote_highlighted(handlers):
    from assistant.web.handlers import parse_link

    answer = handlers.ask("5G基站建设有什么电价优惠？")
    citation = answer["citations"][0]
    quote = citation["quotes"][0]
    kind, value = parse_link(f"clause:{citation['doc_id']}%3A{citation['clause']}%3A{quote['start']}-{quote['end']}")
    body, outline = handlers.clause_view(value)
    assert kind == "clause" and f"<mark>{quote['text']}</mark>" in body
    assert f'pa-ol-on" data-clause="{citation["doc_id"]}:{citation["clause"]}"' in outline


# ------------------------------------------------------------------------------ duty table


def test_duty_rows_one_per_document_clause_department_in_listed_order(two):
    from assistant.ingest.duties import duty_rows, widest_first

    rows = duty_rows(widest_first(two.corpus.documents))
    expected = [(d.doc_id, c.number, name, i) for d in widest_first(two.corpus.documents) for c in d.clauses
                for i, name in enumerate(c.departments, 1)]
    assert [(r.doc_id, r.clause, r.department, r.order) for r in rows] == expected
    section = duty_rows(two.corpus.documents, f"{SEED_ID}:4")
    assert section and {r.clause for r in section} == {10, 11, 12}


def test_roles_where_the_note_says_so():
    from assistant.ingest.departments import department_roles

    assert department_roles("牵头单位：自治区科技厅；配合单位：自治区财政厅、自治区教育厅") == [
        ("自治区科技厅", "牵头"), ("自治区财政厅", "配合"), ("自治区教育厅", "配合")]
    assert department_roles("自治区科技厅牵头，自治区财政厅配合") == [("自治区科技厅", "牵头"), ("自治区财政厅", "配合")]
    assert department_roles("自治区科技厅（牵头）、自治区财政厅") == [("自治区科技厅", "牵头"), ("自治区财政厅", "")]
    assert department_roles("自治区发展改革委、工业和信息化厅") == [("自治区发展改革委", ""), ("自治区工业和信息化厅", "")]


def test_duty_view_exports_xlsx_and_csv(handlers):
    from openpyxl import load_workbook

    table, xlsx, csv_update = handlers.duty_view("", "")
    rows = handlers.duty_rows("", "")
    assert table.count("<tr>") == len({(r.doc_id, r.clause) for r in rows}) + 1
    sheet = load_workbook(xlsx["value"]).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:6]) == ["文件", "文号", "条款", "标题", "责任单位", "顺序"]
    assert [(v[4], v[5]) for v in values[1:]] == [(r.department, r.order) for r in rows]
    with open(csv_update["value"], encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert len(lines) == len(rows) + 1 and lines[1][4] == rows[0].department
    narrowed, _, _ = handlers.duty_view(SECOND_ID, "")
    assert SEED_ID not in narrowed and "第八条" in narrowed


def test_cli_departments_xlsx_and_csv(two, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from assistant.cli import cli

    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(two.settings.corpus_dir))
    out = tmp_path / "duty.xlsx"
    result = CliRunner().invoke(cli, ["departments", "--doc", SECOND_ID, "--xlsx", str(out), "--csv",
                                      str(tmp_path / "duty.csv")])
    assert result.exit_code == 0, result.output
    values = list(load_workbook(out).active.iter_rows(values_only=True))[1:]
    doc = two.corpus.document(SECOND_ID)
    assert [(v[2], v[4], v[5]) for v in values] == [(c.cite, n, i) for c in doc.clauses
                                                     for i, n in enumerate(c.departments, 1)]
    assert {v[1] for v in values} == {"某政办发〔2023〕8号"}
    assert (tmp_path / "duty.csv").read_text(encoding="utf-8-sig").count("\n") == len(values) + 1


# ------------------------------------------------------------------------------ 导读


def test_guide_is_verbatim_and_links_into_the_text(two):
    from assistant.ingest.duties import guide
    from assistant.web.render import guide_html

    doc = two.corpus.document(SEED_ID)
    g = guide(doc)
    assert ("文号", "内政发〔2021〕13号") in g["frame"] and ("发文机关", "内蒙古自治区人民政府") in g["frame"]
    assert [s["title"] for s in g["sections"]][:2] == ["总体要求", "提升高新区发展能级"]
    assert g["targets"] and all(t.text in doc.clause(t.clause).text for t in g["targets"])
    assert all(n in t.text for t in g["targets"] for n in t.numbers)
    assert any("5家以上" in t.numbers for t in g["targets"])
    assert g["departments"][0][0] == "自治区科技厅"
    page = guide_html(two.corpus)
    assert page.index(f'data-doc="{SEED_ID}"') < page.index(f'data-doc="{SECOND_ID}"')
    assert f'data-clause="{SEED_ID}:2:' in page and f'data-clause="{SEED_ID}:12"' in page


# ------------------------------------------------------------------------------ safe swaps, feedback


def test_answers_during_an_upload_come_from_one_consistent_corpus(tmp_path):
    from assistant.web.files_tab import add_uploads
    from assistant.web.handlers import Handlers

    live = _assistant(tmp_path / "home", SEED)
    h = Handlers(live, tmp_path / "f.jsonl")
    questions = ["5G基站建设有什么电价优惠？", "发改委负责哪些工作？"]
    before = {q: live.ask(q).to_dict() for q in questions}
    seen: list[dict] = []
    done = threading.Event()

    def asker():
        while not done.is_set():
            for q in questions:
                seen.append(h.ask(q))

    threads = [threading.Thread(target=asker) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        status, _ = add_uploads(live, [str(SECOND)], "127.0.0.1")
    finally:
        done.set()
        for t in threads:
            t.join()
    assert "已添加" in status
    after = {q: live.ask(q).to_dict() for q in questions}
    assert before != after and seen
    for answer in seen:
        assert answer in (before[answer["question"]], after[answer["question"]])


def test_cli_change_while_running_is_swapped_in(tmp_path):
    from assistant.ingest.library import add_files
    from assistant.retrieval.index import load_index
    from assistant.web.handlers import Handlers

    live = _assistant(tmp_path / "home", SEED)
    h = Handlers(live, tmp_path / "f.jsonl")
    assert h.refresh_if_changed() is False
    add_files([SECOND], live.settings.corpus_dir)  # what `assistant add` does, then its index update
    from assistant.ingest.corpus import load_corpus

    load_index(live.settings, load_corpus(live.settings.corpus_dir), live.encoder)
    assert h.refresh_if_changed() is True
    assert [d.doc_id for d in h.corpus.documents] == [SEED_ID, SECOND_ID]
    assert h.ask("5G基站建设有什么电价优惠？")["citations"][0]["doc_id"] == SECOND_ID


def test_feedback_file_rotates_at_its_size_limit(tmp_path):
    from assistant.web.handlers import save_feedback

    path = tmp_path / "fb" / "feedback.jsonl"
    for i in range(40):
        assert save_feedback(path, {"i": i, "pad": "x" * 80}, max_bytes=1000)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2", "feedback.jsonl.3"]
    assert all(p.stat().st_size <= 1100 for p in path.parent.iterdir())
    assert '"i": 39' in path.read_text(encoding="utf-8")
