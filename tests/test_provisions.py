"""Provisions at ingest: each sentence of a clause read as a measure (no model, no index).

Expectations are read off the seed and the three evaluation documents by hand.
"""

from __future__ import annotations

import json

import pytest

from assistant.config import REPO_ROOT
from assistant.errors import ClauseNotFound
from assistant.ingest.corpus import load_document
from assistant.ingest.provisions import Quantity, clause_provisions, provision_dict, provisions_of

DOCS = REPO_ROOT / "eval" / "docs"
BAOTOU = "baotou-keji-ruogan-cuoshi-2022"
CHIFENG = "chifeng-fuhuaqi-guanli-banfa-2023"
NMG = "nmg-kejiting-tongzhi-2024"


@pytest.fixture(scope="module")
def docs():
    found = {stem: load_document(DOCS / f"{stem}.txt") for stem in (BAOTOU, CHIFENG, NMG)}
    found["seed"] = load_document(REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt")
    return found


def _with(provisions, words: str):
    return [p for p in provisions if words in p.text]


# ---------------------------------------------------------------- every document


@pytest.mark.parametrize("name", ["seed", BAOTOU, CHIFENG, NMG])
def test_offsets_are_verbatim_and_fields_well_formed(docs, name):
    document = docs[name]
    provisions = provisions_of(document)
    assert provisions
    for p in provisions:
        clause = document.clause(p.ref.clause)
        assert p.text == clause.text[p.start:p.end]
        assert p.measure and p.measure in p.text
        assert p.verb in p.measure
        assert p.modality in {"support", "encourage", "require", "forbid", "restrict", "goal", "state"}
        assert p.departments == tuple(clause.departments)
        assert p.end <= len(clause.body)  # never inside the 责任单位 note
        assert "责任单位" not in p.text
        for q in p.quantities:
            assert clause.text[q.start:q.end] == q.text and q.text in q.phrase and q.phrase in p.text
            assert q.comparator in {">=", "<=", "="}
        for e in p.exceptions:
            assert e in p.text


@pytest.mark.parametrize("name", ["seed", BAOTOU, CHIFENG, NMG])
def test_preamble_is_part_zero_and_comes_first(docs, name):
    document = docs[name]
    provisions = provisions_of(document)
    assert document.preamble
    assert provisions[0].ref.clause == 0
    assert "".join(p.text for p in clause_provisions(document, 0)) in document.preamble
    assert [p.sentence for p in clause_provisions(document, 0)] == list(range(len(clause_provisions(document, 0))))


def test_computed_once_per_document(docs):
    assert provisions_of(docs["seed"]) is provisions_of(docs["seed"])
    with pytest.raises(ClauseNotFound):
        clause_provisions(docs["seed"], 99)


def test_provision_dict_is_json_ready(docs):
    p = clause_provisions(docs["seed"], 2)[2]
    data = json.loads(json.dumps(provision_dict(p), ensure_ascii=False))
    assert (data["doc_id"], data["clause"]) == ("neimenggu-gaoxinqu-2021", 2) and "ref" not in data
    assert data["quantities"][0]["text"] == "5家以上"


# ---------------------------------------------------------------- the seed


def test_targets_of_clause_two(docs):
    provisions = clause_provisions(docs["seed"], 2)
    five = [q for p in provisions for q in p.quantities if "国家级高新区" in q.phrase and q.unit == "家"]
    assert five == [Quantity(5.0, "家", "5家以上", five[0].start, five[0].end, ">=", "国家级高新区达到5家以上")]
    [owner] = [p for p in provisions if five[0] in p.quantities]
    assert owner.years == (2025,) and owner.modality == "goal" and "国家级" in owner.levels
    rate = next(q for p in provisions for q in p.quantities if q.text == "2.5%以上")
    assert (rate.value, rate.unit, rate.comparator) == (2.5, "%", ">=")
    # 到2025年 governs the clause's sentences up to 到2035年.
    [lean] = _with(provisions, "管理体制更加精简高效")
    assert lean.years == (2025,) and lean.modality == "goal"
    [later] = _with(provisions, "到2035年")
    assert later.years == (2035,)
    assert all(p.years == () for p in _with(provisions, "发展目标。"))


def test_each_measure_between_semicolons_is_its_own_provision(docs):
    provisions = clause_provisions(docs["seed"], 17)
    assert any(p.text.endswith("；") for p in provisions)
    [devolve] = _with(provisions, "全部下放国家级高新区")
    assert "除法律法规和国家有关文件规定不得下放的外" in devolve.exceptions
    assert devolve.modality != "forbid"  # the 不得 belongs to the exception
    assert {"自治区级", "盟市级", "国家级"} <= set(devolve.levels)
    assert not _with(provisions, "直通车制度")[0].text.startswith("推进")


def test_restrict_encourage_and_support(docs):
    [control] = _with(clause_provisions(docs["seed"], 22), "严格控制")
    assert control.modality == "restrict" and control.verb == "严格控制"
    assert control.measure == "严格控制高污染、高耗能、高排放企业入驻"
    assert control.exceptions == ("严格控制高污染、高耗能、高排放企业入驻",)
    [finance] = _with(clause_provisions(docs["seed"], 12), "鼓励金融机构")
    assert finance.modality == "encourage" and finance.measure.startswith("鼓励金融机构创新金融产品")
    assert {"金融机构", "高新技术企业"} <= set(finance.beneficiaries)
    [listing] = _with(clause_provisions(docs["seed"], 12), "挂牌上市")
    assert listing.modality == "support" and listing.beneficiaries == ("高新技术企业",)


def test_enterprise_support_names_its_beneficiaries(docs):
    provisions = clause_provisions(docs["seed"], 10)
    [tax] = _with(provisions, "所得税减免")
    assert tax.modality == "require" and tax.measure.startswith("要落实好研发费用加计扣除")
    assert "高新技术企业" in tax.beneficiaries and "小微企业" in tax.beneficiaries
    [founders] = _with(provisions, "支持科技人员")
    assert founders.modality == "support"
    assert {"科技人员", "科技型中小企业", "高新技术企业"} <= set(founders.beneficiaries)
    assert "企业" not in founders.beneficiaries  # the longer term wins


def test_places_and_departments_of_the_seed(docs):
    [zones] = _with(clause_provisions(docs["seed"], 3), "提质进位”行动")
    assert zones.places == ("呼和浩特市", "包头市", "鄂尔多斯市")
    assert zones.departments[0] == "自治区科技厅"
    assert all(p.departments == tuple(docs["seed"].clause(3).departments) for p in clause_provisions(docs["seed"], 3))


def test_no_provision_for_the_responsibility_note(docs):
    for clause in docs["seed"].clauses:
        texts = [p.text for p in clause_provisions(docs["seed"], clause.number)]
        assert len(texts) == len(clause.sentences)
        assert not any("责任" in t and "单位" in t for t in texts)


# ---------------------------------------------------------------- the evaluation documents


def test_baotou_amounts_and_caps(docs):
    provisions = clause_provisions(docs[BAOTOU], 1)
    [growth] = _with(provisions, "增量部分")
    assert growth.modality == "support" and growth.verb == "给予"
    by_text = {q.text: q for q in growth.quantities}
    assert by_text["200万元以上"].comparator == ">=" and by_text["200万元以上"].value == 200
    assert by_text["不低于3%"].comparator == ">="
    assert by_text["不超过100万元"].comparator == "<=" and by_text["不超过100万元"].unit == "万元"
    assert "规模以上工业企业" in growth.beneficiaries
    [fund] = _with(clause_provisions(docs[BAOTOU], 6), "引导基金")
    assert [(q.value, q.unit) for q in fund.quantities] == [(2.0, "亿元")]
    [award] = _with(clause_provisions(docs[BAOTOU], 2), "首次通过认定")
    assert [(q.value, q.unit, q.comparator) for q in award.quantities] == [(20.0, "万元", "=")]
    assert award.beneficiaries == ("高新技术企业",)


def test_chifeng_conditions_limits_and_bans(docs):
    conditions = clause_provisions(docs[CHIFENG], 4)
    quantities = {q.text: q for p in conditions for q in p.quantities}
    assert quantities["不少于15家"].value == 15 and quantities["不少于15家"].comparator == ">="
    assert quantities["满1年"].comparator == ">="
    assert quantities["不低于2000平方米"].unit == "平方米"
    [term] = _with(clause_provisions(docs[CHIFENG], 6), "原则上")
    assert term.modality == "restrict" and "原则上不超过48个月" in term.exceptions
    assert [q.comparator for q in term.quantities] == ["<=", "<="]
    [once] = _with(clause_provisions(docs[CHIFENG], 6), "不得")
    assert once.modality == "forbid" and once.quantities[0].value == 2  # 两个以上 → 2
    [again] = clause_provisions(docs[CHIFENG], 13)[1:]
    assert again.modality == "restrict" and again.exceptions == ("不再重复支持",)
    assert clause_provisions(docs[CHIFENG], 10)[2].levels == ("国家级",)


def test_nmg_thresholds_and_dates(docs):
    conditions = clause_provisions(docs[NMG], 1)
    [staff] = _with(conditions, "科技人员占企业")
    assert [(q.value, q.unit, q.comparator) for q in staff.quantities] == [(10.0, "%", ">=")]
    assert "科技人员" in staff.beneficiaries
    [small] = _with(conditions, "小于5000万元")
    assert ("小于5000万元", "<=") in [(q.text, q.comparator) for q in small.quantities]
    batches = clause_provisions(docs[NMG], 2)
    assert batches[0].years == (2024,)
    assert all(q.unit != "年" for p in batches for q in p.quantities)  # dates are not amounts
    [late] = _with(batches, "不予受理")
    assert late.modality == "forbid" and late.exceptions == ("不予受理",)
