"""Grounded answers with the fake encoder: intents, contents, refusals, the JSON contract.

The fake encoder is weak at meaning, so these tests check mechanisms (department lists,
metadata, refusal rules, verbatim quotes) rather than semantic ranking; the real model's
quality is measured by the integration tests and the eval gate."""

from __future__ import annotations

import json
import re

import pytest

from assistant.answering.analysis import analyze
from assistant.answering.records import Answer, Citation
from assistant.retrieval.tokenization import to_simplified


def quote_problems(answer, corpus) -> list[str]:
    """Independent of the composer: each quote is its clause text at [start, end) and one
    contiguous span of the source file (whitespace removed on both sides)."""
    problems = []
    for citation in answer.citations + answer.related:
        doc = corpus.document(citation.doc_id)
        source = re.sub(r"\s+", "", open(doc.path, encoding="utf-8").read())
        clause = doc.clause(citation.clause)
        for quote in citation.quotes:
            if clause.text[quote.start:quote.end] != quote.text:
                problems.append(f"offsets: {quote.text[:30]}")
            if re.sub(r"\s+", "", quote.text) not in source:
                problems.append(f"not one span of the source: {quote.text[:30]}")
        if citation.quote != "……".join(q.text for q in citation.quotes):
            problems.append("quote is not the spans joined")
    return problems


def ask(fake_assistant, question) -> Answer:
    return fake_assistant.ask(question)


@pytest.mark.parametrize(
    "question,kind",
    [("孵化器建设归哪个部门管？", "responsibility"), ("人才引进由谁负责", "responsibility"),
     ("商务厅负责哪些工作？", "department"), ("发改委要干什么", "department"), ("交通厅负责哪几条？", "department"),
     ("我们是一家高新技术企业，可以享受哪些扶持？", "eligibility"), ("作为瞪羚企业有什么支持", "eligibility"),
     ("文件的文号是什么？", "metadata"), ("这份文件什么时候印发的", "metadata"), ("抄送给了哪些单位", "metadata"),
     ("第十二条讲什么？", "clause"), ("高新区的发展目标是什么", "general"),
     ("Which department is responsible for incubators?", "responsibility"),
     ("What is the Department of Commerce responsible for?", "department"),
     ("“管委会+公司”改革的责任单位是谁？", "responsibility")],
)
def test_intent(fake_assistant, question, kind):
    assert analyze(to_simplified(question), fake_assistant.corpus).kind == kind


def test_department_answer_is_complete(fake_assistant):
    answer = ask(fake_assistant, "发改委负责哪些工作？")
    assert answer.intent == "department" and not answer.refused
    assert [c.clause for c in answer.citations] == [5, 6, 8, 11, 13, 14, 15, 20]
    assert "自治区发展改革委" in answer.answer
    for citation in answer.citations:
        assert citation.title and citation.quote


def test_collective_unit_department(fake_assistant):
    answer = ask(fake_assistant, "各高新区管委会要做哪些工作")
    assert [c.clause for c in answer.citations] == [6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]


def test_responsibility_lists_departments_exactly(fake_assistant):
    answer = ask(fake_assistant, "科技企业孵化器建设归哪个部门管？")
    top = answer.citations[0]
    assert top.clause == 11
    assert top.departments == ["自治区科技厅", "自治区发展改革委", "自治区市场监管局"]
    assert "自治区科技厅、自治区发展改革委、自治区市场监管局" in answer.answer
    assert "孵化器" in top.quote


def test_responsibility_with_named_department(fake_assistant):
    answer = ask(fake_assistant, "科技企业孵化器建设是商务厅负责吗？")
    assert answer.citations[0].clause == 11
    assert "不包括：自治区商务厅" in answer.answer


def test_eligibility_groups_quotes_by_clause(fake_assistant):
    answer = ask(fake_assistant, "我们是一家高新技术企业，可以享受哪些扶持？")
    assert answer.intent == "eligibility"
    clauses = {c.clause for c in answer.citations}
    assert {10, 12} <= clauses
    for citation in answer.citations:
        assert all("高新技术企业" in s for s in citation.sentences)


@pytest.mark.parametrize("question,value", [("文号是多少", "内政发〔2021〕13号"), ("成文日期", "2021年10月15日"),
                                            ("这份文件什么时候印发的", "2021年10月28日"), ("发文机关是哪个", "内蒙古自治区人民政府")])
def test_metadata(fake_assistant, question, value):
    answer = ask(fake_assistant, question)
    assert answer.intent == "metadata" and value in answer.answer and not answer.refused


def test_clause_lookup_and_missing_clause(fake_assistant):
    answer = ask(fake_assistant, "第十二条讲什么？")
    assert answer.citations[0].clause == 12
    assert answer.citations[0].quote.startswith("强化科技金融服务。")
    missing = ask(fake_assistant, "第24条是什么")
    assert missing.refused and "没有第24条" in missing.answer and not missing.citations


@pytest.mark.parametrize(
    "question,reason",
    [("上海张江高新区有什么人才补贴政策？", "不涉及"), ("孵化器补贴多少万元？", "数额"),
     ("高新技术企业认定需要满足哪些条件？", "认定标准"), ("内蒙古自治区主席是谁？", "人员"), ("今天呼和浩特天气怎么样？", "实时")],
)
def test_refusals_say_why_and_offer_related_not_answers(fake_assistant, question, reason):
    answer = ask(fake_assistant, question)
    assert answer.refused and answer.intent == "out_of_scope"
    assert answer.answer.startswith("文件中没有关于这个问题的规定。") and reason in answer.answer
    assert answer.citations == []
    # Nearby clauses are offered when the question touched the document's topics at all.
    topical = reason not in ("人员", "实时")
    assert ("仅供参考" in answer.answer) == topical and bool(answer.related) == topical


def test_target_question_quotes_the_number(fake_assistant):
    answer = ask(fake_assistant, "到2025年国家级高新区要达到几家？")
    assert answer.citations[0].clause == 2
    assert "5家以上" in answer.citations[0].quote


@pytest.mark.parametrize("question", ["", "   ", "\x00\x01"])
def test_empty_question_is_an_error(fake_assistant, question):
    answer = ask(fake_assistant, question)
    assert answer.error and answer.refused and answer.intent == "invalid"


def test_long_question_truncated_with_notice(fake_assistant):
    answer = ask(fake_assistant, "人才公寓" * 3000)
    assert "问题过长" in answer.notice and len(answer.question) == 500


def test_json_contract(fake_assistant):
    data = json.loads(json.dumps(ask(fake_assistant, "科技金融服务").to_dict(), ensure_ascii=False))
    for key in ("question", "answer", "refused", "intent", "citations"):
        assert key in data
    citation = data["citations"][0]
    for key in ("doc_id", "doc_title", "clause", "label", "title", "quote", "departments", "score"):
        assert key in citation
    assert isinstance(citation["clause"], int) and isinstance(citation["departments"], list)
    assert set(Citation.__dataclass_fields__) >= set(citation)


@pytest.mark.parametrize("question", [
    "到2025年国家级高新区要达到几家？", "科技金融有哪些支持", "人才公寓", "第五条讲什么", "商务厅负责哪些工作",
    "我们是高新技术企业，想贷款扩大生产，有什么支持", "高新区管委会能不能自己招人", "上海有什么补贴",
    "文件的前言说了什么", "第三部分有哪几条"])
def test_quotes_are_contiguous_spans_of_the_source(fake_assistant, question):
    answer = ask(fake_assistant, question)
    assert not quote_problems(answer, fake_assistant.corpus), question


def test_quote_check_catches_a_splice(fake_assistant):
    """The check above must be able to fail: two non-adjacent sentences joined as one quote."""
    from assistant.answering.records import Quote

    answer = ask(fake_assistant, "第二条讲什么")
    clause = fake_assistant.document.clause(2)
    spliced = clause.sentences[0] + clause.sentences[2]
    answer.citations[0].quotes = [Quote(spliced, 0, len(spliced))]
    answer.citations[0].quote = spliced
    assert quote_problems(answer, fake_assistant.corpus)


@pytest.mark.parametrize("question", ["第-1条讲什么", "第0条", "第一百亿条讲什么", "第二十四条是什么", "第一千条的责任单位是谁"])
def test_absurd_clause_references_are_refused(fake_assistant, question):
    answer = ask(fake_assistant, question)
    assert answer.refused and "文件没有" in answer.answer and not answer.citations


@pytest.mark.parametrize("question", ["的了吗", "？？？", "请问"])
def test_no_content_words_gets_a_clarification(fake_assistant, question):
    answer = ask(fake_assistant, question)
    assert answer.refused and answer.intent == "clarify" and "请具体说明" in answer.answer


@pytest.mark.parametrize("question,start", [
    ("推行全员聘任制度，公务员也在内吗？", "否"),  # 除公务员以外
    ("高耗能企业入驻高新区会受欢迎吗？", "否"),  # 严格控制…高耗能…企业入驻
    ("高新技术企业数量目标是占全区总数的一半以上吗？", "否"),  # 45%
    ("呼包鄂自创区是依托赤峰高新区建的吗？", "否"),  # 呼和浩特、包头、鄂尔多斯
])
def test_yes_no_is_decided_by_what_the_text_says_against_the_question(fake_assistant, question, start):
    answer = fake_assistant.ask(question)
    assert answer.direct.startswith(start), answer.direct


def test_a_premise_with_content_the_document_lacks_is_refused(fake_assistant):
    answer = fake_assistant.ask("既然文件要求管委会全部改制成国有公司，人员编制怎么办")
    assert answer.refused and "改制" in answer.direct
    kept = fake_assistant.ask("文件里提到的绿色通道怎么走")  # the premise is the document's: answered
    assert not kept.refused


def test_a_metadata_premise_the_document_contradicts_is_corrected(fake_assistant):
    answer = fake_assistant.ask("这个文件是2019年发布的，现在还有效吗？")
    assert answer.refused and "2019年" in answer.direct and "2021年10月15日" in answer.direct
    assert not fake_assistant.ask("这是2021年发的吧，文号是多少").refused


def test_a_wrong_lead_department_premise_is_corrected(fake_assistant):
    answer = fake_assistant.ask("呼包鄂自创区是由教育厅牵头的，教育厅要做哪些事？")
    assert answer.refused and "与文件不符" in answer.direct and "自治区科技厅" in answer.direct


@pytest.mark.parametrize("question", ["人才公寓是免费给人才住的吗？", "孵化器是不是免房租？", "定期评价是每年评一次吗？"])
def test_a_property_the_text_never_states_is_not_confirmed(fake_assistant, question):
    answer = fake_assistant.ask(question)
    assert answer.refused, answer.direct


def test_an_applicants_own_numbers_do_not_refuse_the_question(fake_assistant):
    answer = fake_assistant.ask("我们是一家民营企业，公司50人，账上有5000万，想投资建设高新区基础设施，文件支持吗？")
    assert not answer.refused, answer.direct


def test_verifying_what_the_document_says_about_a_place_or_list(fake_assistant):
    answer = fake_assistant.ask("文件是不是说人才飞地要建在上海？")
    assert answer.direct.startswith("否") and "北京" in answer.direct
    answer = fake_assistant.ask("听说呼包鄂自创区是靠赤峰、通辽两个高新区建的，对不对？")
    assert answer.direct.startswith("否"), answer.direct
    assert fake_assistant.ask("上海的高新区有没有人才公寓？").refused  # another place's policy


def test_yes_no_on_another_administrative_level_or_list_field(fake_assistant):
    answer = fake_assistant.ask("自治区级高新区也能申请扩大区域范围吗？")
    assert answer.direct.startswith("否") and "国家级" in answer.direct, answer.direct
    answer = fake_assistant.ask("自治区各委、办、厅、局是抄送单位吗？")
    assert answer.direct.startswith("否") and "主送" in answer.direct


@pytest.mark.parametrize("question,start", [
    ("教育厅要对第十一条负责吗", "否"),
    ("这份意见带不带附件", "否"),
    ("抄送名单里有法院吗", "是"),
    ("抄送名单里有海关吗", "否"),
])
def test_yes_no_on_named_clauses_and_metadata(fake_assistant, question, start):
    answer = fake_assistant.ask(question)
    assert answer.direct.startswith(start) and not answer.refused, answer.direct


@pytest.mark.parametrize("question,start", [
    ("第二条的目标是不是只定到2025年？", "否"),
    ("最后一个部分有几条", "第八部分"),
    ("文件末尾负责印发的机构全称是什么", "印发机关"),
])
def test_fifth_batch_answers(fake_assistant, question, start):
    answer = fake_assistant.ask(question)
    assert answer.direct.startswith(start), answer.direct


def test_other_documents_and_places_are_refused_for_structure_questions(fake_assistant):
    assert fake_assistant.ask("国发〔2020〕7号那个国务院文件全文有哪几条").refused
    assert fake_assistant.ask("宁夏出台的实施意见有哪些条款").refused
    assert not fake_assistant.ask("开头引用的国发〔2020〕7号是哪年的文件").refused


@pytest.mark.parametrize("question,year", [("远期目标定到哪一年", "2035"), ("中期目标定在哪一年", "2025")])
def test_a_stage_of_the_targets_is_its_target_year(fake_assistant, question, year):
    from assistant.answering.analysis import analyze
    from assistant.answering.grounding import ground

    # The target clause ranked fourth (the fake encoder ranks it lower still): it answers first.
    hits = fake_assistant.retriever.search(question, k=23)
    target = next(h for h in hits if h.clause == 2)
    hits = [h for h in hits if h is not target][:3] + [target]
    documents = fake_assistant.corpus.documents
    tokens = fake_assistant.retriever.sparse.tokenizer(question)
    result = ground(analyze(question, fake_assistant.corpus), hits, documents, tokens, documents)
    assert result.covered and result.hits[0].clause == 2


@pytest.mark.parametrize("question", ["对瞪羚企业和独角兽企业有什么扶持？", "评价结果较差的高新区会怎样处理？",
                                      "国家级高新区要达到几家？", "高耗能企业能随便入驻高新区吗？"])
def test_direct_quotes_whole_units_never_a_cut_fragment(fake_assistant, question):
    from assistant.answering.spans import SPAN_CAP

    answer = ask(fake_assistant, question)
    quotes = re.findall(r"“([^“”]+)”", answer.direct)
    assert quotes and not answer.refused, answer.direct
    texts = [fake_assistant.corpus.document(c.doc_id).clause(c.clause).text for c in answer.citations]
    for quote in quotes:
        holder = next((t for t in texts if quote in t), None)
        assert holder is not None, quote  # verbatim, one contiguous span of a cited clause
        start = holder.find(quote)
        end = start + len(quote)
        # it begins and ends where a phrase does: never mid-phrase, never mid-enumeration
        assert start == 0 or holder[start - 1] in "，。；：,;:\n ", quote
        assert end == len(holder) or holder[end] in "，。；：,;:\n ", quote
        assert len(quote) <= SPAN_CAP
