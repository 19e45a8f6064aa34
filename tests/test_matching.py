"""The support matcher (issue 20): profiles from text, matching against the documents'
provisions, the CLI JSON shape, the chat route and the exports. Fake encoder, no model."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.config import REPO_ROOT
from assistant.ingest.corpus import load_corpus
from assistant.ingest.provisions import provisions_of
from assistant.matching.matcher import match_profile, match_text
from assistant.matching.profile import parse_profile

BAOTOU = "baotou-keji-ruogan-cuoshi-2022"
CHIFENG = "chifeng-fuhuaqi-guanli-banfa-2023"
REGION = "neimenggu-gaoxinqu-2021"


@pytest.fixture(scope="module")
def all_docs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("match-corpus")
    for path in list((REPO_ROOT / "corpus").glob("*.txt")) + list((REPO_ROOT / "eval" / "docs").glob("*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def documents(all_docs):
    return load_corpus(all_docs).documents


def refs(outcome):
    return {(r.doc_id, r.clause) for r in outcome.results}


# ---------------------------------------------------------------- profile

def test_profile_types_place_industry_stage_and_facts_apart():
    p = parse_profile("本公司位于乌海，主营新能源储能设备，属于科技型中小企业，注册三年了，职工有65人，年营收4000万元")
    assert p.types == ["科技型中小企业"]
    assert p.city == "乌海" and p.province == "内蒙古" and not p.outside
    assert "新能源" in p.industries
    assert p.facts["员工"] == 65 and p.facts["成立月数"] == 36 and p.facts["营业收入万元"] == 4000
    assert p.stage.startswith("初创期")
    # Facts are shown back as facts, not as conditions.
    assert "理解为：" in p.understood and "不作为条件" in p.understood and "乌海市" in p.understood


def test_profile_zone_gives_city_and_level():
    p = parse_profile("我们单位是鄂尔多斯高新区管委会")
    assert p.types == ["高新区管委会"]
    assert p.city == "鄂尔多斯" and p.zone == "鄂尔多斯国家级高新区" and p.level == "国家级"


def test_profile_level_of_an_incubator_and_aims():
    p = parse_profile("赤峰有一家自治区级众创空间，就是我们")
    assert p.types == ["众创空间"] and p.level == "自治区级" and p.city == "赤峰"
    q = parse_profile("我们在包头，还不是高新技术企业，打算明年申报")
    assert "高新技术企业" not in q.types and "高新技术企业" in q.aims


def test_profile_outside_the_region_and_nothing_recognised():
    assert parse_profile("我们是一家杭州的高企").outside == "杭州市"
    assert parse_profile("今天天气不错").empty


# ---------------------------------------------------------------- matching

def test_baotou_enterprise_gets_baotou_and_regional_measures(documents):
    out = match_text("包头九原区一家去年首次认定的高企，想知道有什么支持", documents)
    got = refs(out)
    assert (BAOTOU, 2) in got  # 首次通过认定的高新技术企业 20万元
    assert (REGION, 12) in got  # 支持高新技术企业挂牌上市
    assert not any(d == CHIFENG for d, _ in got)
    second = next(r for r in out.results if (r.doc_id, r.clause) == (BAOTOU, 2))
    assert second.departments[:2] == ["市科技局", "市财政局"]
    assert any(c.status == "met" and "首次通过认定" in c.text for c in second.conditions)
    assert any("20万元" in a for a in second.amounts)
    for r in out.results:  # quotes are verbatim spans of the clause
        clause = next(d for d in documents if d.doc_id == r.doc_id).clause(r.clause)
        assert all(clause.text[q["start"]:q["end"]] == q["text"] for q in r.quotes)


def test_chifeng_applicant_does_not_get_baotou_measures(documents):
    out = match_text("我们是赤峰的一家市级科技企业孵化器", documents)
    got = refs(out)
    assert not any(d == BAOTOU for d, _ in got)
    assert (CHIFENG, 10) in got and (CHIFENG, 12) in got
    ten = next(r for r in out.results if r.clause == 10 and r.doc_id == CHIFENG)
    assert any(c.text.startswith("市级") and c.status == "met" for c in ten.conditions)


def test_goals_duties_and_bans_never_listed(documents):
    by_id = {d.doc_id: d for d in documents}
    for text in ("我们是通辽高新区管委会", "包头的高新技术企业", "赤峰的孵化器", "呼和浩特的科研人员",
                 "鄂尔多斯的初创团队"):
        out = match_text(text, documents)
        for r in out.results:
            listed = [p for p in provisions_of(by_id[r.doc_id]) if p.ref.clause == r.clause
                      and any(q["start"] == p.start for q in r.quotes)]
            assert listed and all(p.modality not in ("goal", "forbid", "restrict") for p in listed), r.heading
        assert (REGION, 2) not in refs(out)  # 发展目标
        assert (REGION, 1) not in refs(out)  # 指导思想


def test_a_newly_approved_level_is_not_for_a_zone_that_already_has_it(documents):
    got = refs(match_text("我们是乌海高新区管委会，想了解能得到哪些支持", documents))  # 自治区级 already
    assert (REGION, 4) not in got  # 对新获批的自治区级高新区


def test_regional_national_zone_measure_not_for_a_regional_level_zone(documents):
    out = match_text("我们是阿拉善高新区管委会", documents)  # 自治区级
    three = next((r for r in out.results if (r.doc_id, r.clause) == (REGION, 3)), None)
    if three is not None:  # only the 新获批 sentence, as an unknown condition
        assert all("可享受" not in q["text"] for q in three.quotes)


def test_empty_profile_and_outside_place_get_an_empty_result_with_a_message(documents):
    empty = match_text("请问一下", documents)
    assert empty.empty and "没有识别出申请主体" in empty.message
    outside = match_text("我们是一家深圳的科技型中小企业", documents)
    assert outside.empty and "深圳" in outside.message
    nothing = match_profile(parse_profile("包头的金融机构"), [d for d in documents if d.doc_id == CHIFENG])
    assert nothing.empty and nothing.message


NOTICE = "nmg-kejiting-tongzhi-2024"


def test_a_condition_list_is_only_for_an_applicant_seeking_that_status(documents):
    # The 高企 notice's 申报条件: for an enterprise that wants recognition and is old enough.
    seeking = refs(match_text("乌海一家做储能电池的科技型中小企业，注册快三年了，明年打算申报高新技术企业", documents))
    assert (NOTICE, 1) in seeking
    already = refs(match_text("我们是乌海的一家高新技术企业，有什么支持", documents))
    assert (NOTICE, 1) not in already
    too_young = refs(match_text("乌海一家刚注册5个月的软件公司，准备申报高新技术企业", documents))
    assert (NOTICE, 1) not in too_young
    # An incubator's recognition conditions: not for an enterprise inside one.
    inside = refs(match_text("我们公司入驻了赤峰一家孵化器，做智能农机的", documents))
    assert (CHIFENG, 4) not in inside and (CHIFENG, 10) not in inside


def test_a_generic_enterprise_gets_no_measure_for_a_named_kind(documents):
    got = refs(match_text("我们是包头一家做铸件的企业", documents))
    assert (BAOTOU, 2) not in got  # 高新技术企业 / 科技型中小企业
    assert (BAOTOU, 1) not in got  # 规模以上工业企业
    assert (REGION, 7) not in got  # 园区内骨干企业
    assert (BAOTOU, 5) not in got  # 对企业柔性引进…的高层次人才: for the talent's employer that did so


def test_the_applicant_place_is_the_first_named_unless_it_moves(documents):
    assert parse_profile("我们是成都的一家孵化器，听人说包头奖励孵化器，想问问").outside == "成都市"
    assert match_text("广州的软件企业，在内蒙古目前还没有业务", documents).empty
    moved = parse_profile("公司以前在西安，去年整体迁到了鄂尔多斯，是高新技术企业")
    assert moved.city == "鄂尔多斯" and not moved.outside
    branch = parse_profile("总部在杭州的一家企业，在乌海注册了子公司")
    assert branch.city == "乌海" and not branch.outside


def test_zone_bound_measures_need_a_zone_when_the_place_is_named(documents):
    outside_zone = refs(match_text("包头青山区的一家科技型中小企业", documents))
    assert (REGION, 8) not in outside_zone  # 支持高新区企业…
    in_zone = refs(match_text("包头稀土高新区的一家科技型中小企业", documents))
    assert (REGION, 10) in in_zone
    # 在高新区内创新创业 says where to act, not who: a researcher elsewhere may go there.
    assert (REGION, 10) in refs(match_text("巴彦淖尔的一名科研人员，想带着成果创业", documents))


def test_support_addressed_to_a_zone_is_not_for_its_residents(documents):
    got = refs(match_text("我是从海外回到鄂尔多斯工作的博士", documents))
    assert (REGION, 22) not in got  # 支持高新区…建设人才公寓
    assert (REGION, 9) not in got  # 支持高新区创建示范区…培育专业人才


def test_founding_an_incubator_is_for_whoever_founds_or_runs_one(documents):
    plain = refs(match_text("鄂尔多斯高新区一家高新技术企业", documents))
    assert (REGION, 11) not in plain
    founder = refs(match_text("我们大学想在包头稀土高新区建一个众创空间", documents))
    assert (REGION, 11) in founder
    # 重点支持国家级、自治区级…: a priority, not a bar for a city-level carrier.
    assert (REGION, 11) in refs(match_text("我们在乌海高新区运营一家市级众创空间", documents))


def test_the_applicant_is_the_first_kind_named_not_its_partners():
    p = parse_profile("包头一家电机企业，准备与一所高校合作开发新产品")
    assert p.types == ["企业"]
    q = parse_profile("我是通辽一家研究所的研究员")
    assert q.types == ["科技人员"]
    r = parse_profile("我们公司在赤峰办了个孵化器，现在有12家在孵企业")
    assert r.types == ["科技企业孵化器"]
    assert parse_profile("我在赤峰一家超市做出纳").families == {"person"}


def test_a_duty_naming_the_applicants_own_place_supports_it(documents):
    got = refs(match_text("我们是呼伦贝尔市政府，想争取创建自治区级高新区", documents))
    assert (REGION, 4) in got


def test_startups_and_service_firms(documents):
    start = parse_profile("刚在通辽高新区注册了一家公司，成立三个月")
    assert start.types == ["创业团队、初创企业"]
    assert (REGION, 10) in refs(match_text("刚在通辽高新区注册了一家公司，成立三个月", documents))
    # A bare 企业 (建设重点实验室, 承担重大科技计划项目) is not addressed to a startup.
    got = refs(match_text("刚在通辽高新区注册了一家公司，成立三个月", documents))
    assert (REGION, 6) not in got and (REGION, 8) not in got
    service = parse_profile("呼和浩特一家做科技咨询的公司")
    assert service.types == ["科技服务机构"]
    assert (REGION, 11) in refs(match_profile(service, documents))


def test_a_measure_for_a_thing_goes_to_whoever_holds_or_seeks_it(documents):
    # 对…发明专利给予资助 names no beneficiary: an applicant with an invention patent gets it.
    person = refs(match_text("我是包头的一名研究员，自己名下有一件发明专利去年授权", documents))
    assert (BAOTOU, 7) in person
    # 对…知识产权质押贷款给予贴息: strictly, only for an applicant with such a loan.
    no_loan = refs(match_text("包头一家科技型中小企业，有几项实用新型专利", documents))
    assert (BAOTOU, 6) not in no_loan
    loan = refs(match_text("包头一家科技型中小企业，想用发明专利做质押贷款", documents))
    assert (BAOTOU, 6) in loan
    # 对新建成的中试基地给予补助: an applicant that says it builds one.
    assert (BAOTOU, 4) in refs(match_text("我们是包头一所高校，正在筹建一个冶金中试基地", documents))
    assert (BAOTOU, 4) not in refs(match_text("我们是包头一所高校", documents))
    lender = refs(match_text("包头的一家农商银行", documents))
    assert (BAOTOU, 6) in lender  # the bank is encouraged outside the 对…贷款 target


def test_qualified_kinds_moving_in_and_recognition_preferences(documents):
    # 国际知名高等院校 / 有实力的企业 / 骨干企业: only for an applicant that claims the quality.
    plain = refs(match_text("我们学校是鄂尔多斯高新区里的职业学院", documents))
    assert (REGION, 16) not in plain
    strong = refs(match_text("鄂尔多斯高新区一家很有实力的化工企业，想搞国际科技合作", documents))
    assert (REGION, 16) in strong
    # 引进…高新技术企业落地园区: for one that moves in, not one already there.
    staying = refs(match_text("包头一家高新技术企业，一直在包头经营", documents))
    assert (REGION, 10) not in staying
    # 同等条件下优先认定 is part of a recognition: only for an applicant seeking it.
    carrier = refs(match_text("我们在赤峰运营一家市级科技企业孵化器，已经认定三年了", documents))
    assert (CHIFENG, 5) not in carrier


# ---------------------------------------------------------------- interfaces

def test_cli_match_json_shape(all_docs, monkeypatch):
    from click.testing import CliRunner

    from assistant.cli import cli

    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(all_docs))
    result = CliRunner().invoke(cli, ["match", "--json", "包头一家科技型中小企业，想问能享受哪些政策"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"profile", "measures", "message"}
    assert data["profile"]["types"] == ["科技型中小企业"]
    first = data["measures"][0]
    assert set(first) >= {"doc_id", "clause", "heading", "measure", "quotes", "for", "conditions", "departments"}
    assert all(set(q) == {"text", "start", "end"} for q in first["quotes"])
    assert all(c["status"] in ("met", "not_met", "unknown") for m in data["measures"] for c in m["conditions"])
    only = CliRunner().invoke(cli, ["match", "--json", "--doc", BAOTOU, "包头一家科技型中小企业"])
    assert {m["doc_id"] for m in json.loads(only.output)["measures"]} == {BAOTOU}
    text = CliRunner().invoke(cli, ["match", "什么也没说"])
    assert text.exit_code == 0 and "没有识别出申请主体" in text.output


def test_excel_and_markdown_export(documents, tmp_path):
    from openpyxl import load_workbook

    from assistant.matching.export import COLUMNS, to_excel, to_markdown

    out = match_text("包头的高新技术企业", documents)
    path = to_excel(out, tmp_path / "m.xlsx")
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[3]] == list(COLUMNS)
    assert sheet.max_row == 3 + len(out.results)
    assert "理解为" in to_markdown(out) and out.results[0].heading in to_markdown(out)


def test_chat_routes_a_profile_question_to_the_matcher(fake_assistant):
    answer, conv = fake_assistant.chat("我们是包头的一家高新技术企业，可以享受哪些政策？")
    assert answer.analysis.get("matcher") and answer.citations
    assert answer.answer.splitlines()[2].startswith("1. ")
    assert all(c.doc_id == REGION for c in answer.citations)  # the seed corpus has the regional document only
    later, _ = fake_assistant.chat("那我们还能申请哪些支持？", conv)  # the profile said earlier is used
    assert later.analysis.get("matcher"), later.understood_as
    plain = fake_assistant.chat("孵化器建设归哪个部门管？")[0]
    assert not plain.analysis.get("matcher")


def test_scorer(tmp_path, documents):
    from assistant.evaluation.matching import evaluate_profiles

    class Bot:
        def match(self, text):
            return match_text(text, documents)

    gold = [{"pid": "a", "profile": "包头的高新技术企业，首次认定", "group": "g", "must": [{"doc_id": BAOTOU, "clause": 2}],
             "may": [], "must_not": [{"doc_id": CHIFENG, "clause": 10}], "benefits": ["20万元"], "empty": False},
            {"pid": "b", "profile": "我们是广州的银行", "group": "g", "must": [], "may": [], "must_not": [],
             "benefits": [], "empty": True}]
    path = tmp_path / "profiles_dev.jsonl"
    path.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in gold), encoding="utf-8")
    metrics = evaluate_profiles(Bot(), path)
    assert metrics["match.must_recall"] == 1.0
    assert metrics["match.must_not_rate"] == 0.0
    assert metrics["match.empty_accuracy"] == 1.0
    assert 0 < metrics["match.precision"] < 1.0  # only 第二条 is in must ∪ may
    assert metrics["match.benefits"] == 1.0
