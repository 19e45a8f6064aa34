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

import os
import re
from dataclasses import dataclass, field

from assistant.answering.spans import HAS, bigrams, clause_frequency, compact_text, overlap, phrases

# Calibrated on the dev split (see eval/report.md): the midpoint between the lowest-scoring
# answerable dev question and the highest-scoring unanswerable one no other rule catches.
MIN_SCORE = 0.14
# Words a sentence with the asked kind of content (an amount, a date) shares with the question.
SENTENCE_OVERLAP = 2
# A clause that states the asked date or amount outranks a better-scoring one that does not,
# within this share of the best score.
TYPED_RATIO = 0.85  # dev: 0.85–0.9 equal, 0.8 answers an out-of-scope deadline

_ASKS = {
    "quantity": re.compile(r"多少|(?<![哪好这那十数])几(?:家|个|次|年|项|成|百|种|批|类)|比例|金额|额度|上限|税率|利率|多少钱|"
                           r"百分之|多大|多高|多长|(?:租金|收费|补贴|奖励|资助)(?:标准|金额|多少)|"
                           r"怎么算|how much|how many|\brate\b|amount",
                           re.IGNORECASE),
    "time": re.compile(r"什么时候|何时|哪年|哪一年|哪天|几月|截止|期限|多久|多长时间|when\b|deadline|how long",
                       re.IGNORECASE),
    "criteria": re.compile(r"认定.{0,6}(?:条件|标准)|(?:需要)(?:什么)(?:条件)|申报条件"
                           r""
                           r"|门槛|评(?:定)标准",
                           re.IGNORECASE),
    "procedure": re.compile(r"(?:怎么)(?:申请|操作|评价|认定)|"
                            r"申请流程|申报流程|流程是|(?:什么)(?:程序)|在哪(?:儿)?(?:办)|去哪(?:里)?(?:申请|申报)",
                            re.IGNORECASE),
    "materials": re.compile(r"(?:哪些|啥).{0,2}材料|提交.{0,4}材料|准备.{0,4}材料", re.IGNORECASE),
    "contact": re.compile(r"电话|联系方式|地址|窗口|联系人|address", re.IGNORECASE),
    # Named people and live information: a policy text holds neither.
    "person": re.compile(r"(?:主席|厅长)(?:是谁)|哪位领导|"
                         r"(?:主任)[^，。？?]{0,4}(?:什么级别)",
                         re.IGNORECASE),
    "live": re.compile(r"天气|气温|下雪|新闻|(?:今天)(?:的)?(?:天气|星期)|现在几点|最新|"
                       r"(?:现在|至今)[^，。？?]{0,8}?(?:共)?(?:有)?(?:多少|几)|"
                       r"weather|exchange rate",
                       re.IGNORECASE),
    # Instructions aimed at the assistant rather than questions about the document.
    "instruction": re.compile(r"忽略.{0,10}(?:规则)|(?:输出).{0,4}(?:全部|所有)(?:文件|条款)"
                              r"|ignore (?:all )?(?:previous) (?:instructions)",
                              re.IGNORECASE),
}
_REASONS = {"quantity": "文件没有规定相关的具体数额、比例或标准。", "time": "文件没有规定相关的具体时间。",
            "criteria": "文件没有规定相关的认定标准或条件。", "procedure": "文件没有规定具体的申请或办理流程、材料。",
            "contact": "文件不包含联系方式等信息。", "materials": "文件没有列出需要提交的材料。", "person": "文件不涉及具体人员。", "live": "文件不包含实时信息。",
            "instruction": "本助手只回答关于文件内容的问题，不执行其他指令；全文可在“政策原文”中查看，或用 assistant clauses 导出。"}
# Administrative levels a measure can be for; 国家 in 国家重点实验室 is the national level.
_LEVEL = re.compile(r"(?<!城)(国家|自治区|省|盟市|市)(?:级|(?=重点|技术创新|工程研究|工程技术))")


def _levels(text: str) -> set[str]:
    return set(_LEVEL.findall(text))
_COUNTED = re.compile(r"(?:哪几|几)(?:家|个|种|项)([\u4e00-\u9fff]{2,6})|"
                      r"([\u4e00-\u9fff]{2,6}?)(?:有|是|包括)?(?:哪几|哪些|几)(?:家|个|类|种|项|所)")
_ENUMERATION = re.compile(r"[\u4e00-\u9fff]{2,}(?:、[\u4e00-\u9fff“”]{2,}){1,}")
_COUNTING_LIST = re.compile(r"哪几|有几|几(?:个|家|类|种|项)")


_INDEFINITE = re.compile(r"有没有|能不能|可以.{0,12}吗|是否|吗[？?。]*$|([\u4e00-\u9fff]{1,2})不\1")
_QUANTITY_WORDS = re.compile(r"多少|比例|金额|额度|上限|百分之|标准|how much|how many", re.IGNORECASE)


def asked_types(question: str) -> list[str]:
    found = [name for name, pattern in _ASKS.items() if pattern.search(question)]
    # 手里有几项专利，…有什么说法: the last phrase asks; a count in the phrases before it is
    # the asker's (几项 = a few), not a question.
    phrases_ = [p for p in re.split(r"[，,；;。？?！!]", question) if p.strip()]
    if "quantity" in found and len(phrases_) > 1 and not _ASKS["quantity"].search(phrases_[-1]) \
            and re.search(r"什么|怎么|如何|哪|啥|咋|吗|有没有", phrases_[-1]):
        found.remove("quantity")
    # "挖几个人过来，有没有快通道": in a yes/no question 几 is "a few", not a question.
    if "quantity" in found and _INDEFINITE.search(question) and not _QUANTITY_WORDS.search(question):
        found.remove("quantity")
    return found


@dataclass
class Grounding:
    covered: bool
    reason: str = ""  # shown to the user when not covered
    offer_related: bool = False  # nearby clauses are worth offering
    hits: list = field(default_factory=list)  # the hits to answer from (re-ordered by constraints)


def ground(analysis, hits, documents, tokens: list[str] | None = None, corpus_documents=None) -> Grounding:
    """Check the question's constraints against the text it would be answered from.

    ``documents``: the documents searched; ``tokens``: the question's BM25 tokens;
    ``corpus_documents``: every document, to tell informative words from ubiquitous ones."""
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
    if foreign and analysis.yes_no and _ABOUT_TEXT.search(analysis.text):
        foreign = []  # 文件是不是说人才飞地要建在上海: what the text says decides (否, 北京市等地区)
    # 想跟内蒙古的高新区合作，在上海那边先孵化: a place beside the document's own is a
    # partner, not the scope (asking for another place's policy is caught below).
    if foreign and not set(analysis.places) - set(foreign):
        issuers = "、".join(dict.fromkeys(d.meta.issuer for d in documents if d.meta.issuer)) or "本地"
        return Grounding(False, f"文件是{issuers}的政策，不涉及{'、'.join(foreign)}。", True)
    other = other_document(analysis, documents)
    if other:
        return Grounding(False, f"文件库中没有{other}，无法回答其中的具体规定。", True)
    own_policy = _foreign_policy(analysis, documents)
    if own_policy:
        return Grounding(False, f"文件不是{own_policy}的政策，不涉及{own_policy}本地的规定。", True)
    hits = _prefer_years(analysis.years, hits, documents)
    if analysis.years:
        text = "".join(d.text for d in documents)
        missing = [y for y in analysis.years if y not in text]
        if missing:
            stated = sorted(set(re.findall(r"(20\d{2})年", text)))
            said = f"文件中出现的年份为{'、'.join(y + '年' for y in stated)}。" if stated else ""
            return Grounding(False, f"文件没有关于{'、'.join(y + '年' for y in missing)}的规定。{said}", True, hits)
    named = bool(analysis.clause_refs) and hits[0].clause in analysis.clause_refs
    if hits[0].score < MIN_SCORE and not named:  # 第十一条: the question names the clause itself
        return Grounding(False, "", False, hits)
    if analysis.years and set(analysis.asks_for) & {"time", "quantity"}:
        near = "".join(_clause_text(documents, h) for h in hits[:2])
        absent = [y for y in analysis.years if y not in near]
        if absent:  # 2023年度第二批什么时候截止, answered from a 2024 notice: not the asked year
            return Grounding(False, f"文件没有关于{'、'.join(y + '年' for y in absent)}的相关规定。", True, hits)
    hits = _prefer_typed(analysis, hits, documents, corpus_documents or documents, tokens)
    unstated, rival = _unstated_numbers(analysis, hits[:2], documents, corpus_documents)
    # 文件说连续三次排名靠后才取消，那两次没事吧: a number the question says the text states,
    # in a phrase of its own (not the one being verified), is a premise to correct.
    claimed = [n for n in unstated for p in re.split(r"[，,；;？?。]", analysis.text)
               if n in {a + b for a, b in _quantities(p)} and _STRONG_PREMISE.search(p) and not _VERIFYING.search(p)]
    if claimed:
        return Grounding(False, f"文件没有“{'、'.join(dict.fromkeys(claimed))}”这样的规定。", True, hits)
    # A yes/no question with a wrong number is answered 否 when the text states another
    # number of that kind (5家 for 3家); when it states none, the premise is not the document's.
    if unstated and (analysis.asked != "yes_no" or not rival):
        return Grounding(False, f"文件没有“{'、'.join(unstated)}”这样的规定。", True, hits)
    grams = informative(bigrams("".join(tokens or [])), corpus_documents or documents)
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", re.sub(r"(?:19|20)\d{2}年?", "", analysis.text)))
    # A sentence is read with its clause's title: the title often carries the topic.
    # Only clauses nearly as relevant as the best may supply the asked date or amount: 到2025年
    # in a distant clause is no answer to when 5G coverage is due.
    sources = [h for h in hits[:2] if h is hits[0] or h.score >= TYPED_RATIO * hits[0].score]
    sentences = [(title, s) for h in sources for title, s in _sentences(documents, h)]
    for kind in analysis.asks_for:
        if kind not in HAS:
            continue
        if kind in ("quantity", "time") and analysis.kind in ("responsibility", "department"):
            continue  # 几个责任单位: counted from the department list, not a number in the text
        typed = [(title, s) for title, s in sentences if HAS[kind].search(s)]
        listing: list[str] = []
        if kind == "quantity" and _COUNTING_LIST.search(analysis.text):
            # 哪几个: a list answers it, if it lists the asked thing (评估机构有哪几家 needs 评估机构).
            found = _COUNTED.search(analysis.text)
            noun = (found.group(1) or found.group(2)[-4:]).lstrip("的") if found else ""
            listing = [s for t, s in sentences if _ENUMERATION.search(s)
                       and (not noun or noun[:2] in _clause_text_of(documents, s))]
        # The typed sentence must also be about the question (share content words or a
        # number the question names), unless the question has no Chinese content (English).
        if kind == "time" and STAGE.search(analysis.text):
            # 远期目标定到哪一年: a stage of the targets is asked; any target year about targets answers.
            listing += [s for title, s in typed if "目标" in title + s or "到" in s[:3]]
        about = listing + [s for title, s in typed
                           if overlap(grams, _read_with(kind, title, s, _clause_text_of(documents, s)))
                           + 2 * sum(1 for n in numbers if n in s) >= SENTENCE_OVERLAP
                           and _typed_phrase_about(kind, title, s, grams, numbers, _clause_text_of(documents, s))]
        levels = _levels(analysis.text)
        if levels and kind in ("quantity", "time", "criteria"):
            # 市级重点实验室给多少钱, where the text gives amounts for 国家级 and 自治区级 ones only:
            # a sentence that sets levels apart must name the asked one.
            about = [s for s in about if not _levels(s) or levels & _levels(s)]
        if not about and (typed == [] or grams):
            return Grounding(False, _REASONS[kind], True, hits)
    noun = _listed_noun(analysis.text) if analysis.kind not in ("responsibility", "department") else ""
    if noun and not any(noun[:2] in _clause_text(documents, h) or _names_instances(noun, _clause_text(documents, h))
                        for h in hits[:2]):
        # 评估机构有哪几家: the answer is a list of 评估机构, which the text would have to name.
        return Grounding(False, f"文件没有列出具体的{noun}。", True, hits)
    return Grounding(True, hits=hits)


_LIST_AFTER = re.compile(r"哪(?:几|些)(?:个|类|种|项|所|条)([\u4e00-\u9fff]{2,4})")
_LIST_BEFORE = re.compile(r"哪(?:几|些)(?:家|个|类|种|项|所)")  # the noun before it: _nouns_before_which


# What a question presents as the document's content: 既然文件要求…, 文件第五部分讲的…, 听说…
_PREMISE = re.compile(r"(?:既然)?(?:文件(?:(?!有没有|是否|是不是|有无|哪)[^，。？?]){0,8}?"
                      r"(?:要求|规定|提到|说|讲的|明确)|既然|听说)(?:了|的)?([^，。？?！!]{4,30})")
# Words that make a phrase a question (where a premise ends; which phrases of a long question ask).
_ASKING = re.compile(r"怎么|怎样|如何|什么|啥|咋|哪|多少|几|吗|呢|么$|是否|能不能|有没有|是不是|对不对|对吧|来着")
# Words too general to tell whether a premise is the document's.
_FUNCTION_WORDS = {"包括", "部分", "每个", "可以", "不能", "年前", "以上", "以下", "要求", "这样", "那样"}


def unfounded_premise(question: str, documents) -> str:
    """A premise with two or more words the documents never use (既然文件要求管委会全部改制成
    国有公司: 改制, 国有): the question rests on content the documents lack. Judged on the
    premise alone (up to where the question starts), with synonyms folded (高企)."""
    from assistant import lexicons

    matches = [m for m in _PREMISE.finditer(question)]
    if not matches:
        return ""
    text = compact_text(documents)
    synonyms = lexicons.synonyms()
    for match in matches:
        premise = _ASKING.split(match.group(1))[0]
        import jieba.posseg as posseg

        # Two or more unknown words, at least one of them a thing (改制 + 国有): verbs alone
        # (设个点, 留住) paraphrase what a text says.
        words = [t.word for t in posseg.lcut(premise) if len(t.word) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", t.word)
                 and t.word not in _FUNCTION_WORDS and t.flag in ("n", "vn", "nz", "ns", "nt", "an", "b", "v")]
        absent = [w for w in words if w not in text and synonyms.get(w, w) not in text]
        things = [t.word for t in posseg.lcut(premise) if t.word in absent and t.flag != "v"]
        if len(absent) >= 2 and things:
            return premise
    return ""


_COPULA = re.compile(r"(?:是不是|是否|(?<![不还只就总也都])是)([^，,；;？?。！!是]{1,20}?)(?:的)?(?:吗|么)?[？?。！!]*$")
# 文件有没有规定每年评价一次: asks what the text states, like a copula question.
_STATES = re.compile(r"(?:有没有|是不是)(?:规定|提到|说|要求|写)(?:了)?([^，,；;？?。！!]{2,24})")
_NOT_CONTENT = {"拿到", "得到", "获得", "享受", "提到", "这类", "这种", "那种", "真的", "只有", "只能", "必须", "一定", "所有", "全部", "都是", "要求", "可以", "需要", "应该", "给予",
                "支持", "鼓励", "负责", "管理", "规定", "文件", "我们", "他们", "这个", "那个", "这样"}


_REFLEXIVE = "自己"  # the reflexive pronoun: who acts, no property


def unconfirmed_property(question: str, documents) -> list[str]:
    """A yes/no question that asks whether something *is* so (是免费住的吗, 是不是免房租,
    是每年评一次吗, 是不是要求硕士以上学历) with words the documents never use: nothing in
    the text can confirm it. Only the copula form: 有没有/能不能 questions ask whether support
    exists, which a text often grants in its own words (专利 → 知识产权)."""
    from assistant.answering.gloss import glossed_terms, is_english

    if is_english(question):  # Are the talent apartments free of charge? — by its glossed terms
        if not re.match(r"\s*(?:is|are|was|were)\b", question, re.IGNORECASE):
            return []
        text = compact_text(documents)
        return [t for t in glossed_terms(re.sub(r"（[^）]*）$", "", question)) if t not in text and t not in _NOT_CONTENT]
    parts = [p for p in re.split(r"[，,；;。！!]", question) if p.strip()]
    asking = [p for p in parts if re.search(r"是不是|是否|吗|么[？?]*$|有没有", p)]
    if not asking:
        return []
    stated = _STATES.search(asking[-1])
    match = stated or _COPULA.search(asking[-1].strip())
    if match and re.search(r"怎么|怎样|如何|什么|哪|啥|咋|多少", match.group(1)):
        return []  # 有没有说审批怎么提速: asks what the text says, not whether it says X
    if not match or re.match(r"能|得|要(?!求)|会|可|应|该|需|必须|由|在|被", match.group(1)):
        return []  # 是不是能简单点 / 是由…安排的: an action or an actor, not a property
    text = compact_text(documents)
    import jieba.posseg

    # Adverbs (一直, 大概) and the reflexive 自己 describe no property the text could state.
    words = [p.word for p in jieba.posseg.cut(match.group(1)) if len(p.word) >= 2 and not p.flag.startswith("d")
             and p.word != _REFLEXIVE and re.fullmatch(r"[\u4e00-\u9fff]+", p.word)]
    numeral = re.compile(r"^[一二两三四五六七八九十百千万几]+[次个年项家条]?$")
    return [w for w in words if w not in text and w not in _NOT_CONTENT and w not in _FUNCTION_WORDS
            and not numeral.match(w) and not any(w[i:i + 2] in text for i in range(len(w) - 1) if len(w) > 2)
            and not (w[0] in "要能会可应该得需想去来" and w[1:] in text)]  # 要建: 建 with a modal


_ABOUT_TEXT = re.compile(r"文件(?:里)?(?:是不是|有没有)?(?:说|写|提|规定|要求)")


def _names_instances(noun: str, text: str) -> bool:
    """哪几个城市 is answered by a text naming cities (呼和浩特、包头、鄂尔多斯), not the word 城市."""
    from assistant.answering.places import places_named

    if re.match(r"园区|高新区|开发区|园", noun):  # 哪几个园区: named zones
        return len(set(re.findall(r"[\u4e00-\u9fff]{2,8}?(?:国家级)?高新区", text))) >= 2
    return bool(re.match(r"城市|盟市|地区|地方|城|市", noun)) and len(places_named(text)) >= 2


def _listed_noun(text: str) -> str:
    """What a "which ones" question asks to be listed: 哪几个科学院 → 科学院, 评估机构有哪几家 →
    评估机构. Before 哪几/哪些 the list's noun is the nouns just before it (jieba's parts of
    speech), past a joining 有/是/包括: 大概指哪几类 and 都列举了哪些 name no noun to list."""
    after = _LIST_AFTER.search(text)
    if after:
        noun = after.group(1)
    elif _LIST_BEFORE.search(text):
        noun = _nouns_before_which(text)
    else:
        noun = ""
    return "" if noun.endswith("的") else noun  # 牵头落实的是哪几家: a role, not a noun to list


def _nouns_before_which(text: str) -> str:
    import jieba.posseg

    words = list(jieba.posseg.cut(text))
    end = next((i for i, w in enumerate(words) if w.word.startswith("哪")), len(words))
    i = end
    while i > 0 and words[i - 1].word in ("有", "是", "包括"):
        i -= 1
    nouns = []
    while i > 0 and (words[i - 1].flag[0] == "n" or words[i - 1].flag == "vn") and len(nouns) < 2:
        nouns.insert(0, words[i - 1].word)
        i -= 1
    return "".join(nouns)[-4:]


# Stages of a plan's targets: the earliest target year is the near/mid-term one, the last the long-term.
STAGE = re.compile(r"近期|中期|远期|长期|远景|最终")


def _read_with(kind: str, title: str, sentence: str, clause_text: str) -> str:
    """A sentence as read for the question: with its clause title, and a date that opens it
    with everything that date governs."""
    opens_with_date = kind == "time" and HAS["time"].search(phrases(sentence)[0] if phrases(sentence) else "")
    return title + (_scope(clause_text, sentence) if opens_with_date else sentence)


def _scope(clause_text: str, sentence: str) -> str:
    """The stretch a sentence-opening date governs: up to the next sentence-opening date, or
    the clause's end (到2025年，…盟市全覆盖；…。发展环境明显改善，…。到2035年，…)."""
    start = clause_text.find(sentence)
    if start < 0:
        return sentence
    following = re.search(r"(?<=[。；])[^。；，]*?\d{4}\s*年", clause_text[start + len(sentence):])
    end = start + len(sentence) + following.start() if following else len(clause_text)
    return clause_text[start:end]


def _typed_phrase_about(kind: str, title: str, sentence: str, grams: set[str], numbers: set[str],
                        clause_text: str = "") -> bool:
    """The asked content must be stated about what is asked: the phrase holding the date or
    amount (with the phrases beside it, which often hold its subject) shares a word or a
    number with the question. 要限期整改 is no answer to 多久后可以重新申请, though the
    sentence around it speaks of the same 高新区资格."""
    if not grams and not numbers:
        return True  # nothing to compare (an English question)
    parts = phrases(sentence)
    for i, part in enumerate(parts):
        if HAS[kind].search(part):
            # A date opening the sentence (到2025年，…) sets the time of the whole sentence.
            context = title + _scope(clause_text, sentence) if i == 0 else "".join(parts[i - 1:i + 2])
            if overlap(grams, context) or any(n in part for n in numbers):
                return True
    return False


def _sentences(documents, hit) -> list[tuple[str, str]]:
    doc = next((d for d in documents if d.doc_id == hit.doc_id), None)
    if doc is None:
        return [(hit.title, s) for s in hit.sentences]
    clause = doc.clause(hit.clause)
    return [(clause.title, s) for s in clause.sentences]


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


def _prefer_typed(analysis, hits, documents, corpus_documents, tokens) -> list:
    """For a date or amount question, a clause scoring nearly as well as the best that states
    that kind of content about the question answers first (盟市全覆盖哪一年: the 发展目标
    clause's 到2025年, not the 布局 clause that speaks of 盟市 without a date)."""
    kinds = [k for k in analysis.asks_for if k in ("time", "quantity")]
    if not kinds or not hits:
        return hits
    grams = informative(bigrams("".join(tokens or [])), corpus_documents)
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", re.sub(r"(?:19|20)\d{2}年?", "", analysis.text)))

    def states(hit) -> bool:
        text = _clause_text(documents, hit)
        staged = STAGE.search(analysis.text)
        return any(HAS[k].search(s) and (overlap(grams, _read_with(k, t, s, text)) >= SENTENCE_OVERLAP
                                         and _typed_phrase_about(k, t, s, grams, numbers, text)
                                         or k == "time" and staged and "目标" in t + s)
                   for k in kinds for t, s in _sentences(documents, hit))

    if states(hits[0]):
        return hits
    lead = hits[0].score
    staged = bool(STAGE.search(analysis.text))  # 远期目标: the clause setting the targets, wherever it ranks
    for hit in hits[1:5]:
        if (staged or hit.score >= TYPED_RATIO * lead) and states(hit):
            return [hit] + [h for h in hits if h is not hit]
    return hits


def informative(grams: set[str], documents) -> set[str]:
    """Question bigrams that tell clauses apart: one found in most clauses (高新 in a
    document about 高新区) is no evidence that a sentence is about the question."""
    frequency, total = clause_frequency(documents)
    if total < 4:
        return grams
    return {g for g in grams if frequency(g) <= 0.5 * total}


# A Chinese numeral with a unit; a lone 一 (一个, 一家, 哪一年) is an article, not a number.
_CN_COUNT = re.compile(r"(?<![哪某每第几数零〇一二两三四五六七八九十百千万])(?![零〇一二两三四五六七八九十百千万]*(?:几|多|来|余))(?!一(?![零〇一二两三四五六七八九十百千万]))([零〇一二两三四五六七八九十百千万]+)(?=(?:个|家|年|项|名|人|天|月|倍|次|亿|万|所|批|类|条|成|市|%))")
_STATED = re.compile(r"(\d+(?:\.\d+)?)\s*(%|[个家年次项名人天月倍亿万所批类条成元市])?")


def _quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs a text states, Chinese numerals with a unit read as digits (三年 → 3, 年)."""
    from assistant.ingest.markers import cn_to_int

    def digits(match: re.Match) -> str:
        try:
            return str(cn_to_int(match.group(1)))
        except ValueError:
            return match.group(1)

    text = _CN_COUNT.sub(digits, re.sub(r"(?:20)\d{2}(?:\s*年|(?![\d%.]))", "", text))
    found = {(number, unit or "") for number, unit in _STATED.findall(text)}
    return found | {(n, "个") for n, u in found if u == "市"}  # 呼包鄂三市 counts three (个) cities


_VERIFYING = re.compile(r"吗|么$|呢$|是不是|是否|对不对|对吧|对吗|有没有|能不能")
_STRONG_PREMISE = re.compile(r"文件(?:里)?(?:说|规定)|听说|既然")


_PREMISE_MARK = re.compile(r"听说|既然|文件|规定|要求")
_PERSON = re.compile(r"我|咱|俺|他们|我司")


def _without_descriptions(question: str) -> str:
    """The question without what askers say about themselves or their clients (注册了三年,
    八十来号人, 营收这两年翻倍了): those numbers are facts about the asker, not claims about
    the document. Kept: the phrases that ask or state a premise (听说/文件要求…) and name no person."""
    sentences = [s for s in re.split(r"(?<=[。？?！!])", question) if s.strip()]
    if len(sentences) > 1 or _PERSON.search(question) or len(re.split(r"[，,；;]", question)) >= 3:
        # Only the asking phrases count (我们是…公司，员工80人，…，有支持吗？ → 有支持吗).
        phrases_ = [p for p in re.split(r"[，,；;。？?！!]", question) if p.strip()]
        asking = [p for p in phrases_ if (_ASKING.search(p) or _PREMISE_MARK.search(p)) and not _PERSON.search(p)]
        return "，".join(asking)
    return question


def _phrase_grams(question: str, number: str, unit: str, documents) -> set[str]:
    """Distinctive words of the question's phrase that holds ``number`` + ``unit``."""
    for part in re.split(r"[，,。？?！!；;、]", question):
        if (number, unit) in _quantities(part):
            return informative(bigrams(part), documents)
    return set()


def _stated_about(number: str, unit: str, grams: set[str], texts: list[tuple[str, str]]) -> bool:
    """Whether a (title, text) states the number in a phrase that (with its neighbours and
    the clause title) shares a word with the question's phrase."""
    if not grams:
        return True  # nothing to compare: the number alone decides
    for title, text in texts:
        parts = re.split(r"[，。；：]", text)
        for i, part in enumerate(parts):
            if (number, unit) in _quantities(part) and overlap(grams, title + "".join(parts[max(i - 1, 0):i + 2])):
                return True
    return False


_CLASSIFIERS = "个家所项类种"


def _listed_counts(clause_text: str, question: str) -> set[tuple[str, str]]:
    """An enumeration states its count (呼和浩特金山国家级高新区、包头…、鄂尔多斯…高新区: 3个),
    when the question names what its items share (高新区): 依托四个高新区 is then a number the
    text decides."""
    out = set()
    for listing in _ENUMERATION.findall(clause_text):
        items = [i.strip("“”") for i in listing.split("、")]
        # The last item runs on into the sentence (…鄂尔多斯国家级高新区持续给予政策支持): the
        # shared ending is read off the others and must occur in it.
        head = os.path.commonprefix([i[::-1] for i in items[:-1]])[::-1]
        if len(head) >= 2 and head in items[-1] and head in question:
            out |= {(str(len(items)), unit) for unit in _CLASSIFIERS}
    return out


def _unstated_numbers(analysis, hits, documents, corpus_documents=None) -> tuple[list[str], bool]:
    """Numbers a question asserts (免税五年, 300万, 连续三年增长30%) that the clauses it
    would be answered from never state: the premise is not the document's. A number is
    read with its unit: 三年内 is not stated by a text that says 连续两次. Also says whether
    the text states another number of an asked unit (then a yes/no question is answered 否)."""
    text = _without_descriptions(analysis.text)
    for number in analysis.doc_numbers:  # a 文号's digits are no quantity
        text = text.replace(number, " ")
    text = re.sub(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号", " ", text)
    text = re.sub(r"(?:发)\s*\d+\s*号", " ", text)  # 内政发13号文
    # 赤峰、通辽两个高新区: a count summing up the question's own list is no premise.
    text = re.sub(r"((?:[\u4e00-\u9fff]{1,8}、)+[\u4e00-\u9fff]{1,8})[一二两三四五六七八九十\d]+(?:个|家|项|条)", r"\1", text)
    # The question's own framing is no premise: 哪两个年份, 分了两个阶段, 三个方面.
    text = re.sub(r"[哪这那][一二两三四五六七八九十\d]+|[一二两三四五六七八九十\d]+个(?=阶段|方面|部分|层次|步骤|环节|节点|时间节点|年份)",
                  " ", text)
    refs = {str(n) for n in analysis.clause_refs}
    asked = {(n, u) for n, u in _quantities(text) if n not in refs}
    if not asked:
        return [], False
    stated: set[tuple[str, str]] = set()
    counted: set[tuple[str, str]] = set()  # a list's count is about what the question names
    texts = []
    for hit in hits:
        doc = next((d for d in documents if d.doc_id == hit.doc_id), None)
        if doc:
            clause = doc.clause(hit.clause)
            texts.append((clause.title, clause.text))
            counted |= _listed_counts(clause.text, text)
            stated |= _quantities(clause.text) | counted
    numbers = {n for n, _ in stated}
    units = {u for _, u in stated}
    missing = [(n, u) for n, u in asked if ((n, u) not in stated if u else n not in numbers)]
    # 博士后每月5000元生活补贴 is not stated by 每件专利给予5000元资助: the same amount, said of
    # something else. A number counts as stated where its phrase shares a word with the
    # question's phrase around the number.
    missing += [(n, u) for n, u in asked if u and (n, u) in stated and (n, u) not in counted
                and not _stated_about(n, u, _phrase_grams(text, n, u, corpus_documents or documents), texts)]
    rival = any(not u or u in units for _, u in missing)
    return sorted(n + u for n, u in missing), rival


_TITLE = re.compile(r"《([^》]{2,60})》")


def other_document(analysis, documents, any_question: bool = False) -> str:
    """A question about the contents of a document named in 《》 that is not in the corpus
    (《“科技兴蒙”政策措施》里…怎么算, 《某某条例》第十条) asks about that document, not ours.
    ``any_question``: whatever is asked (a clause number names that document's clause)."""
    if not any_question and not set(analysis.asks_for) & {"quantity", "procedure", "criteria", "time", "materials"}:
        return ""
    for title in _TITLE.findall(analysis.text):
        if not any(title in d.meta.title or d.meta.title in title for d in documents):
            return f"《{title}》"
    return ""


_POLICY_OF = "(?:的)?[^，。？?]{0,8}(?:政策|补贴|规定|办法|优惠)"


def _foreign_policy(analysis, documents) -> str:
    """A place the document mentions but does not govern (北京, where it sets up 人才飞地),
    asked about as the owner of a policy (北京中关村的人才政策)."""
    from assistant.answering.places import jurisdiction

    own = {p for d in documents for p in jurisdiction(d)}
    from assistant.answering.places import covers_place
    for place in analysis.places:
        if place in own or any(covers_place(d, place) and place not in _mentioned_only(d, place) for d in documents):
            continue
        if re.search(re.escape(place) + r"[\u4e00-\u9fff]{0,6}?" + _POLICY_OF, analysis.text):
            return place
    return ""


def _mentioned_only(document, place) -> set[str]:
    """{place} when the document names it but it lies outside the document's jurisdiction."""
    from assistant.answering.places import _by_form, jurisdiction

    info = _by_form().get(place)
    own = jurisdiction(document)
    inside = info is not None and any(o == place or info.province == o for o in own)
    return set() if inside else {place}


def _clause_text(documents, hit) -> str:
    doc = next((d for d in documents if d.doc_id == hit.doc_id), None)
    return doc.clause(hit.clause).text if doc else ""


def _clause_text_of(documents, sentence: str) -> str:
    for doc in documents:
        for clause in doc.clauses:
            if sentence in clause.text:
                return clause.text
    return sentence
