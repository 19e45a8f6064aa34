"""Question analysis, routing, places, typos and quote spans — each mechanism on its own
questions (never the gold set's), including cases where it must say no."""

from __future__ import annotations

import pytest

from assistant.answering.analysis import analyze, doc_numbers_in, years_in
from assistant.answering.places import covers_place, foreign_places, places_named
from assistant.answering.routing import route
from assistant.answering.spans import fact_phrase, spans_of
from assistant.answering.typos import lexicon_for
from assistant.ingest.markers import clause_references, cn_to_int, int_to_cn
from assistant.retrieval.tokenization import base_jieba


def test_numerals_both_ways():
    assert [cn_to_int(x) for x in ("十二", "二十三", "一百零五", "一百亿", "-1")] == [12, 23, 105, 10**10, -1]
    assert [int_to_cn(n) for n in (1, 10, 12, 20, 105, 110)] == ["一", "十", "十二", "二十", "一百零五", "一百一十"]


def test_absurd_clause_references_are_kept_so_they_can_be_refused():
    assert clause_references("第-1条讲什么") == [-1]
    assert clause_references("第一百亿条") == [10**10]
    assert clause_references("第0条和第二十四条") == [0, 24]
    assert clause_references("没有条款编号") == []


def test_years_and_document_numbers():
    assert years_in("2030年的目标和二〇三五年") == ["2030", "2035"]
    assert years_in("到2025，研发投入") == ["2025"]
    assert years_in("增长15%") == []
    assert doc_numbers_in("内政发〔2021〕13号和京政发（2020）7 号") == ["内政发〔2021〕13号", "京政发（2020）7号"]


@pytest.mark.parametrize("question,kind,asked", [
    ("文号和成文日期分别是什么", "metadata", "metadata"),
    ("这份文件一共分几个部分", "structure", "section"),
    ("第三部分讲什么", "structure", "section"),
    ("第十二条讲什么", "clause", "clause"),
    ("第十二条由哪些部门负责", "responsibility", "department"),
    ("市场监管局是不是该条的责任单位？", "responsibility", "yes_no"),
    ("商务厅", "department", "list"),
    ("税务局负责哪些工作", "department", "list"),
    ("高新区研发投入强度要达到多少", "general", "number"),
    ("什么时候实现盟市全覆盖", "general", "date"),
    ("高新区可以建设人才公寓吗", "general", "yes_no"),
])
def test_kind_and_asked_type(fake_assistant, question, kind, asked):
    analysis = analyze(question, fake_assistant.corpus)
    assert (analysis.kind, analysis.asked) == (kind, asked)


def test_joint_departments_and_metadata_fields(fake_assistant):
    analysis = analyze("商务厅和发改委共同负责哪些工作", fake_assistant.corpus)
    assert analysis.department_mode == "and" and len(analysis.departments) == 2
    assert analyze("商务厅负责哪些工作", fake_assistant.corpus).department_mode == "or"
    assert analyze("印发日期和抄送机关是什么", fake_assistant.corpus).metadata_fields == ["printed_date", "copy_to"]


def test_eligibility_keeps_the_need(fake_assistant):
    analysis = analyze("我们是高新技术企业，想找银行贷款扩大生产线，有什么支持", fake_assistant.corpus)
    assert analysis.kind == "eligibility" and "贷款" in analysis.need
    assert analyze("作为高新技术企业能享受哪些政策", fake_assistant.corpus).need == ""


def test_places_as_words_and_in_english():
    assert places_named("上海和深圳的孵化器") == ["上海", "深圳"]
    assert places_named("What does Shenzhen offer, compared with Inner Mongolia?") == ["内蒙古", "深圳"]
    assert places_named("长治久安的营商环境") == []  # 长治 inside another word is no city


def test_place_scope_follows_jurisdiction(document):
    assert covers_place(document, "包头")  # a city inside the issuing region
    assert covers_place(document, "内蒙古")
    assert not covers_place(document, "深圳")  # named province elsewhere does not cover its cities
    assert foreign_places(["上海", "鄂尔多斯"], [document]) == ["上海"]


def test_typos_are_corrected_to_corpus_terms_only(corpus):
    lexicon = lexicon_for(corpus, base_jieba())
    assert lexicon.correct("敷化器归谁管") == {"敷化器": "孵化器"}
    assert lexicon.correct("人射厅负责什么") == {"人射厅": "人社厅"}
    assert lexicon.correct("哪个部门负责孵化器") == {}  # 哪个 is a word: 个部门 is not a typo
    assert lexicon.correct("天气怎么样") == {}


def test_routing_by_document_number_and_kind(fake_assistant):
    corpus = fake_assistant.corpus
    assert route("内政发〔2021〕13号讲什么", corpus).doc_ids == [corpus.documents[0].doc_id]
    assert route("高新区有哪些支持", corpus).doc_ids in ([], [corpus.documents[0].doc_id])


def test_spans_are_contiguous_and_merge_neighbours(document):
    clause = document.clause(2)
    spans = spans_of(clause, [0, 1, 3])
    for start, end in spans:
        assert clause.text[start:end]  # a real span of the clause text
    if len(clause.sentences) > 3:
        assert len(spans) == 2  # 0+1 merge, 3 stands alone


def test_fact_phrase_holds_the_number_and_the_asked_year():
    sentences = ["到2025年，国家级高新区达到5家以上，自治区级高新区实现盟市全覆盖。",
                 "到2035年，高新区经济发展实力大幅增强。"]
    assert fact_phrase("国家级高新区要达到几家", sentences, "number") == "国家级高新区达到5家以上"
    assert fact_phrase("2035年要达到什么", sentences, "date", ["2035"]).startswith("到2035年")


def test_which_ones_asks_for_a_list_not_a_number(fake_assistant):
    from assistant.answering.grounding import _listed_noun, asked_types

    assert "quantity" not in asked_types("有哪几类检测机构")
    assert "quantity" in asked_types("有几家检测机构")
    assert _listed_noun("有哪几类检测机构") == "检测机构"
    assert _listed_noun("评估机构有哪几家") == "评估机构"
    assert _listed_noun("有几家") == ""


def test_numbers_are_read_with_their_units():
    from assistant.answering.grounding import _quantities

    assert ("3", "年") in _quantities("取消资格三年内不能申报")
    assert ("2", "次") in _quantities("连续两次排名靠后")
    assert ("2.5", "%") in _quantities("到2025年强度达到2.5%以上")
    assert not any(n == "2025" for n, _ in _quantities("到2025年强度达到2.5%以上"))


def test_a_date_must_be_stated_about_what_is_asked():
    from assistant.answering.grounding import _typed_phrase_about
    from assistant.answering.spans import bigrams

    sentence = "对评价较差的高新区，要在2025年底前整改，整改后仍较差的取消其资格。"
    assert not _typed_phrase_about("time", "动态管理", sentence, bigrams("多久后可以重新申请"), set())
    assert _typed_phrase_about("time", "动态管理", sentence, bigrams("多久要完成整改"), set())
    opening = "到2030年，园区产值达到一百亿元。"
    assert _typed_phrase_about("time", "发展目标", opening, bigrams("园区产值哪年达到"), set())


def test_english_questions_are_glossed_with_document_terms():
    from assistant.answering.gloss import gloss, glossed_terms

    assert glossed_terms("Which universities get subsidies for incubators?") == ["高等院校", "补贴", "孵化器"]
    assert glossed_terms("Department of Education of Inner Mongolia") == []  # a body's name: the department lexicon's
    assert gloss("孵化器有哪些支持") == "孵化器有哪些支持"  # Chinese is left alone
    assert gloss("What about the weather?") == "What about the weather?"


@pytest.mark.parametrize("question,fields", [
    ("它是2021年几月几日出的？", ["signed_date"]),
    ("这个文件是公开发布的吗？", ["publication"]),
    ("这份意见是国务院印发的吗？", ["issuer"]),
])
def test_metadata_phrasings(question, fields):
    from assistant.answering.intent import metadata_fields

    assert metadata_fields(question) == fields


def test_structure_needs_the_documents_structure_not_any_structure(fake_assistant):
    corpus = fake_assistant.corpus
    assert analyze("调整经济结构的示范样板什么时候建成", corpus).kind != "structure"
    assert analyze("这个文件的结构是怎样的", corpus).kind == "structure"


def test_a_part_named_by_a_fragment_of_its_title(fake_assistant):
    corpus = fake_assistant.corpus
    assert analyze("讲体制机制改革的那部分有几条", corpus).section_refs == [7]  # 七、深化高新区体制机制改革
    assert analyze("讲高新区的那部分有几条", corpus).section_refs == []  # in every title: no one part
    assert analyze("讲天气预报的那部分有几条", corpus).section_refs == []


def test_yes_no_question_followed_by_context_is_still_yes_no(fake_assistant):
    assert analyze("高校老师能拿到成果所有权吗？我们想合作", fake_assistant.corpus).yes_no


def test_an_applicant_asking_a_number_is_not_an_eligibility_question(fake_assistant):
    from assistant.answering.intent import without_self_introduction

    analysis = analyze("我们是一家科技型中小企业，国家级高新区要达到几家？", fake_assistant.corpus)
    assert analysis.kind == "general" and analysis.asked == "number"
    assert analyze("我们是一家科技型中小企业，能申请什么支持？", fake_assistant.corpus).kind == "eligibility"
    assert without_self_introduction("我们是一家稀土企业，国家级高新区要达到几家？") == "国家级高新区要达到几家？"
    assert without_self_introduction("我们是一家企业，几家？") == "我们是一家企业，几家？"  # nothing left to ask


def test_typo_fixes_match_whole_words_of_the_corpus(corpus):
    fixes = lexicon_for(corpus, base_jieba()).correct("想带着科技成果到高新区创业")
    assert "到高新区" not in fixes  # sounds like the 导高新区 inside 引导高新区: no term


def test_the_need_is_what_follows_the_introduction():
    from assistant.answering.intent import need_of

    assert need_of("我是科研院所的研究员，想带着科技成果到高新区创业，政策支持吗？") == "想带着科技成果到高新区创业"
    assert need_of("我们是一家科技型中小企业，想找银行贷款，有什么政策？") == "想找银行贷款"


def test_short_document_numbers_resolve_to_the_corpus():
    from assistant.answering.analysis import doc_numbers_in

    known = ["内政发〔2021〕13号"]
    assert doc_numbers_in("查一下内政发13号文的落款日期", known) == ["内政发〔2021〕13号"]
    assert doc_numbers_in("内政发12号文讲了什么", known) == ["内政发12号"]


def test_a_date_is_asked_even_when_a_quantity_noun_names_what_is_dated(fake_assistant):
    assert analyze("研发投入强度目标要求哪年完成？", fake_assistant.corpus).asked == "date"
    assert analyze("研发投入强度要达到多少？", fake_assistant.corpus).asked == "number"


def test_question_framing_is_no_numeric_premise():
    from types import SimpleNamespace

    from assistant.answering.grounding import _unstated_numbers

    analysis = SimpleNamespace(text="分了两个阶段，分别对应哪两个年份？", doc_numbers=[], clause_refs=[])
    assert _unstated_numbers(analysis, [], [])[0] == []


def test_what_askers_say_about_themselves_is_no_premise():
    from types import SimpleNamespace

    from assistant.answering.grounding import _unstated_numbers, _without_descriptions

    assert _without_descriptions("我们是注册了三年的公司，八十来号人。想贷款，有支持吗？") == "有支持吗"
    assert _without_descriptions("免税五年的政策有吗") == "免税五年的政策有吗"
    analysis = SimpleNamespace(text="我们有几十家配套企业，想建共享平台", doc_numbers=[], clause_refs=[])
    assert _unstated_numbers(analysis, [], [])[0] == []  # 几十家 is vague and the asker's own


@pytest.mark.parametrize("question,fields", [
    ("这份文啥时候印出来发下去的？", ["printed_date"]),
    ("是15号签的、28号印的对吧？", ["signed_date", "printed_date"]),
    ("这个意见是第13号还是第15号？", ["doc_number"]),
    ("内政发〔2021〕13号是关于啥的？", ["title"]),
])
def test_more_metadata_phrasings(question, fields):
    from assistant.answering.intent import metadata_fields

    assert metadata_fields(question) == fields


def test_policy_dates_of_other_documents_are_not_this_documents_metadata(fake_assistant):
    corpus = fake_assistant.corpus
    assert analyze("2019年内蒙古出台的高新区管理办法有哪些规定？", corpus).kind != "metadata"
    assert analyze("各盟市要在什么时候之前出台人才政策？", corpus).kind != "metadata"


def test_everyday_words_are_read_as_the_documents_terms(corpus):
    lexicon = lexicon_for(corpus, base_jieba())
    assert lexicon.everyday_words("到2025年高企要占多少") == {"高企": "高新技术企业"}
    assert "园区" not in lexicon.everyday_words("园区有什么支持")  # the document uses 园区 itself


def test_english_yes_no_after_a_clause(fake_assistant):
    assert analyze("If a zone keeps failing, can it lose its status?", fake_assistant.corpus).yes_no


@pytest.mark.parametrize("question", ["文件支持不支持企业上市", "听说有税收减免，真的假的", "We are a startup. Does the policy let us pledge patents?"])
def test_more_yes_no_forms(fake_assistant, question):
    assert analyze(question, fake_assistant.corpus).yes_no


def test_two_digit_target_years_and_clause_numbers_in_brackets():
    from assistant.answering.analysis import normalize_numbers

    assert normalize_numbers("25年的时候要到几家") == "2025年的时候要到几家"
    assert normalize_numbers("3年内不能申报") == "3年内不能申报"
    assert clause_references("（二十一）主要写了什么") == [21]


def test_fifth_batch_forms(fake_assistant):
    corpus = fake_assistant.corpus
    assert clause_references("十五条主要讲啥呀") == [15]
    assert clause_references("这十五条措施") == []
    assert analyze("Which clauses fall under section five?", corpus).section_refs == [5]
    assert analyze("众创空间那条是哪几个部门负责的", corpus).kind == "responsibility"
    assert analyze("文件是以谁的名义发的", corpus).metadata_fields == ["issuer"]


def test_clause_frequency_counts_clauses_once_per_document(corpus):
    from assistant.answering.spans import clause_frequency, compact_text

    frequency, total = clause_frequency(corpus.documents)
    texts = [c.text for d in corpus.documents for c in d.clauses]
    assert total == len(texts)
    for gram in ("高新", "孵化", "稀土", "人才"):
        assert frequency(gram) == sum(gram in t for t in texts)
    assert " " not in compact_text(corpus.documents) and "内政发〔2021〕13号" in compact_text(corpus.documents)


def test_whole_unit_quotes_a_provision_whole_or_its_best_run_of_pieces():
    from assistant.answering.spans import coverage, whole_unit

    short = "对评价结果较差的高新区，要限期整改。"
    assert whole_unit(short, lambda u: 0) == "对评价结果较差的高新区，要限期整改"  # whole, without its 。
    long = ("到2025年，全区高新区创新能力明显提升，高新技术企业数量达到全区总数的45%以上，"
            "其中国家级高新区达到25%、自治区级高新区达到20%；")
    weights = {"创新": 1.0, "能力": 1.0}
    unit = whole_unit(long, lambda u: coverage(weights, u), cap=30)
    assert unit == "全区高新区创新能力明显提升"  # the shortest run covering most, never a cut piece
    at = long.index("45%")
    unit = whole_unit(long, lambda u: 0, (at, at + 3), cap=60)
    # the number keeps its whole phrase, and a breakdown (其中…) stays with its total
    assert unit == "高新技术企业数量达到全区总数的45%以上，其中国家级高新区达到25%、自治区级高新区达到20%"
    assert unit in long
