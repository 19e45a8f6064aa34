"""Does the document answer this question? And which sentences are the answer?

A confident wrong answer is the worst outcome, so a question counts as covered only if
all of these hold:

* retrieval is confident enough (the fused score of the best clause clears a threshold
  calibrated on the gold set by ``assistant eval``);
* it names no place outside the document's scope (上海, 深圳 … that the text never mentions);
* what it asks for exists in the clause: a question asking *how much* needs a quantity in
  the quote, *when* needs a date, *which criteria/procedure/contact* needs those words.
  "孵化器补贴多少万元" finds the incubator clause, but the clause states no amount.
"""

from __future__ import annotations

import re

# Calibrated by `assistant eval --calibrate` on eval/questions.jsonl (see eval/report.md):
# the midpoint between the lowest-scoring answerable question and the highest-scoring
# unanswerable one that no other rule below catches.
MIN_SCORE = 0.14

# Provinces and major cities: a question about one the document never mentions is about
# another jurisdiction's policy. (Countries are left out: international cooperation is a
# topic the document itself covers.)
PLACES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 "
    "陕西 甘肃 青海 台湾 广西 西藏 宁夏 新疆 香港 澳门 深圳 广州 杭州 苏州 南京 武汉 成都 西安 长沙 郑州 合肥 青岛 厦门 "
    "宁波 沈阳 大连 哈尔滨 长春 济南 福州 昆明 贵阳 南宁 海口 兰州 银川 西宁 乌鲁木齐 拉萨 太原 石家庄 南昌 无锡 东莞 佛山 "
    "中关村 张江 雄安 浦东 前海 "
    "shanghai shenzhen beijing guangzhou hangzhou jiangsu zhejiang guangdong tianjin chongqing"
).split()

_ASKS = {
    "quantity": re.compile(r"多少|几(?:家|个|次|年|项|成|倍|万|千|百|条)?|比例|比率|金额|额度|上限|下限|税率|利率|费率|多少钱|"
                           r"百分之|多大|多高|多长|补贴标准|奖励标准|how much|how many|what percentage|rate\b|amount",
                           re.IGNORECASE),
    "time": re.compile(r"什么时候|何时|哪年|哪一年|哪天|截止|期限|多久|多长时间|时间表|when\b|deadline|by what year",
                       re.IGNORECASE),
    "criteria": re.compile(r"认定(?:标准|条件)|认定.{0,6}(?:条件|标准|要求)|(?:满足|符合|具备)(?:哪些|什么)(?:条件|要求)|申请条件|申报条件|"
                           r"资格条件|门槛|评(?:定|审)标准|criteria|requirements? for|qualif(?:y|ication) criteria",
                           re.IGNORECASE),
    "procedure": re.compile(r"怎么申请|如何申请|申请流程|申报流程|办理流程|申请程序|去哪(?:里|儿)?申请|(?:什么|哪些).{0,2}材料|"
                            r"提交.{0,4}材料|材料.{0,4}(?:什么|哪些)|"
                            r"how (?:do|can) (?:i|we) apply|application process", re.IGNORECASE),
    "contact": re.compile(r"电话|联系方式|地址|网址|邮箱|热线|窗口|联系人|phone|email|address|website|contact", re.IGNORECASE),
    # Named people and live information: a 2021 policy text holds neither.
    "person": re.compile(r"(?:主席|书记|省长|市长|盟长|厅长|局长|主任|负责人|领导)(?:是谁|叫什么)|who is the (?:governor|mayor|director|head|chairman)",
                         re.IGNORECASE),
    "live": re.compile(r"天气|气温|下雨|下雪|股价|汇率|票价|新闻|weather|forecast|stock price|exchange rate", re.IGNORECASE),
    # Instructions aimed at the assistant rather than questions about the document.
    "instruction": re.compile(r"忽略.{0,10}(?:规则|指令|要求|设定|提示)|(?:输出|打印|列出|导出).{0,4}(?:全部|所有|整个)(?:文件|内容|数据|条款)|"
                              r"系统提示|提示词|ignore (?:all |the )?(?:previous|above|prior) (?:instructions|rules)|system prompt",
                              re.IGNORECASE),
}
_HAS = {
    "quantity": re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|家|次|项|年|批|类|倍|成|%)|全覆盖|全部|全员|以上|以下"),
    "time": re.compile(r"\d{4}年|\d+月|年底|年内|期限|限期"),
    "criteria": re.compile(r"条件|标准|要求|资格"),
    "procedure": re.compile(r"申请|申报|流程|程序|办理"),
    "contact": re.compile(r"电话|地址|网址|邮箱|热线"),
    "person": re.compile(r"(?!)"),  # the document names no person
    "live": re.compile(r"天气|气温|股价|汇率|票价"),
    "instruction": re.compile(r"(?!)"),
}
_ASKED_UNIT = re.compile(r"(?:几|多少)(个|家|次|项|倍|批|类|条)")
_BIGRAM = re.compile(r"[\u4e00-\u9fff]{2}")


def asked_types(question: str) -> list[str]:
    return [name for name, pattern in _ASKS.items() if pattern.search(question)]


_REASONS = {"quantity": "文件没有规定相关的具体数额、比例或标准。", "time": "文件没有规定相关的具体时间。",
            "criteria": "文件没有规定相关的认定标准或条件。", "procedure": "文件没有规定具体的申请或办理流程。",
            "contact": "文件不包含联系方式等信息。", "person": "文件不涉及具体人员。", "live": "文件不包含实时信息。",
            "instruction": "本助手只回答关于文件内容的问题，不执行其他指令；全文可在“政策原文”中查看，或用 assistant clauses 导出。"}


def places_in_document(document) -> set[str]:
    """Places the document really names: as a word of its own, not inside another name
    (上海 in 上海交通大学 is a university, not Shanghai's policy)."""
    cached = getattr(document, "_places", None)
    if cached is None:
        import jieba

        words = set(jieba.lcut(document.text))
        cached = {p for p in PLACES if {p, p + "市", p + "省", p + "自治区"} & words}
        document._places = cached
    return cached


def foreign_places(question: str, document) -> list[str]:
    lowered = question.lower()
    known = places_in_document(document)
    return [p for p in PLACES if p in lowered and p not in known]


def content_grams(tokens: list[str]) -> set[str]:
    """Chinese character bigrams of the question's content words (stopwords already gone)."""
    return {t[i : i + 2] for t in tokens for i in range(len(t) - 1) if _BIGRAM.fullmatch(t[i : i + 2])}


def _overlap(grams: set[str], sentence: str) -> int:
    """How many distinct question bigrams the sentence contains (repeats count once)."""
    return sum(1 for gram in grams if gram in sentence)


def covers(question: str, hits, document, tokens: list[str] | None = None) -> tuple[bool, str, bool]:
    """(covered, reason shown to the user when not, whether nearby clauses are worth offering).
    ``tokens``: the question's BM25 tokens."""
    if not hits:
        return False, "", False
    places = foreign_places(question, document)
    if places:
        return False, f"本文件是{document.meta.issuer or '本地'}的政策，不涉及{'、'.join(places)}。", True
    if hits[0].score < MIN_SCORE:
        return False, "", False
    grams = content_grams(tokens or [])
    sentences = [s for h in hits[:2] for s in document.clause(h.clause).sentences]
    for kind in asked_types(question):
        typed = [s for s in sentences if _HAS[kind].search(s)]
        # The typed sentence must also be about the question (share content words), unless
        # the question has no Chinese content to compare (English).
        if not any(_overlap(grams, s) >= 2 for s in typed) and (typed == [] or grams):
            return False, _REASONS[kind], kind not in ("person", "live", "instruction")
    return True, "", False


def quote_sentences(question: str, clause, hit) -> list[str]:
    """The sentences to quote: the retriever's best, unless the question asks for a kind of
    content (a number, a date …) that they lack and another sentence of the clause has."""
    chosen = [clause.sentences[i] for i in hit.sentence_indices if i < len(clause.sentences)] or clause.sentences[:1]
    grams = {question[i : i + 2] for i in range(len(question) - 1)}
    for kind in asked_types(question):
        pattern = _HAS[kind]
        unit = _ASKED_UNIT.search(question) if kind == "quantity" else None
        if unit:  # "几家" wants "5家", not just any number
            pattern = re.compile(f"(?:\\d|[一二两三四五六七八九十])+\\s*{unit.group(1)}")
        candidates = [s for s in clause.sentences if pattern.search(s)] or [
            s for s in clause.sentences if _HAS[kind].search(s)]
        if candidates and not any(s in candidates for s in chosen) or (unit and candidates):
            best = max(candidates, key=lambda s: _overlap(grams, s))
            chosen = [s for s in clause.sentences if s == best or s in chosen]
    return chosen
