"""The three synthetic evaluation documents (eval/docs), parsed next to the seed.

Each document exercises a different 公文 layout: a city 若干措施 in 第X条 articles with
``（责任单位：…）`` notes and PDF-style wrapped lines; a 管理办法 in 第X章/第X条 with
（一） items and responsibilities stated inside the articles; a 通知 in 一、 sections with
1. 2. items, an 附件 note and no clause markers. The expectations below are read off the
documents by hand: what the parser *should* produce. Where today's parser falls short the
test documents a parser rule these documents exercise.
"""

from __future__ import annotations

import shutil

import pytest

from assistant.config import REPO_ROOT
from assistant.ingest.corpus import load_corpus, load_document
from assistant.ingest.normalize import compact

DOCS = REPO_ROOT / "eval" / "docs"
BAOTOU = "baotou-keji-ruogan-cuoshi-2022"
CHIFENG = "chifeng-fuhuaqi-guanli-banfa-2023"
NMG = "nmg-kejiting-tongzhi-2024"
SEED = "neimenggu-gaoxinqu-2021"


@pytest.fixture(scope="module")
def docs():
    return {stem: load_document(DOCS / f"{stem}.txt") for stem in (BAOTOU, CHIFENG, NMG)}


# ---------------------------------------------------------------- the four together


def test_corpus_of_four_loads_every_document(tmp_path):
    shutil.copy(REPO_ROOT / "corpus" / f"{SEED}.txt", tmp_path)
    for path in DOCS.glob("*.txt"):
        shutil.copy(path, tmp_path)
    corpus = load_corpus(tmp_path)
    assert corpus.problems == []
    assert sorted(d.doc_id for d in corpus.documents) == sorted([SEED, BAOTOU, CHIFENG, NMG])
    counts = {d.doc_id: len(d.clauses) for d in corpus.documents}
    assert counts == {SEED: 23, BAOTOU: 10, CHIFENG: 18, NMG: 5}
    assert len({d.meta.doc_number for d in corpus.documents}) == 4


# ---------------------------------------------------------------- 包头：第X条 若干措施

BAOTOU_TITLES = {
    1: "鼓励企业加大研发投入",
    2: "壮大高新技术企业群体",
    3: "建设高能级创新平台",
    6: "强化科技金融支撑",
    7: "提升知识产权创造运用水平",
    8: "发展科技企业孵化载体",
    9: "优化政策兑现服务",
}
BAOTOU_DEPARTMENTS = {
    1: ["市科技局", "市财政局", "市统计局"],
    2: ["市科技局", "市财政局", "国家税务总局包头市税务局"],
    3: ["市科技局", "市发展改革委", "市工业和信息化局", "市财政局", "稀土高新区管委会"],
    4: ["市科技局", "市财政局", "市教育局"],
    5: ["市委组织部", "市人力资源社会保障局", "市科技局", "市住房和城乡建设局", "市教育局", "市卫生健康委"],
    6: ["市财政局", "市科技局", "市金融办", "人民银行包头市中心支行", "包头银保监分局"],
    7: ["市市场监管局", "市科技局", "市财政局"],
    8: ["市科技局", "市财政局", "稀土高新区管委会"],
    10: [],
}


def test_baotou_meta(docs):
    meta = docs[BAOTOU].meta
    assert meta.title == "包头市人民政府办公室关于支持科技创新的若干措施"
    assert meta.doc_number == "包府办发〔2022〕56号"
    assert meta.issuer == "包头市人民政府办公室"
    assert meta.signed_date == "2022年7月15日"
    assert meta.printed_date == "2022年7月18日"
    assert meta.publication == "此件公开发布"
    assert meta.addressees.startswith("各旗、县、区人民政府，稀土高新区管委会")
    assert meta.copy_to.startswith("市委各部门，包头警备区")


def test_baotou_articles(docs):
    doc = docs[BAOTOU]
    assert [c.label for c in doc.clauses] == [f"第{n}条" for n in "一二三四五六七八九十"]
    assert doc.sections == []
    for number, title in BAOTOU_TITLES.items():
        assert doc.clause(number).title == title
        assert doc.clause(number).heading == f"{doc.clause(number).label} {title}"
    assert doc.clause(10).title == ""  # the closing article has no heading sentence
    assert doc.preamble.endswith("结合我市实际，制定如下措施。")


def test_baotou_wrapped_lines_are_joined(docs):
    doc = docs[BAOTOU]
    # "1000" and "万元" sit on two lines in the file; "2024" and "年" too.
    assert "年度促成技术交易额1000万元以上" in doc.clause(4).text
    assert "有效期至2024年12月31日" in doc.clause(10).text
    assert "（责任单位：市科技局、市财政局、市统计局）" in doc.clause(1).text
    assert doc.clause(1).body.endswith("一次性给予5万元奖励。")


def test_baotou_departments(docs):
    doc = docs[BAOTOU]
    for number, names in BAOTOU_DEPARTMENTS.items():
        assert doc.clause(number).departments == names, number
    assert doc.departments.clauses_by_department["市财政局"] == [1, 2, 3, 4, 6, 7, 8, 9]
    assert doc.departments.clauses_by_department["稀土高新区管委会"][:2] == [3, 8]


def test_baotou_collective_then_single_body(docs):
    assert docs[BAOTOU].clause(9).departments == ["市科技局", "市财政局", "各旗县区人民政府", "稀土高新区管委会"]


def test_baotou_short_department_names_resolve(docs):
    index = docs[BAOTOU].departments
    assert index.resolve("科技局") == ["市科技局"]
    assert index.resolve("财政局") == ["市财政局"]
    assert index.resolve("人民银行") == ["人民银行包头市中心支行"]
    assert index.resolve("教育局") == ["市教育局"]


# ---------------------------------------------------------------- 赤峰：第X章 / 第X条 管理办法

CHAPTERS = ["总则", "认定条件", "认定程序", "支持措施", "监督管理", "附则"]


def test_chifeng_meta(docs):
    meta = docs[CHIFENG].meta
    assert meta.title == "赤峰市科技企业孵化器管理办法"
    assert meta.doc_number == "赤科发〔2023〕18号"
    assert meta.issuer == "赤峰市科学技术局"
    assert meta.signed_date == "2023年4月20日"
    assert meta.printing_office == "赤峰市科学技术局办公室"
    assert meta.printed_date == "2023年4月21日"
    assert meta.addressees == "各旗县区科技局，赤峰高新区管委会，市直有关单位，各科技企业孵化器"


def test_chifeng_chapters_and_articles(docs):
    doc = docs[CHIFENG]
    assert [s.title for s in doc.sections] == CHAPTERS
    assert [s.label for s in doc.sections] == [f"第{n}章" for n in "一二三四五六"]
    assert [s.clauses for s in doc.sections] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12, 13],
                                                 [14, 15, 16], [17, 18]]
    assert [c.label for c in doc.clauses][-1] == "第十八条"
    assert doc.clause(11).label == "第十一条" and doc.clause(11).section_title == "支持措施"
    # "按照第四条执行" inside 第五条 is a cross-reference, not a new article.
    assert "其他条件按照第四条执行" in doc.clause(5).text


def test_chifeng_items_under_articles(docs):
    doc = docs[CHIFENG]
    assert doc.clause(4).title == "申请认定市级孵化器，应当同时具备下列条件"
    assert [i.label for i in doc.clause(4).items] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    assert doc.clause(4).items[1].text.startswith("孵化场地集中，可自主支配的孵化场地面积不低于2000平方米")
    assert len(doc.clause(6).items) == 4
    assert doc.clause(8).title == "申请认定的孵化器应当提交以下材料"
    assert doc.clause(8).items[-1].text == "上一年度经审计的财务报表。"


def test_chifeng_has_no_responsibility_notes(docs):
    # Responsibilities are stated inside the articles (市科技局负责…), not in notes.
    doc = docs[CHIFENG]
    assert all(c.departments == [] for c in doc.clauses)
    assert "赤峰市科学技术局（以下简称市科技局）负责全市孵化器的统筹规划" in doc.clause(3).text
    assert "本办法自2023年6月1日起施行，有效期5年" in doc.clause(18).text


# ---------------------------------------------------------------- 自治区科技厅：一、 sections 通知

NMG_SECTIONS = ["申报条件", "申报时间", "申报方式和材料", "职责分工和工作要求", "联系方式"]


def test_nmg_meta(docs):
    meta = docs[NMG].meta
    assert meta.title == "内蒙古自治区科学技术厅关于做好2024年度高新技术企业认定申报工作的通知"
    assert meta.doc_number == "内科高字〔2024〕15号"
    assert meta.issuer == "内蒙古自治区科学技术厅"
    assert meta.signed_date == "2024年5月10日"
    assert meta.publication == "此件主动公开"
    assert meta.copy_to.startswith("自治区财政厅，国家税务总局内蒙古自治区税务局")


def test_nmg_sections_are_the_citable_units(docs):
    doc = docs[NMG]
    assert [s.title for s in doc.sections] == NMG_SECTIONS
    assert [c.title for c in doc.clauses] == NMG_SECTIONS
    assert [c.section for c in doc.clauses] == [1, 2, 3, 4, 5]
    assert all(c.departments == [] for c in doc.clauses)
    assert "盟市科技局审核推荐截止时间为2024年6月28日" in compact(doc.clause(2).text)
    assert "0471-6924537" in doc.clause(5).text
    assert doc.preamble.endswith("有关事项通知如下。")


def test_nmg_items_inside_sections(docs):
    doc = docs[NMG]
    assert [len(c.items) for c in doc.clauses] == [6, 3, 3, 4, 2]
    assert doc.clause(1).items[0].text.startswith("在自治区行政区域内注册成立一年以上的居民企业")


def test_nmg_attachment_note_is_not_section_text(docs):
    doc = docs[NMG]
    assert "附件" not in doc.clause(5).text
    assert doc.clause(5).text.rstrip().endswith("010-68598950。")


def test_nmg_heading_of_a_section_unit(docs):
    assert docs[NMG].clause(1).heading == "一、申报条件"


# ---------------------------------------------------------------- the gold questions about them

GOLD = [REPO_ROOT / "eval" / "gold" / f"multidoc_{split}.jsonl" for split in ("test", "dev")]
CATEGORIES = {"paraphrase", "colloquial", "typo", "traditional", "english", "numbers", "dates", "count_list",
              "yes_no", "responsibility", "joint", "department_tasks", "bare_department", "department_typo",
              "eligibility", "structure", "metadata", "clause_lookup", "wrong_premise", "out_of_scope",
              "bad_reference", "cross_doc"}


def _gold_rows():
    import json

    return [json.loads(line) for path in GOLD for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_gold_questions_are_grounded(docs):
    every = dict(docs)
    every[SEED] = load_document(REPO_ROOT / "corpus" / f"{SEED}.txt")
    rows = _gold_rows()
    assert len({r["qid"] for r in rows}) == len(rows) >= 90
    assert sum(r["category"] == "cross_doc" for r in rows) >= 15
    for row in rows:
        assert row["category"] in CATEGORIES, row["qid"]
        if row["out_of_scope"]:
            assert row["doc_id"] is None and row["clauses"] == [], row["qid"]
            continue
        doc = every[row["doc_id"]]
        for fact in row["facts"]:  # verbatim, in the text every quote comes from
            assert fact in doc.text, (row["qid"], fact)
        assert all(1 <= n <= len(doc.clauses) for n in row["clauses"]), row["qid"]
        if "departments" in row:
            assert doc.clause(row["clauses"][0]).departments == row["departments"], row["qid"]
        if row["answer_type"] == "yes_no":
            assert row["yes_no"] in {"yes", "no", "not_stated"}, row["qid"]
