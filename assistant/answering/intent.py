"""Question forms: how people ask, as patterns — the kind of a question is decided here.

Kinds: ``clause`` (第十二条讲什么), ``metadata`` (文号, 成文日期 …), ``structure`` (sections,
preamble, how many clauses), ``department`` (a department as the subject, asking for its
tasks), ``responsibility`` (who is responsible for a measure), ``eligibility`` (an
applicant type asking what it can get), ``general``. The rules are question words and
sentence frames — never a list of known questions. Metadata questions are recognised by
the field they ask for, from one table (:data:`FIELD_FORMS`, keyed like
:data:`~assistant.ingest.records.META_FIELDS`).
"""

from __future__ import annotations

import re


# Who is responsible: 谁负责 / 哪个部门 / 责任单位 / 归…管 / 找谁 / which department.
_RESPONSIBILITY = re.compile(
    r"谁(?:来)?(?:负责|牵头|抓|落实)|由谁|哪(?:几个|个|些)?(?:部门|单位|机关)|责任(?:单位|部门)"
    r"|牵头(?:单位|部门)|主管部门|负责(?:部门)|归.{0,8}管|找谁|谁管|是谁负责"
    r"|(?:是).{0,12}(?:负责)(?:的)?(?:吗)|负责(?:吗)|对.{0,12}负责|(?:是不是)也?要?负责|\bis (?:the )?.{0,60}responsible for"
    r"|\bwho\b.*\b(?:responsible|in charge)\b|\bwhich (?:department|office)"
    r"|\bresponsible (?:unit)",
    re.IGNORECASE,
)
# A department asked about its own tasks: 发改委负责哪些工作 / 商务厅要做什么.
_TASKS = re.compile(
    r"负责(?:哪些|哪几|什么|啥|几)|(?:有|承担|涉及|牵头|参与|出现在)(?:哪些|哪几|什么|啥)(?=[？?。，,！!]|$|任务|工作|职责|事|条|项|个|块|方面|责任|内容)|(?:要|需要)(?:做|干|落实)(?:哪些|哪几|什么|啥)"
    r"|(?:做|干|管)(?:哪些|什么|啥)|(?:哪些|哪几|什么|啥)(?:任务|工作|责任|事|条)|的(?:任务|工作|责任)"
    r"|职责|任务|分工|\bwhat\b.*\b(?:responsible for|do)\b"
    r"|\b(?:tasks?|responsibilities|role)\b",
    re.IGNORECASE,
)
# Asking *who*: then a department in the question is a candidate answer, not the subject.
_ASKS_WHO = re.compile(r"谁|哪(?:个|些)(?:部门|单位|机关)|\bwhich\b|\bwho\b", re.IGNORECASE)
_ELIGIBLE = re.compile(
    r"享受|能得到|可以得到|能拿到|能获得|有(?:什么|哪些|啥)(?:支持|扶持|优惠|政策|措施)|能申请|可以申请"
    r"|符合|适用|我们是|我是|作为|对(?:我们|我)有|扶持"
    r"|\b(?:we are|we're|as an?)\b",
    re.IGNORECASE,
)

# Each metadata field: the names people use for it (the formal name first, from
# META_FIELDS), and question frames that ask for it without naming it.
FIELD_FORMS: dict[str, tuple[str, ...]] = {
    "doc_number": ("文号", "发文字号", "字号", "document number", "reference number"),
    "issuer": ("发文机关", "发文单位", "issuer"),
    "signed_date": ("成文日期", "成文时间", "发布时间", "落款日期", "成文", "date of writing", "written", "signed", "sign-off"),
    "printed_date": ("印发日期", "印发时间", "printed"),
    "printing_office": ("印发机关", "which office"),
    "addressees": ("主送机关", "主送单位", "主送"),
    "copy_to": ("抄送机关", "抄送单位", "抄送", "cc"),
    "publication": ("公开方式", "公开属性", "是否公开", "公开发布", "对外公开", "公开吗", "公开的还是", "还是内部", "made public"),
    "title": ("标题", "全称", "title"),
    "attachments": ("附件",),
}
# Asking "when" (or naming a day), and the verbs of signing and of printing a document.
_WHEN = r"(?:什么时候|啥时候|哪天|几月份?|(?<![〕\]］)）\d])\d{1,2}号|\d{1,2}月\d{1,2}[日号])"
_PRINTED = r"(?:印发|印出来|印的)"
_FIELD_FRAMES: dict[str, re.Pattern] = {
    "issuer": re.compile(r"谁(?:发|印发)的|以谁的?名义|谁的名义|哪个(?:机关|单位|部门)(?:发)|"
                         r"是[\u4e00-\u9fff]{0,10}?(?:政府|厅|院)(?:印发|发|出)的|"
                         r"who (?:issued)", re.IGNORECASE),
    "signed_date": re.compile(r"(?:什么时候|哪天|哪年|哪一年|\d{4}年)(?:发布|出台|发的|出的|签发|成文)|"
                              r"(?:几月份?|几月几[日号]|(?<![〕\]］)）\d])\d{1,2}号)(?:签|出)的|"
                              r"(?:成文|落款).{0,6}(?:哪天|什么时候|几月|日期|时间)|"
                              r"when was .{0,40}(?:signed)", re.IGNORECASE),
    "printed_date": re.compile(_WHEN + r"[^，。？?、]{0,12}?" + _PRINTED + "|" + _PRINTED + r"[^，。？?、]{0,4}?(?:时间|日期|哪天)"
                               r"|到印发", re.IGNORECASE),
    "doc_number": re.compile(r"第?\d+号还是第?\d+号|(?:几)号文", re.IGNORECASE),
    "publication": re.compile(r"公开(?!征求|招标|选拔|遴选|竞争)|内部文件|不予公开|能(?:不能)?转发", re.IGNORECASE),
    "addressees": re.compile(r"发给(?:哪些)|下发给", re.IGNORECASE),
    "printing_office": re.compile(r"(?:哪个)(?:单位|部门)印发|谁印发|印发的是(?:哪)|印发的(?:机构)",
                                  re.IGNORECASE),
    "title": re.compile(r"叫什么(?:名字)?|是关于(?:什么|啥)|(?:是)(?:实施意见)还是|什么(?:类型)",
                        re.IGNORECASE),
}
# Metadata questions are about *the document*; this stops 日期 in "到2025年…日期" misfiring.
_ABOUT_DOCUMENT = re.compile(r"文件|本文|这份|这个文|这文|份文|政策|意见|通知|办法|措施|文号|document|policy|opinion|notice|this", re.IGNORECASE)
_ELIGIBILITY_WORDS = re.compile(
    r"我们是|我是|作为|一家|一个|一所|请问|想知道|哪些|什么|可以|能|"
    r"我们公司|我们团队|我们这种|像我们这样|"
    r"(?:能)?(?:享受|得到|获得|拿到|申请)(?:到)?(?:哪些|什么|啥)?|有(?:什么|哪些|啥)|符合|适用|"
    r"支持|扶持|优惠|政策|措施|吗|呢|\bwe are\b|\bas an?\b", re.IGNORECASE)


PREAMBLE_WORDS = re.compile(r"开头|前言|序言|引用的|上位文件|贯彻的|依据的那|背景|为啥要出|"
                            r"preamble|follows up on", re.IGNORECASE)
_NAMED_PART = re.compile(r"第\s*[一二三四五六七八九十]+\s*(?:部分|章)|[一二三四五六七八九十]+、")
_YES_NO_RESPONSIBLE = re.compile(r"是不是|是否|有没有|吗[？?。]*$|^\s*(?:is|are|does|do)\b", re.IGNORECASE)


def metadata_fields(question: str) -> list[str]:
    """The metadata fields a question asks for, in table order (two in one question: both)."""
    lowered = question.lower()
    found = []
    for name, names in FIELD_FORMS.items():
        hit = any((n in lowered) if not n.isascii() else re.search(rf"\b{re.escape(n)}\b", lowered) for n in names)
        frame = _FIELD_FRAMES.get(name)
        if hit or (frame and frame.search(question)):
            found.append(name)
    if ("printed_date" in found and "signed_date" in found and "sign" not in lowered
            and not re.search(r"成文|落款|签|出台|发布|出的|发的", question)):
        found.remove("signed_date")  # 印发日期 names only the printing date
    if "printing_office" in found and "issuer" in found and "发文" not in question:
        found.remove("issuer")
    if "title" in found and len(found) > 1 and not re.search(r"标题|叫什么|title", question, re.IGNORECASE):
        found.remove("title")  # 印发的机构全称: the body's full name, not the document's title
    if "title" in found and _PART_TITLE.search(question):
        found.remove("title")  # 第四部分的标题 / 八个部分的标题: the parts', not the document's
    return found


_PART_TITLE = re.compile(r"(?:部分|条)\S{0,3}(?:标题|叫什么)|title of (?:the) (?:\w+ )?(?:part)",
                         re.IGNORECASE)
# Field names that say on their own that the document's metadata is asked for.
_FORMAL = {f for forms in FIELD_FORMS.values() for f in forms if len(f) >= 3 and not f.isascii()} | {"文号", "主送", "抄送"}


def find_applicants(question: str) -> list[str]:
    from assistant import lexicons

    lowered = question.lower()
    return [key for key, entry in lexicons.applicants().items() if any(form in lowered for form in entry["forms"])]


_GENERIC_WHO = {"", "企业", "公司", "单位", "团队", "机构", "我们", "我", "家", "型"}


def need_of(question: str) -> str:
    """What an applicant asks for: the question without who they are and the eligibility
    scaffolding (我们是…企业，想贷款扩大生产，有什么支持 → 想贷款扩大生产)."""
    from assistant import lexicons

    rest = _SELF_INTRODUCTION.sub("", question, count=1)
    if rest != question and len(re.sub(r"[^\u4e00-\u9fff]", "", rest)) >= 4:
        # Who they are was said first (我是科研院所的研究员，…): the rest is the need, whole —
        # 创业 or 银行 there is what they want, not who they are.
        text = _ELIGIBILITY_WORDS.sub(" ", rest)
        text = re.sub(r"[，,。？?！!；;：:、\s]+", " ", text).strip()
        return text if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", text)) >= 2 else ""
    text = question
    for entry in lexicons.applicants().values():
        for form in sorted(entry["forms"], key=len, reverse=True):
            text = re.sub(re.escape(form), " ", text, flags=re.IGNORECASE)
    text = _ELIGIBILITY_WORDS.sub(" ", text)
    text = re.sub(r"[，,。？?！!；;：:、\s]+", " ", text).strip()
    text = " ".join(w for w in text.split() if w.strip("的") not in _GENERIC_WHO)
    return text if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", text)) >= 2 else ""


_ENGLISH_ORGAN_WORDS = {"department", "bureau", "office", "of", "the", "and", "for", "what", "about",
                        "s", "center", "centre", "committee", "people", "regional", "autonomous"}


def detect_kind(question: str, refs, departments, metadata, applicants, structure: bool) -> str:
    """Classify a (simplified-Chinese or English) question from its form."""
    asks_who = _ASKS_WHO.search(question)
    if refs and not (_RESPONSIBILITY.search(question) or structure):
        return "clause"
    if structure and _NAMED_PART.search(question):  # 第四部分的标题: the part's, not the document's
        return "structure"
    if structure and PREAMBLE_WORDS.search(question):
        return "structure"  # 开头提到的国务院文件是哪年出的: the preamble's document, not this one
    formal = (any(f in question for f in _FORMAL)
              or any(name in metadata and _FIELD_FRAMES[name].search(question)
                     for name in ("issuer", "printed_date", "doc_number")))
    if metadata and (formal or (_ABOUT_DOCUMENT.search(question) or len(question) <= 14) and not departments):
        return "metadata"
    if structure and not departments:
        return "structure"
    if refs:
        return "responsibility" if _RESPONSIBILITY.search(question) else "clause"
    # "X是不是/是否…的责任单位": a yes/no about responsibility, not X's task list.
    asks_yes_no_responsibility = _YES_NO_RESPONSIBLE.search(question) and _RESPONSIBILITY.search(question)
    if departments and _TASKS.search(question) and not asks_who and not asks_yes_no_responsibility:
        return "department"
    if _RESPONSIBILITY.search(question):
        return "responsibility"
    if applicants and _ELIGIBLE.search(question):
        return "eligibility"
    if departments and _bare_department(question, departments):
        return "department"
    return "general"


def _bare_department(question: str, departments) -> bool:
    """A question that is little more than a department's name (人社厅？ / NDRC) asks what it does."""
    if question.isascii():
        words = re.findall(r"[a-z]+", question.lower())
        return len([w for w in words if w not in _ENGLISH_ORGAN_WORDS]) <= 4
    rest = re.sub(r"[？?。.!！\s]|的|呢|吗|是|啊|请问|what about|about", "", question, flags=re.IGNORECASE)
    return len(rest) <= 12 and not re.search(r"[\u4e00-\u9fff]{2}", re.sub(
        r"(自治区|内蒙古|市)?[\u4e00-\u9fff]{0,12}(厅|局|委|办|会|部|行|院|中心|政府|公署)", "", rest))


# "我们是包头稀土高新区的企业，…": who is asking, said before the question.
_SELF_INTRODUCTION = re.compile(r"^\s*(?:我们|我|我司)(?:是|在)[^，。,；;？?！!]{1,40}[，,；;。]\s*")


def without_self_introduction(question: str) -> str:
    """The question without the asker's introduction, when a question remains: who asks
    is context for a question that asks a number or a fact, not what to search for."""
    rest = _SELF_INTRODUCTION.sub("", question, count=1)
    return rest if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", rest)) >= 6 else question

