"""Optional LLM rephrasing of a grounded answer, checked sentence by sentence.

Off unless ``ASSISTANT_LLM_URL`` names an OpenAI-compatible server (Ollama, vLLM, a
llama.cpp server), reached through llama-index's ``OpenAILike``. The LLM is given the
question, the direct answer and the quoted spans, and may only rephrase them into one short
paragraph of plain Chinese. The paragraph is shown only if :func:`verify` finds every one of
its sentences supported by a single quoted span — its numbers, names and departments all
present in that span, most of its wording drawn from it, no negation the span lacks — and
its 是/否 agrees with the direct answer. Otherwise (or on a timeout or any server error)
the extractive answer is shown, and the answer says which it is: ``analysis["llm"]``
(``kept``, ``reason``, ``seconds``, ``unsupported``) and a line in ``notice``.

:func:`verify` and :func:`sentence_support` are pure functions of their arguments.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

# ----------------------------------------------------------------------------- verification

MAX_PARAGRAPH_CHARS = 400
MAX_SENTENCES = 6
# Share of a sentence's content bigrams that must occur in its supporting span.
MIN_CONTENT_SHARE = 0.6
# ... and of each phrase's.
MIN_PHRASE_SHARE = 0.5

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
# A Chinese numeral counts as a number after 第/（ or before a measure word or unit.
_MEASURE = "条项个家年月日号名人次倍元%％所座类批级期届岁位支台套件户平米公顷吨度"
_ARABIC = re.compile(r"\d+(?:[.,]\d+)*")
_CHINESE = re.compile(rf"(?<![0-9.])(?:(?<=[第（(])[{_CN_NUM}]+|[{_CN_NUM}]+(?=[{_MEASURE}]))")
_CLAUSE_REF = re.compile(rf"第[（(]?([{_CN_NUM}0-9]+)[）)]?条")
# Words that state a role, a scope or a strength: used only where the span uses them.
_CLAIM_WORDS = ("牵头", "主导", "配合", "协助", "协同", "唯一", "全部", "所有", "一律", "必须", "务必", "免费",
                "最高", "最低", "至少", "至多", "上限", "下限", "不超过", "不低于", "以上", "以下", "以内",
                "优先", "直接", "自动", "补贴", "奖励", "资助", "补助", "减免", "贷款", "税收")
# Organ names by their suffix; the two characters before the suffix must be in the span.
_ORGAN = re.compile(r"(?:委员会|管委会|办公室|办公厅|支行|银行|厅|局|委)")
_NOT_ORGAN = {"格局", "布局", "结局", "全局", "大局", "开局", "当局", "委托", "委派"}
_TITLE = re.compile(r"《[^》]{2,60}》|“[^”]{2,30}”")
_NEGATION = re.compile(r"[不没未无非否禁严勿][\u4e00-\u9fff]?")
# Words that join a rephrasing together: never required to be found in the span.
_FUNCTION_CHARS = set("的了和与及或由是在对为将把被也都就并而之其该此这那等要会能可即则给向从以于让着过所")
_STOP_BIGRAMS = {
    "根据", "文件", "规定", "其中", "主要", "以及", "包括", "共同", "负责", "相关", "方面", "需要", "进行",
    "提出", "明确", "这条", "该条", "具体", "来说", "就是", "简单", "说来", "总之", "此外", "另外", "同时",
    "通过", "一些", "这些", "单位", "部门", "政策", "措施", "工作", "内容", "条款", "本条", "指出", "表示",
    "提到", "涉及", "有关", "要求", "鼓励", "支持", "推动", "以上", "如下", "分别", "各自", "有哪", "哪些",
    "责任", "简而", "而言", "也就", "换句", "句话", "话说", "即是", "所述", "上述",
}
_VERDICT = re.compile(r"^(是的|是|对的|对|可以|能|否|不是|不对|不可以|不能|不行|没有)(?:[，,。！!：:]|$)")
_NO_WORDS = {"否", "不是", "不对", "不可以", "不能", "不行", "没有"}
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def chinese_number(text: str) -> int | None:
    """十二 → 12, 两千三百 → 2300, 五千万 → 50000000; None if not a numeral."""
    if not text or any(c not in _CN_NUM for c in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGIT:
            digit = _CN_DIGIT[char] if digit is None else digit * 10 + _CN_DIGIT[char]  # 二〇二五
        elif char in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[char]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total += (section or 1) * _CN_BIG[char]
            section, digit = 0, None
    return total + section + (digit or 0)


def numbers(text: str) -> list[set[str]]:
    """Each number written in ``text`` as the set of its accepted readings (5000万 is
    5000, 50000000; 五千万 is 50000000, 5000)."""
    text = _normal(text)
    out: list[set[str]] = []
    for match in _ARABIC.finditer(text):
        raw = match.group().replace(",", "")
        readings = {raw, raw.lstrip("0") or "0"}
        following = text[match.end():match.end() + 1]
        if following in _CN_BIG and "." not in raw:
            readings.add(str(int(raw) * _CN_BIG[following]))
        out.append(readings)
    for match in _CHINESE.finditer(text):
        if not set(match.group()) - set(_CN_BIG):  # a bare 万/亿 after Arabic digits
            continue
        value = chinese_number(match.group())
        if value is None:
            continue
        readings = {str(value)}
        for big in _CN_BIG.values():
            if value >= big and value % big == 0:
                readings.add(str(value // big))
        out.append(readings)
    return out


def _ref_value(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_number(text)


def _phrases(text: str) -> list[list[str]]:
    """The content bigrams of each phrase (a run between punctuation and function characters)."""
    out = []
    for chunk in re.split(r"[^\u4e00-\u9fffA-Za-z0-9]+", _normal(text)):
        for part in re.split("[" + "".join(_FUNCTION_CHARS) + "]", chunk):
            grams = [part[i:i + 2] for i in range(len(part) - 1)]
            grams = [g for g in grams if g not in _STOP_BIGRAMS]
            if grams:
                out.append(grams)
    return out


@dataclass
class Support:
    """Why a sentence is or is not supported by a span."""

    supported: bool
    span: int = -1  # index of the supporting span
    missing: list[str] = field(default_factory=list)  # what the best span lacked


def _present(name: str, canonical: Iterable[str], span: str) -> bool:
    from assistant.ingest.departments import core_name

    forms = {name, core_name(name)} | {f for c in canonical for f in (c, core_name(c))}
    return any(f and f in span for f in forms)


def _check(sentence: str, span: str, names: Mapping[str, Iterable[str]], extra: str) -> list[str]:
    """What ``span`` lacks to support ``sentence`` (empty: supported). ``extra``: text whose
    negations may be used too (the direct answer's template words)."""
    missing: list[str] = []
    span_numbers = set().union(*numbers(span)) if numbers(span) else set()
    for readings in numbers(sentence):
        if not readings & span_numbers:
            missing.append(min(readings, key=len))
    span_refs = {_ref_value(m.group(1)) for m in _CLAUSE_REF.finditer(span)}
    for match in _CLAUSE_REF.finditer(sentence):
        if _ref_value(match.group(1)) not in span_refs:
            missing.append(match.group())
    missing += [w for w in _CLAIM_WORDS if w in sentence and w not in span and w not in extra]
    taken: list[tuple[int, int]] = []
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 2:
            continue
        start = sentence.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                if not _present(name, names[name], span):
                    missing.append(name)
            start = sentence.find(name, end)
    for match in _ORGAN.finditer(sentence):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        head = sentence[max(0, start - 2):start]
        if not re.fullmatch(r"[\u4e00-\u9fff]{2}", head) or head[-1] + match.group()[0] in _NOT_ORGAN \
                or (head + match.group())[-2:] in _NOT_ORGAN:
            continue
        organ = head + match.group()
        if organ not in span:
            missing.append(organ)
    for match in _TITLE.finditer(sentence):
        inner = match.group()[1:-1]
        if inner not in span:
            missing.append(match.group())
    for match in _NEGATION.finditer(sentence):
        word = match.group()
        if word not in span and word not in extra:
            missing.append(word)
    # Wording: most of the sentence's content bigrams are in the span, and so is at least
    # half of each phrase (科技金融服务 must not be pinned on a clause that only shares 科技).
    phrases = _phrases(_CLAUSE_REF.sub("，", sentence))  # clause references are checked above
    grams = [g for p in phrases for g in p]
    if grams:
        found = sum(1 for g in grams if g in span)
        if found / len(grams) < MIN_CONTENT_SHARE:
            missing.append(f"措辞{found}/{len(grams)}")
    for phrase in phrases:
        hit = sum(1 for g in phrase if g in span)
        if len(phrase) >= 2 and hit / len(phrase) < MIN_PHRASE_SHARE:
            missing.append(f"短语{''.join([phrase[0]] + [g[1] for g in phrase[1:]])}")
    return missing


def sentence_support(sentence: str, spans: list[str], names: Mapping[str, Iterable[str]] | None = None,
                     extra: str = "") -> Support:
    """Is ``sentence`` supported by one of ``spans``? ``names`` maps each known name (a
    department, its short forms and aliases, a place) to the names it stands for; a name
    counts as present in a span if it, or one it stands for, or its core (自治区科技厅 →
    科技厅) is there."""
    names = names or {}
    sentence = _normal(sentence).strip()
    best: Support | None = None
    for i, span in enumerate(spans):
        missing = _check(sentence, _normal(span), names, _normal(extra))
        if not missing:
            return Support(True, i)
        if best is None or len(missing) < len(best.missing):
            best = Support(False, i, missing)
    return best or Support(False, -1, ["没有引文"])


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip(" 。！？!?；;，,")]


def _verdict(text: str) -> tuple[str, str]:
    """("yes" | "no" | "", the rest) for a leading 是/否."""
    match = _VERDICT.match(text.strip())
    if not match:
        return "", text
    return ("no" if match.group(1) in _NO_WORDS else "yes"), text.strip()[match.end():]


@dataclass
class Verdict:
    kept: bool
    reason: str = ""
    sentences: list[str] = field(default_factory=list)
    unsupported: list[dict] = field(default_factory=list)  # {"sentence", "missing"}


def clean_paragraph(text: str) -> str:
    """The LLM's output as one plain paragraph: Markdown marks and line breaks removed."""
    text = re.sub(r"<think>.*?</think>", "", text or "", flags=re.S)
    text = re.sub(r"[*#>`_]+", "", text)
    text = re.sub(r"^\s*(?:[-•]|\d+[.、])\s*", "", text, flags=re.M)
    return re.sub(r"\s+", "", text) if re.search(r"[\u4e00-\u9fff]", text) else re.sub(r"\s+", " ", text).strip()


def verify(paragraph: str, spans: list[str], direct: str = "",
           names: Mapping[str, Iterable[str]] | None = None) -> Verdict:
    """Keep ``paragraph`` only if it is short, agrees with the direct answer's 是/否 and
    every sentence is supported by one quoted span (:func:`sentence_support`)."""
    paragraph = clean_paragraph(paragraph)
    if not paragraph:
        return Verdict(False, "改写为空")
    if not re.search(r"[\u4e00-\u9fff]", paragraph):
        return Verdict(False, "改写不是中文")
    if len(paragraph) > MAX_PARAGRAPH_CHARS:
        return Verdict(False, f"改写过长（{len(paragraph)}字）")
    sentences = split_sentences(paragraph)
    if len(sentences) > MAX_SENTENCES:
        return Verdict(False, f"改写句子过多（{len(sentences)}句）")
    if not spans:
        return Verdict(False, "没有可核对的引文")
    expected, _ = _verdict(direct)
    said, rest = _verdict(sentences[0])
    if said and said != expected:
        return Verdict(False, "是/否与直接回答不一致" if expected else "原答案没有是/否判断", sentences)
    if expected == "no" and not _NEGATION.search(paragraph):
        return Verdict(False, "改写丢失了否定", sentences)
    checked = ([rest] if rest.strip(" 。，,") else []) + sentences[1:]
    unsupported = []
    for sentence in checked:
        support = sentence_support(sentence, spans, names, extra=direct)
        if not support.supported:
            unsupported.append({"sentence": sentence, "missing": support.missing})
    if unsupported:
        return Verdict(False, f"{len(unsupported)}句没有引文依据", sentences, unsupported)
    return Verdict(True, "", sentences)


# ----------------------------------------------------------------------------- the LLM step

SYSTEM_PROMPT = (
    "你是政策文件问答助手的改写器。你只能把给定的答案改写成一段简短、通俗的中文（不超过4句，不用列表、不用Markdown）。"
    "每一句都必须能在某一条原文摘录中找到依据：数字、部门、地名、文件名必须与摘录一字不差；"
    "不得添加摘录中没有的任何事实、条件、金额、部门或评价；如果直接回答以“是”或“否”开头，改写也以同样的判断开头。"
    "只输出这一段文字。"
)


def evidence_spans(answer) -> list[str]:
    """One span per citation: the document, the clause heading, the quoted text and the
    clause's departments (all from the document)."""
    spans = []
    for c in answer.citations:
        document = f"《{c.doc_title}》" + (f"（{c.doc_number}）" if c.doc_number else "")
        departments = f"（责任单位：{'、'.join(c.departments)}）" if c.departments else ""
        spans.append(f"{document}{c.heading}：{c.quote}{departments}")
    return spans


def prompt(answer) -> str:
    lines = [f"问题：{answer.question}", f"直接回答：{answer.direct or ''}", "原文摘录："]
    lines += [f"[{i}] {span}" for i, span in enumerate(evidence_spans(answer), 1)]
    lines.append("请把直接回答改写成一段通俗的中文。")
    return "\n".join(lines)


def known_names(corpus) -> dict[str, list[str]]:
    """Every department form (full, core, alias) → the departments; every place form → itself."""
    from assistant import lexicons

    names: dict[str, list[str]] = {}
    for doc in getattr(corpus, "documents", []):
        for form, targets in doc.departments.surface_forms().items():
            names.setdefault(form, [])
            names[form] += [t for t in targets if t not in names[form]]
    for place in lexicons.places():
        for form in place.forms():
            if len(form) >= 2 and not form.isascii():
                names.setdefault(form, [form])
    return names


_CLIENTS: dict = {}


def make_llm(settings):
    """The OpenAI-compatible client (llama-index ``OpenAILike``), one per settings."""
    from assistant.config import llm_key

    key = (settings.llm_url, settings.llm_model, settings.llm_timeout, llm_key())
    if key not in _CLIENTS:
        from llama_index.llms.openai_like import OpenAILike

        # The key is read from the environment at use and never stored in settings.
        credentials = {"api_key": llm_key() or "not-needed"}
        _CLIENTS[key] = OpenAILike(model=settings.llm_model, api_base=settings.llm_url, **credentials,
                                   is_chat_model=True,
                                   timeout=settings.llm_timeout, max_retries=0, temperature=0.0,
                                   max_tokens=400, context_window=8192)
    return _CLIENTS[key]


def ask_llm(llm, answer) -> str:
    from llama_index.core.llms import ChatMessage

    reply = llm.chat([ChatMessage(role="system", content=SYSTEM_PROMPT),
                      ChatMessage(role="user", content=prompt(answer))])
    return reply.message.content or ""


KEPT_NOTE = "本回答的第一段由语言模型改写，每句均已与引用原文逐句核对"
FALLBACK_NOTE = "语言模型改写未采用（{reason}），以下为原文摘录回答"


def rephrase(answer, settings, corpus=None, llm=None, timings: dict | None = None):
    """``answer`` with the LLM's paragraph first when it passes :func:`verify`, else as it
    was; either way ``analysis["llm"]`` and ``notice`` say which. Refusals and answers
    without citations are left alone (nothing to rephrase from)."""
    if answer.refused or not answer.citations:
        return answer
    started = time.perf_counter()
    record = {"kept": False, "reason": "", "seconds": 0.0, "model": settings.llm_model, "unsupported": []}
    try:
        text = ask_llm(llm or make_llm(settings), answer)
    except Exception as exc:  # timeouts, refused connections, bad replies: all fall back
        name = type(exc).__name__
        record["reason"] = "语言模型超时" if "timeout" in name.lower() or "timed out" in str(exc).lower() \
            else f"语言模型不可用：{name}"
        text = None
    record["seconds"] = round(time.perf_counter() - started, 3)
    if timings is not None:
        timings["llm"] = timings.get("llm", 0.0) + record["seconds"]
    if text is not None:
        verdict = verify(text, evidence_spans(answer), answer.direct, known_names(corpus) if corpus else None)
        record.update(kept=verdict.kept, reason=verdict.reason, unsupported=verdict.unsupported)
        if verdict.kept:
            record["text"] = clean_paragraph(text)
    analysis = dict(answer.analysis or {})
    analysis["llm"] = record
    answer.analysis = analysis
    if record["kept"]:
        answer.answer = f"{record['text']}\n\n*（{KEPT_NOTE}；原文见下。）*\n\n{answer.answer}"
        note = KEPT_NOTE
    else:
        note = FALLBACK_NOTE.format(reason=record["reason"])
    answer.notice = "；".join(n for n in (answer.notice, note) if n)
    return answer
