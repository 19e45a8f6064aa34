"""The optional LLM step: the pure sentence check, and Assistant.ask against a fake
OpenAI-compatible server on loopback (fake encoder, no model)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from assistant.config import Settings
from assistant.integrations.llm_rephrase import (chinese_number, clean_paragraph, numbers, sentence_support,
                                                 verify)
from tests.doubles import FakeLLMServer

SPAN = ("《内蒙古自治区人民政府关于促进高新技术产业开发区高质量发展的实施意见》（内政发〔2021〕13号）"
        "第（十二）条 强化科技金融服务：支持高新技术企业挂牌上市，借力多层次资本市场加快发展。"
        "（责任单位：自治区地方金融监管局、自治区财政厅、自治区科技厅、人民银行呼和浩特中心支行、内蒙古银保监局、内蒙古证监局）")
GOAL = "第（二）条 发展目标：到2025年，国家级高新区达到5家以上，自治区级高新区研发投入强度达到1.5%以上。"
DIRECT = "第（十二）条 强化科技金融服务 的责任单位是：自治区地方金融监管局、自治区财政厅。"
NAMES = {"发改委": ["自治区发展改革委"], "地方金融监管局": ["自治区地方金融监管局"], "教育厅": ["自治区教育厅"]}
QUESTION = "科技金融服务的责任单位有哪些？"


# ----------------------------------------------------------------------------- pure checks

def test_chinese_numbers_and_number_readings():
    assert chinese_number("十二") == 12 and chinese_number("两千三百") == 2300
    assert chinese_number("五千万") == 50_000_000 and chinese_number("二〇二五") == 2025
    assert chinese_number("科技") is None
    assert numbers("5000万元") == [{"5000", "50000000"}]
    assert numbers("五千万元") == [{"50000000", "5000"}]
    assert numbers("第（十二）条，5家以上，2.5%") == [{"5"}, {"2.5"}, {"12"}]
    assert numbers("统一规划，进一步加强") == []  # 一 inside words is no number


@pytest.mark.parametrize("paragraph", [
    "科技金融服务由自治区地方金融监管局、财政厅、科技厅等单位负责。",
    "第12条支持高新技术企业挂牌上市，借力多层次资本市场加快发展。",
    "根据第十二条，地方金融监管局和内蒙古证监局都是责任单位。",
])
def test_faithful_rephrasings_are_kept(paragraph):
    verdict = verify(paragraph, [SPAN], DIRECT, NAMES)
    assert verdict.kept, verdict.unsupported


@pytest.mark.parametrize("paragraph, missing", [
    ("科技金融服务由自治区地方金融监管局和教育厅负责。", "教育厅"),          # a department the span lacks
    ("科技金融服务由发改委负责。", "发改委"),                              # an alias of one it lacks
    ("科技金融服务由自治区工信厅负责。", "工信厅"),                         # an organ not in any lexicon
    ("科技金融服务由自治区地方金融监管局牵头。", "牵头"),                   # a role the text never states
    ("根据第十三条，责任单位是自治区财政厅。", "第十三条"),                  # another clause
    ("符合条件的企业可获得500万元补贴。", "500"),                          # a number
    ("责任单位包括地方金融监管局等六个单位。", "6"),                        # a count the text never states
    ("这项政策非常好，值得企业申请。", "措辞"),                             # wording from nowhere
    ("文件不支持高新技术企业挂牌上市。", "不支"),                           # a negation
    ("《关于科技金融的若干措施》规定支持高新技术企业挂牌上市。", "《关于科技金融的若干措施》"),
])
def test_unsupported_sentences_are_caught(paragraph, missing):
    verdict = verify(paragraph, [SPAN], DIRECT, NAMES)
    assert not verdict.kept
    assert any(missing in m for u in verdict.unsupported for m in u["missing"]), verdict.unsupported


def test_each_sentence_needs_one_span_that_holds_all_of_it():
    # 2025 and 自治区科技厅 are each in some span, but no one span holds both.
    sentence = "到2025年，自治区科技厅负责科技金融服务。"
    assert not sentence_support(sentence, [SPAN, GOAL], NAMES).supported
    assert sentence_support("到2025年，国家级高新区达到5家以上。", [SPAN, GOAL], NAMES).span == 1
    # One good sentence does not carry a bad one.
    verdict = verify("国家级高新区达到5家以上。到2030年达到10家。", [GOAL])
    assert not verdict.kept and [u["sentence"] for u in verdict.unsupported] == ["到2030年达到10家。"]


def test_yes_no_must_agree_with_the_direct_answer():
    direct = "否。根据第（二）条 发展目标：“国家级高新区达到5家以上”。"
    assert not verify("是的，国家级高新区达到5家以上。", [GOAL], direct).kept
    assert verify("否，文件说国家级高新区达到5家以上。", [GOAL], direct).kept
    assert not verify("国家级高新区达到5家以上。", [GOAL], direct).kept  # the 否 was dropped
    assert not verify("是的，国家级高新区达到5家以上。", [GOAL], "第（二）条 发展目标。").kept


def test_paragraph_shape_limits():
    assert verify("", [SPAN]).reason == "改写为空"
    assert not verify("Sure, here is the answer.", [SPAN]).kept
    assert "过长" in verify("支持高新技术企业挂牌上市。" * 40, [SPAN]).reason
    assert "没有可核对的引文" in verify("支持高新技术企业挂牌上市。", []).reason
    assert clean_paragraph("**答：**\n- 支持 企业\n<think>x</think>") == "答：支持企业"


# ----------------------------------------------------------------------------- through Assistant.ask

@pytest.fixture
def with_llm(fake_assistant):
    def make(server, timeout=10.0):
        settings = fake_assistant.settings.with_(llm_url=server.url, llm_model="fake-model", llm_timeout=timeout)
        return dataclasses.replace(fake_assistant, settings=settings)
    return make


def test_settings_read_the_llm_from_the_environment(monkeypatch):
    assert Settings().llm_url == "" and not Settings().llm_enabled
    monkeypatch.setenv("ASSISTANT_LLM_URL", " http://127.0.0.1:11434/v1 ")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "qwen2.5:3b")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "12.5")
    monkeypatch.setenv("ASSISTANT_LLM_KEY", "secret")
    settings = Settings.from_env()
    assert (settings.llm_url, settings.llm_model, settings.llm_timeout) == ("http://127.0.0.1:11434/v1", "qwen2.5:3b", 12.5)
    assert "secret" not in repr(settings)
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "soon")
    assert Settings.from_env().llm_timeout == 30.0


def test_without_an_llm_nothing_changes(fake_assistant):
    answer = fake_assistant.ask(QUESTION)
    assert "llm" not in answer.analysis and "语言模型" not in answer.notice + answer.answer


def test_a_faithful_rephrasing_is_shown_and_labelled(fake_assistant, with_llm):
    plain = fake_assistant.ask(QUESTION)
    with FakeLLMServer(reply=lambda m: "科技金融服务由自治区地方金融监管局、财政厅、科技厅等单位负责。") as server:
        answer = with_llm(server).ask(QUESTION)
    assert answer.analysis["llm"]["kept"] is True and answer.analysis["llm"]["model"] == "fake-model"
    assert answer.answer.startswith("科技金融服务由自治区地方金融监管局")
    assert answer.answer.endswith(plain.answer)  # the quoted evidence stays below
    assert "语言模型改写" in answer.notice and answer.citations == plain.citations
    request = server.requests[0]
    assert request["model"] == "fake-model" and request.get("temperature", 0) == 0
    prompt = str(request["messages"])
    assert QUESTION in prompt and plain.direct in prompt and plain.citations[0].quote in prompt


@pytest.mark.parametrize("reply", [
    "科技金融服务由自治区教育厅负责。",
    "科技金融服务由自治区地方金融监管局牵头，企业最高可获500万元补贴。",
    "科技金融服务由自治区地方金融监管局负责。根据第（十三）条，还可以申请贷款贴息。",
    "否，文件没有规定。",
])
def test_an_unsupported_sentence_is_never_shown(fake_assistant, with_llm, reply):
    plain = fake_assistant.ask(QUESTION)
    with FakeLLMServer(reply=lambda m: reply) as server:
        answer = with_llm(server).ask(QUESTION)
    assert answer.analysis["llm"]["kept"] is False and answer.analysis["llm"]["reason"]
    assert answer.answer == plain.answer and answer.direct == plain.direct
    for sentence in (s for s in reply.split("。") if s):
        assert sentence not in answer.answer
    assert "语言模型改写未采用" in answer.notice


def test_a_timeout_falls_back_quickly(fake_assistant, with_llm):
    plain = fake_assistant.ask(QUESTION)
    with FakeLLMServer(delay=3.0) as server:
        started = time.perf_counter()
        answer = with_llm(server, timeout=0.5).ask(QUESTION)
        elapsed = time.perf_counter() - started
    assert elapsed < 2.9 and answer.answer == plain.answer
    assert answer.analysis["llm"]["reason"] == "语言模型超时" and "超时" in answer.notice


def test_a_server_error_or_no_server_falls_back(fake_assistant, with_llm):
    plain = fake_assistant.ask(QUESTION)
    with FakeLLMServer(status=500) as server:
        answer = with_llm(server).ask(QUESTION)
    assert answer.answer == plain.answer and answer.analysis["llm"]["reason"].startswith("语言模型不可用")
    closed = dataclasses.replace(fake_assistant, settings=fake_assistant.settings.with_(llm_url="http://127.0.0.1:9/v1"))
    assert closed.ask(QUESTION).answer == plain.answer


def test_refusals_never_reach_the_llm(fake_assistant, with_llm):
    with FakeLLMServer() as server:
        answer = with_llm(server).ask("今天呼和浩特天气怎么样？")
    assert answer.refused and server.requests == [] and "llm" not in answer.analysis


def test_chat_turns_are_rephrased_too(fake_assistant, with_llm):
    with FakeLLMServer() as server:  # echoes the direct answer: always supported
        answer, _ = with_llm(server).chat(QUESTION)
    assert answer.analysis["llm"]["kept"] is True and len(server.requests) == 1


def test_bench_llm_measures_latency_and_kept_share(fake_assistant):
    from bench.llm import measure_llm

    replies = iter(["科技金融服务由自治区教育厅负责。"] + [None] * 10)

    def reply(messages):
        text = next(replies)
        if text is not None:
            return text
        from tests.doubles import _echo_direct
        return _echo_direct(messages)

    with FakeLLMServer(reply=reply) as server:
        result = measure_llm(fake_assistant, [QUESTION, "国家级高新区要达到几家？", "今天天气怎么样？"],
                             url=server.url, model="fake-model", timeout=10.0)
    assert result["questions"] == 3 and result["llm_answers"] == 2 and result["kept"] == 1
    assert result["kept_share"] == 0.5 and result["llm_latency_ms"]["n"] == 2
    assert result["fallback_reasons"] and result["examples"]


def test_verbatim_sentences_pass_and_a_foreign_department_never_does(corpus):
    """Over every clause of the corpus: its own sentences are supported by its span; the same
    sentence saying a department the clause does not name is not."""
    from assistant.integrations.llm_rephrase import known_names

    names = known_names(corpus)
    everyone = sorted({d for c in corpus.clauses for d in c.departments})
    checked = 0
    for clause in corpus.clauses:
        span = f"{clause.heading}：{clause.text}"
        for sentence in clause.sentences[:3]:
            if len(sentence) > 200:
                continue
            assert sentence_support(sentence, [span], names).supported, (clause.number, sentence)
            foreign = next((d for d in everyone if d not in clause.text and d not in clause.departments
                            and not any(d.endswith(x) or x.endswith(d[-3:]) for x in clause.departments)), None)
            if foreign:
                claim = sentence.rstrip("。；") + f"，由{foreign}负责。"
                assert not sentence_support(claim, [span], names).supported, (clause.number, claim)
                checked += 1
    assert checked > 20
