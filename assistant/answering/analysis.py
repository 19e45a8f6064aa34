"""Question analysis as a record: what is asked, about what, under which constraints.

:func:`analyze` reads a cleaned question once and returns a :class:`QuestionAnalysis` that
every later step uses — retrieval (which documents, which clause numbers), grounding (are
the constraints met by the quoted text?) and composition (which direct answer to give).
It is shown as ``analysis`` in ``--json`` and in the web app's debug panel.

The rules are patterns of how people ask (question words, sentence frames) and lexicons
that are complete for their class (places, department names, metadata fields) — never a
list of known questions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from assistant.answering import intent as forms
from assistant.ingest.markers import LAST_CLAUSE, clause_references

# A year the question asks about: 2030年, 2030, 二〇三〇年.
_YEAR = re.compile(r"(?<!\d)((?:20)\d{2})(?:\s*年|(?!\d))|([〇零一二三四五六七八九]{4})年")
# 文号: an organ abbreviation (内政发, 包府办发, 内科高字, 国办函 …), 〔year〕, number, 号.
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,5}(?:发|字)\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
_SHORT_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,4}(?:发))\s*(\d+)\s*号")
_JOINER = re.compile(r"^(?:是否|不是|是|和|与|及|或|跟|同|、|的|为)+")
_CN_YEAR = dict(zip("〇零一二三四五六七八九", "0012345678 9".replace(" ", "")))

# Yes/no form: 是否/是不是/有没有/能不能/…吗, and English auxiliaries at the start.
_YES_NO = re.compile(
    r"是否|是不是|有没有|能不能|会不会|要不要|对不对|对吧|对吗|真的假的|是真的吗|([\u4e00-\u9fff]{1,2})不\1|吗(?=[？?。.!！，,；;]|$)|吧(?=[？?。，,！!]|$)|^(?:听说)[^？?]*[？?]$|(?<![什怎多这那要])么[？?]*$"
    r"|(?:^|[,;.]\s*)(?:is|are|does|can|could|will)\b(?=[^,;]*\?\s*(?:（[^）]*）)?\s*$)",
    re.IGNORECASE)
# What is asked for, by question form.
_NUMBER = re.compile(r"多少|(?<!哪)几(?:家|个|次|年|项|成|百|条|类|批|种)|比例|比重|百分之|金额|额度|上限|"
                     r"占比|强度|how (?:much|many)", re.IGNORECASE)
_NUMBER_WH = re.compile(r"多少|(?<!哪)几(?:家|个|次|年|项|成|百|条|类|批|种)|百分之几|how (?:much|many)",
                        re.IGNORECASE)
_DATE = re.compile(r"什么时候|何时|哪年|哪一年|年份|哪天|截止|期限|多久|时间节点|到哪年|\bwhen\b|deadline",
                   re.IGNORECASE)
_LIST = re.compile(r"哪些|哪几|有什么|有啥|列举|都有|\bwhat are\b|\blist\b|\bwhich\b", re.IGNORECASE)
# Questions about the document's structure rather than one measure's content.
_STRUCTURE = re.compile(
    r"几个大?部分|几大?部分|分为几|分成几|分几|多少条(?![\u4e00-\u9fff])|(?:一共)\s*\d+\s*条|几条(?![\u4e00-\u9fff])|(?:多少)条(?:具体)?(?:措施)|几章"
    r"|第\s*[一二三四五六七八九十]+\s*(?:部分|章)|(?:文件)的?(?:总体)?(?:结构)|目录|各部分|哪个部分|哪一部分|属于.{0,6}部分|(?:哪)一?(?:大块)"
    r"|前言|开头|序言|贯彻的|背景|为啥要出|follows up on|依据(?:哪)|贯彻落实(?:哪)|上位文件"
    r"|依据的|国务院.{0,8}(?:意见|文件)|结合了|还结合|简称"
    r"|这部分|那部分|这一部分|最后一个?部分|部分(?:有)|(?:包括|包含|有)(?:哪些|哪几|哪[两三四五六七八九十])条|[一二三四五六七八九十]+个部分|部分的标题|最后一条"
    r"|how many (?:sections|parts)|which (?:section)|(?:section)\s+(?:five|six)\b|\bpreamble\b|\bstructure\b|\boutline\b",
    re.IGNORECASE)
# Asking for support or benefits: what makes an applicant's question an eligibility question.
_SUPPORT = re.compile(r"享受|得到|获得|拿到|申请|申报|支持|扶持|优惠|补贴|奖励|资助|政策|措施|能不能|可以"
                      r"|support|subsid", re.IGNORECASE)
_SECTION_REF = re.compile(r"第\s*([一二三四五六七八九十]+)\s*(?:部分|章)|([一二三四五六七八九十]+)、|"
                          r"(?:section)\s+(five|six)\b", re.IGNORECASE)
_ENGLISH_NUMBER = dict(zip("one two three four five six seven eight nine ten".split(), range(1, 11)))
# Requests to invent or rewrite policy: not questions about the document.
_FABRICATE = re.compile(
    r"(?:帮我|请你)\s*(?:编|起草|写|设计)"
    r"(?:一)*.{0,16}?(?:政策|文件|条款|细则|稿子|总结|申请书)",
    re.IGNORECASE)
# Joint responsibility: 发改委和科技厅共同负责 / both … and ….
_JOINT = re.compile(r"共同|一起|一块儿?|都(?:要)?(?:负责|是|出现|在|列)|同为|同时|联合|both\b", re.IGNORECASE)


@dataclass
class QuestionAnalysis:
    text: str  # the cleaned, simplified question
    kind: str  # responsibility | department | eligibility | metadata | clause | structure | general
    asked: str  # number | date | yes_no | department | list | section | content | eligibility | metadata | clause
    yes_no: bool = False
    clause_refs: list[int] = field(default_factory=list)
    section_refs: list[int] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    department_mode: str = "or"  # "and" when the question asks what they do together
    applicants: list[str] = field(default_factory=list)
    need: str = ""  # what an applicant asks for, the question without who they are
    metadata_fields: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)  # documents the question names
    preferred: list[str] = field(default_factory=list)  # documents in the order answers list them
    years: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # places named (short names)
    asks_for: list[str] = field(default_factory=list)  # quantity, time, criteria, procedure, contact …
    fabricate: bool = False
    corrections: dict[str, str] = field(default_factory=dict)  # typo → corpus term
    verdict: dict = field(default_factory=dict)  # a yes/no claim's evidence and P(stated) (answering.verdicts)

    def to_dict(self) -> dict:
        return asdict(self)


_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)")


def normalize_numbers(text: str) -> str:
    """Spell percentages the way documents print them: 百分之二十 → 20%, 百分之一点五 → 1.5%,
    一半 → 50%."""
    from assistant.ingest.markers import cn_to_int

    def percent(match: re.Match) -> str:
        whole, _, frac = match.group(1).partition("点")
        try:
            number = str(cn_to_int(whole))
        except ValueError:
            return match.group(0)
        digits = "".join(str("零一二三四五六七八九".find(ch)) if ch in "零一二三四五六七八九" else "0" for ch in frac)
        return f"{number}.{digits}%" if frac else f"{number}%"

    text = _PERCENT.sub(percent, text).replace("一半", "50%")
    # 到25年 / 25年底: a two-digit target year is this century's.
    return re.sub(r"(?<![\d.])([2-5]\d)(?=年(?!内|来|后|间|以|多|左右|期|龄))", lambda m: "20" + m.group(1), text)


def years_in(text: str) -> list[str]:
    out = []
    for digits, chinese in _YEAR.findall(text or ""):
        year = digits or "".join(_CN_YEAR.get(ch, "") for ch in chinese)
        if len(year) == 4 and year not in out:
            out.append(year)
    return out


def doc_numbers_in(text: str, known=()) -> list[str]:
    """文号 a question names. A short form without the year (内政发13号文) is read as the
    corpus's 文号 with that organ and number when there is exactly one."""
    found = [_JOINER.sub("", re.sub(r"\s+", "", m)) for m in _DOC_NUMBER.findall(text or "")]
    for organ, number in _SHORT_DOC_NUMBER.findall(_DOC_NUMBER.sub(" ", text or "")):
        full = []
        for k in known:
            parts = re.fullmatch(r"(\S+?)[〔\[［(（]\d{4}[〕\]］)）](\d+)号", k)
            if parts and organ.endswith(parts.group(1)) and parts.group(2) == number:
                full.append(k)
        # Unknown: keep the shortest organ reading (一下内政发 → 内政发) to name it back.
        found.append(full[0] if len(full) == 1 else f"{organ[-3:]}{number}号")
    return found


def section_references(text: str, documents=()) -> list[int]:
    """Parts a question names: 第三部分, 三、, or a part's own title (强化高新区创新能力这部分)."""
    from assistant.ingest.markers import cn_to_int

    out = [s.number for d in documents for s in d.sections if len(s.title) >= 2 and re.search(
        re.escape(s.title) + r"\s*(?:这|这一)?(?:个)?(?:部分|有|下面)", text)]
    if not out and re.search(r"最后一个?(?:部分)|last (?:part)", text or "", re.IGNORECASE):
        out = [d.sections[-1].number for d in documents if d.sections][:1]
    if not out and _PART_WORD.search(text or ""):
        out = _part_by_fragment(text, documents)
    for first, second, english in _SECTION_REF.findall(text or ""):
        number = (int(english) if english.isdigit() else _ENGLISH_NUMBER[english.lower()]) if english else cn_to_int(first or second)
        if number not in out:
            out.append(number)
    return out


_PART_WORD = re.compile(r"部分|大项|章")


def _part_by_fragment(text: str, documents) -> list[int]:
    """讲跨区域合作的那部分: the one part whose title shares a run of four or more characters
    with the question that no other part's title has (六、推动跨区域合作创新)."""
    from difflib import SequenceMatcher

    found = []
    sections = [s for d in documents for s in d.sections if len(s.title) >= 4]
    for section in sections:
        match = SequenceMatcher(None, section.title, text, autojunk=False).find_longest_match(
            0, len(section.title), 0, len(text))
        run = section.title[match.a:match.a + match.size]
        if match.size >= 4 and not any(run in other.title for other in sections if other is not section):
            found.append(section.number)
    return found if len(found) == 1 else []


def known_doc_numbers(documents) -> list[str]:
    """The documents' own 文号, without whitespace."""
    return [re.sub(r"\s+", "", d.meta.doc_number) for d in documents if d.meta.doc_number]


_A_PART = re.compile(r"[这那]一?部分")


def analyze(text: str, corpus, departments_index=None, doc_ids=None) -> QuestionAnalysis:
    """Analyse a cleaned, simplified question against the corpus it will be answered from.

    ``departments_index``: the department lexicon to look names up in (the corpus-wide one
    by default); ``doc_ids``: the documents the question was routed to."""
    from assistant.answering.grounding import asked_types
    from assistant.answering.places import places_named

    index = departments_index or corpus.departments
    # 最后一条谁负责: the last clause of the one document asked about is a clause like any other.
    docs = [d for d in corpus.documents if not doc_ids or d.doc_id in doc_ids]
    refs = clause_references(text, docs[0].clauses[-1].number if len(docs) == 1 and docs[0].clauses else None)
    departments = index.find_in(text)
    metadata = forms.metadata_fields(text)
    applicants = forms.find_applicants(text)
    yes_no = bool(_YES_NO.search(text.strip()))
    # 开头引用的那个国务院文件是哪年发的: the preamble's document, not this one's date.
    structure = bool(_STRUCTURE.search(LAST_CLAUSE.sub("", text) if refs else text)) and (
        not metadata or bool(section_references(text)) or bool(forms.PREAMBLE_WORDS.search(text)))
    if structure and _A_PART.search(text) and not _STRUCTURE.search(_A_PART.sub("", text)) and not section_references(
            text, corpus.documents):
        structure = False  # 对外开放合作那部分讲什么: no section is so named — the words name a clause's topic
    analysis = QuestionAnalysis(
        text=text, kind="general", asked="content", yes_no=yes_no, clause_refs=refs,
        section_refs=section_references(text, corpus.documents) if structure else [],
        departments=departments, applicants=applicants, metadata_fields=metadata,
        doc_ids=list(doc_ids or []), years=years_in(text), doc_numbers=doc_numbers_in(text, known_doc_numbers(corpus.documents)),
        places=places_named(text), asks_for=asked_types(text), fabricate=bool(_FABRICATE.search(text)),
    )
    if len(departments) > 1 and _JOINT.search(text):
        analysis.department_mode = "and"
    analysis.kind = forms.detect_kind(text, refs, departments, metadata, applicants, structure)
    known = set(known_doc_numbers(corpus.documents))
    if analysis.kind == "general" and analysis.doc_numbers and metadata and set(analysis.doc_numbers) <= known:
        analysis.kind = "metadata"  # 内政发13号文落款写的日期: the named document's field
    elif analysis.kind == "general" and analysis.doc_numbers and yes_no:
        analysis.kind, analysis.metadata_fields = "metadata", ["doc_number"]  # 是不是内政发〔2021〕12号
    if analysis.kind == "eligibility" and (_NUMBER.search(text) or _DATE.search(text)) and not _SUPPORT.search(text):
        analysis.kind = "general"  # 我们是…企业，高新技术企业要占到多大比例: a number is asked; who asks is context
    analysis.asked = _asked(text, analysis)
    if analysis.kind == "eligibility":
        analysis.need = forms.need_of(text)
    return analysis


def _asked(text: str, analysis: QuestionAnalysis) -> str:
    if analysis.kind == "metadata":
        return "metadata"
    if analysis.kind in ("responsibility",):
        return "yes_no" if analysis.yes_no and analysis.departments else "department"
    if analysis.kind == "department":
        return "list"
    if analysis.kind == "structure":
        return "section"
    if analysis.kind == "eligibility":
        return "eligibility"
    if analysis.yes_no:
        return "yes_no"
    # 研发投入强度哪年完成: a date is asked; 强度 only names what is dated.
    if _DATE.search(text) and not _NUMBER_WH.search(text):
        return "date"
    if _NUMBER.search(text):
        return "number"
    if _DATE.search(text):
        return "date"
    if analysis.kind == "clause":
        return "clause"
    if _LIST.search(text):
        return "list"
    return "content"
