"""Does the document answer this question? A question's constraints must hold in the text.

A confident wrong answer is the worst outcome, so a question counts as covered only if

* retrieval is confident enough (the fused score of the best clause clears
  :data:`MIN_SCORE`, calibrated on the dev split by ``assistant eval --calibrate``);
* every constraint the question states is met by the text it would be answered from: a
  文号 the corpus has, a place the document covers (:mod:`~assistant.answering.places`), a year
  the document speaks of, and the kind of content asked for — an amount, a date, criteria, a
  procedure, a contact — present in a sentence that is about the question;
* it is a question about the document, not a request to invent policy, name a person or
  report live data.

Each rule is a class of mismatch between question and text, never a list of questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.spans import HAS, bigrams, overlap

# Calibrated on the dev split (see eval/report.md): the midpoint between the lowest-scoring
# answerable dev question and the highest-scoring unanswerable one no other rule catches.
MIN_SCORE = 0.14

_ASKS = {
    "quantity": re.compile(r"多少|几(?:家|个|次|年|项|成|倍|万|千|百|所|种|批|类)|比例|比率|金额|额度|上限|下限|税率|利率|费率|多少钱|"
                           r"百分之|多大|多高|多长|补贴标准|奖励标准|how much|how many|what percentage|\brate\b|amount",
                           re.IGNORECASE),
    "time": re.compile(r"什么时候|何时|哪年|哪一年|哪天|截止|期限|多久|多长时间|时间表|when\b|deadline|by what year",
                       re.IGNORECASE),
    "criteria": re.compile(r"认定(?:标准|条件)|认定.{0,6}(?:条件|标准|要求)|(?:满足|符合|具备)(?:哪些|什么)(?:条件|要求)|申请条件|申报条件|"
                           r"资格条件|门槛|评(?:定|审)标准|criteria|requirements? for|qualif(?:y|ication) criteria",
                           re.IGNORECASE),
    "procedure": re.compile(r"怎么申请|如何申请|怎么申报|如何申报|申请流程|申报流程|办理流程|申请程序|去哪(?:里|儿)?(?:申请|办理|申报)|"
                            r"(?:什么|哪些).{0,2}材料|提交.{0,4}材料|材料.{0,4}(?:什么|哪些)|"
                            r"how (?:do|can) (?:i|we) apply|application process", re.IGNORECASE),
    "contact": re.compile(r"电话|联系方式|地址|网址|邮箱|热线|窗口|联系人|phone|email|address|website|contact", re.IGNORECASE),
    # Named people and live information: a policy text holds neither.
    "person": re.compile(r"(?:主席|书记|省长|市长|盟长|厅长|局长|主任|负责人|领导)(?:是谁|叫什么)|who is the (?:governor|mayor|director|head|chairman)",
                         re.IGNORECASE),
    "live": re.compile(r"天气|气温|下雨|下雪|股价|汇率|票价|新闻|今天|明天|现在几点|weather|forecast|stock price|exchange rate",
                       re.IGNORECASE),
    # Instructions aimed at the assistant rather than questions about the document.
    "instruction": re.compile(r"忽略.{0,10}(?:规则|指令|要求|设定|提示)|(?:输出|打印|列出|导出).{0,4}(?:全部|所有|整个)(?:文件|内容|数据|条款)|"
                              r"系统提示|提示词|ignore (?:all |the )?(?:previous|above|prior) (?:instructions|rules)|system prompt",
                              re.IGNORECASE),
}
_REASONS = {"quantity": "文件没有规定相关的具体数额、比例或标准。", "time": "文件没有规定相关的具体时间。",
            "criteria": "文件没有规定相关的认定标准或条件。", "procedure": "文件没有规定具体的申请或办理流程、材料。",
            "contact": "文件不包含联系方式等信息。", "person": "文件不涉及具体人员。", "live": "文件不包含实时信息。",
            "instruction": "本助手只回答关于文件内容的问题，不执行其他指令；全文可在“政策原文”中查看，或用 assistant clauses 导出。"}
_ENUMERATION = re.compile(r"[\u4e00-\u9fff]{2,}(?:、[\u4e00-\u9fff“”]{2,}){1,}")
_COUNTING_LIST = re.compile(r"哪几|有几|几(?:个|家|类|种|项)")


def asked_types(question: str) -> list[str]:
    return [name for name, pattern in _ASKS.items() if pattern.search(question)]


@dataclass
class Grounding:
    covered: bool
    reason: str = ""  # shown to the user when not covered
    offer_related: bool = False  # nearby clauses are worth offering
    hits: list = field(default_factory=list)  # the hits to answer from (re-ordered by constraints)


def ground(analysis, hits, documents, tokens: list[str] | None = None, vocabulary=None) -> Grounding:
    """Check the question's constraints against the text it would be answered from.

    ``documents``: the documents searched; ``tokens``: the question's BM25 tokens;
    ``vocabulary``: the set of corpus tokens (BM25's vocabulary), for focus terms."""
    from assistant.answering.places import foreign_places

    if analysis.fabricate:
        return Grounding(False, "本助手只依据文件原文回答，不编写、杜撰或改写政策。", False)
    for kind in ("instruction", "person", "live"):
        if kind in analysis.asks_for:
            return Grounding(False, _REASONS[kind], False)
    numbers = {re.sub(r"\s+", "", d.meta.doc_number) for d in documents}
    unknown = [n for n in analysis.doc_numbers if n not in numbers]
    if unknown:
        have = "、".join(sorted(n for n in numbers if n)) or "（无文号）"
        return Grounding(False, f"文件库中没有文号为{'、'.join(unknown)}的文件（现有：{have}）。", True)
    if not hits:
        return Grounding(False)
    foreign = foreign_places(analysis.places, documents)
    if foreign:
        issuers = "、".join(dict.fromkeys(d.meta.issuer for d in documents if d.meta.issuer)) or "本地"
        return Grounding(False, f"文件是{issuers}的政策，不涉及{'、'.join(foreign)}。", True)
    hits = _prefer_years(analysis.years, hits, documents)
    if analysis.years:
        text = "".join(d.text for d in documents)
        missing = [y for y in analysis.years if y not in text]
        if missing:
            stated = sorted(set(re.findall(r"(20\d{2})年", text)))
            said = f"文件中出现的年份为{'、'.join(y + '年' for y in stated)}。" if stated else ""
            return Grounding(False, f"文件没有关于{'、'.join(y + '年' for y in missing)}的规定。{said}", True, hits)
    if hits[0].score < MIN_SCORE:
        return Grounding(False, "", False, hits)
    grams = bigrams("".join(tokens or []))
    sentences = [s for h in hits[:2] for s in _sentences(documents, h)]
    for kind in analysis.asks_for:
        if kind not in HAS:
            continue
        typed = [s for s in sentences if HAS[kind].search(s)]
        if kind == "quantity" and _COUNTING_LIST.search(analysis.text):
            typed += [s for s in sentences if _ENUMERATION.search(s)]  # 哪几个: a list answers it
        # The typed sentence must also be about the question (share content words), unless
        # the question has no Chinese content to compare (English).
        if not any(overlap(grams, s) >= 2 for s in typed) and (typed == [] or grams):
            return Grounding(False, _REASONS[kind], True, hits)
    return Grounding(True, hits=hits)


def _sentences(documents, hit) -> list[str]:
    doc = next((d for d in documents if d.doc_id == hit.doc_id), None)
    return doc.clause(hit.clause).sentences if doc else list(hit.sentences)


def _prefer_years(years, hits, documents) -> list:
    """When the question names a year, a clause that speaks of that year answers first."""
    if not years or not hits:
        return hits
    lead = hits[0].score

    def speaks(hit) -> bool:
        doc = next((d for d in documents if d.doc_id == hit.doc_id), None)
        return bool(doc) and all(y in doc.clause(hit.clause).text for y in years)

    # Only among clauses the retriever found nearly as relevant: a year alone is no topic.
    close = [h for h in hits[:5] if h.score >= 0.8 * lead and speaks(h)]
    return close + [h for h in hits if h not in close] if close else hits
