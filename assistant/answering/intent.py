"""What kind of question is this? Decided from its form and the department lexicon.

Kinds: ``clause`` (第十二条讲什么), ``metadata`` (文号, 成文日期 …), ``department`` (a
department as the subject, asking for its tasks), ``responsibility`` (who is responsible
for a measure), ``eligibility`` (an applicant type asking what it can get), ``general``.
The rules are patterns of how people ask — question words and sentence frames — never a
list of known questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.markers import clause_references

# Who is responsible: 谁负责 / 哪个部门 / 责任单位 / 归…管 / 找谁 / which department.
_RESPONSIBILITY = re.compile(
    r"谁(?:来)?(?:负责|主管|牵头|管|抓|落实)|由谁|哪(?:个|些|家)?(?:部门|单位|机构|机关)|什么(?:部门|单位)|责任(?:单位|部门|主体)"
    r"|牵头(?:单位|部门)|主管部门|负责(?:部门|单位)|归.{0,8}管|找谁|谁管|谁家管|负责的是谁|是谁负责"
    r"|(?:是|由|归).{0,12}(?:负责|管|牵头|主管)(?:的)?(?:吗|么|不|没)|负责(?:吗|么)|\bis (?:the )?.{0,60}responsible for"
    r"|\bwho\b.*\b(?:responsible|in charge|handles?|oversees?|leads?)\b|\bwhich (?:department|agency|body|office|authority|bureau)"
    r"|\bresponsible (?:department|unit|agency|body)",
    re.IGNORECASE,
)
# A department asked about its own tasks: 发改委负责哪些工作 / 商务厅要做什么.
_TASKS = re.compile(
    r"负责(?:哪些|哪几|什么|啥)|(?:有|承担|涉及|牵头|参与|分管|出现在|出现|列在)(?:哪些|哪几|什么|啥)|(?:要|需要|得|该|应该)(?:做|干|办|落实)(?:哪些|哪几|什么|啥)"
    r"|(?:做|干|管)(?:哪些|哪几|什么|啥)|(?:哪些|哪几|什么|啥)(?:任务|工作|职责|事项|事情|责任|事|条)|的(?:任务|职责|工作|责任|分工)"
    r"|职责|任务|分工|\bwhat\b.*\b(?:responsible for|in charge of|handle|do)\b"
    r"|\b(?:tasks?|duties|responsibilities|role)\b",
    re.IGNORECASE,
)
# Asking *who*: then a department in the question is a candidate answer, not the subject.
_ASKS_WHO = re.compile(r"谁|哪(?:个|些|家)(?:部门|单位|机构|机关)|什么(?:部门|单位)|\bwhich\b|\bwho\b", re.IGNORECASE)
_ELIGIBLE = re.compile(
    r"享受|享有|能得到|可以得到|能拿到|能获得|可以获得|有(?:什么|哪些|啥)(?:支持|扶持|优惠|政策|好处|帮助|措施)|能申请|可以申请"
    r"|符合|适用|够条件|我们是|我是|作为一家|作为一个|作为|对(?:我们|我)有|扶持|支持(?:我们|我)"
    r"|\b(?:we are|i am|i'm|we're|as an?)\b|\bqualify|\beligible|\bsupport (?:can|do|for)\b|\bbenefits?\b",
    re.IGNORECASE,
)

# Applicant types: surface forms people use → the terms the document uses for them.
APPLICANTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "高新技术企业": (("高新技术企业", "高企", "高新企业", "高新技术公司", "high-tech enterprise", "high-tech company",
                  "hi-tech"), ("高新技术企业",)),
    "科技型中小企业": (("科技型中小企业", "科技中小企业", "科技型企业", "中小企业", "中小型企业", "sme", "small and medium"),
                  ("科技型中小企业", "中小企业")),
    "小微企业": (("小微企业", "小型微型企业", "小企业", "微型企业", "个体", "small business", "micro"),
             ("小微企业", "小型微型企业")),
    "瞪羚企业、独角兽企业": (("瞪羚", "独角兽", "高成长企业", "高成长", "gazelle", "unicorn", "fast-growing"),
                     ("瞪羚企业", "独角兽企业", "高成长企业")),
    "科研人员、科技人员": (("科研人员", "科技人员", "研究人员", "科学家", "研发人员", "科研工作者", "researcher", "scientist"),
                   ("科研人员", "科技人员")),
    "创业团队、初创企业": (("创业团队", "初创企业", "初创公司", "创业者", "创业", "startup", "start-up", "entrepreneur"),
                   ("创业团队", "初创企业", "创新创业", "众创空间", "孵化器")),
    "高等院校、科研院所": (("高等院校", "高校", "大学", "学院", "科研院所", "研究所", "研究院", "科研机构", "university",
                   "college", "research institute"), ("高等院校", "科研院所", "科研机构", "院校")),
    "金融机构": (("金融机构", "银行", "保险", "券商", "bank", "financial institution"), ("金融机构",)),
    "跨国企业、外资企业": (("跨国企业", "跨国公司", "外资", "外企", "外国企业", "multinational", "foreign"),
                   ("跨国企业", "国际知名")),
    "社会资本、投资机构": (("社会资本", "投资机构", "风投", "风险投资", "创投", "私募", "基金", "投资人", "investor",
                   "venture capital", "private equity"), ("社会资本", "风险投资基金", "私募股权投资基金")),
    "人才": (("人才", "高层次人才", "专业人才", "talent"), ("人才",)),
}

_METADATA = {
    "doc_number": re.compile(r"文号|发文字号|文件号|字号|编号|几号文|document number|reference number", re.IGNORECASE),
    "issuer": re.compile(r"发文机关|发文单位|发文部门|谁发的|谁发布|谁印发|哪个机关|哪个单位(?:发|印发|制定|出台)|谁(?:制定|出台)的|issu(?:ed|ing) (?:by|authority)|who issued|who published", re.IGNORECASE),
    "signed_date": re.compile(r"成文(?:日期|时间)|签发|(?:什么时候|哪天|何时|哪一天|哪年)(?:发布|出台|制定|发的|签发|成文)|(?<!印发)日期"
                              r"|when was .* (?:issued|signed|adopted)|\bdate\b", re.IGNORECASE),
    "printed_date": re.compile(r"印发.{0,3}(?:日期|日其|时间|哪天|哪一天|什么时候|何时)|(?:什么时候|哪天|何时)印发|printed", re.IGNORECASE),
    "printing_office": re.compile(r"印发机关|谁印发|哪个(?:单位|部门|处室|机构|机关|处)印发|printing office", re.IGNORECASE),
    "addressees": re.compile(r"主送|发给谁|发给哪些|下发给|送达|addressed to|addressees", re.IGNORECASE),
    "copy_to": re.compile(r"抄送|copied to|copy to|cc", re.IGNORECASE),
    "publication": re.compile(r"公开发布|是否公开|能公开|可以公开|公开吗|publicly|public release", re.IGNORECASE),
    "title": re.compile(r"标题|全称|文件名|叫什么|名称|title of|name of (?:the|this) (?:document|policy)", re.IGNORECASE),
}
# Metadata questions are about *the document*; this stops 日期 in "到2025年…日期" misfiring.
_ABOUT_DOCUMENT = re.compile(r"文件|本文|这份|该文|此文|政策|意见|通知|文号|document|policy|this", re.IGNORECASE)


@dataclass
class Intent:
    kind: str
    departments: list[str] = field(default_factory=list)
    clause_refs: list[int] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)
    metadata_fields: list[str] = field(default_factory=list)


def find_applicants(question: str) -> list[str]:
    lowered = question.lower()
    found = []
    for key, (forms, _terms) in APPLICANTS.items():
        if any(form in lowered for form in forms):
            found.append(key)
    return found


def detect_intent(question: str, departments_index) -> Intent:
    """Classify a (simplified-Chinese or English) question."""
    refs = clause_references(question)
    if refs:
        return Intent("clause", clause_refs=refs)
    departments = departments_index.find_in(question)
    metadata = [name for name, pattern in _METADATA.items() if pattern.search(question)]
    if metadata and (_ABOUT_DOCUMENT.search(question) or len(question) <= 12) and not departments:
        return Intent("metadata", metadata_fields=metadata)
    applicants = find_applicants(question)
    asks_who = _ASKS_WHO.search(question)
    if departments and _TASKS.search(question) and not asks_who:
        return Intent("department", departments=departments)
    if _RESPONSIBILITY.search(question):
        return Intent("responsibility", departments=departments, applicants=applicants)
    if applicants and _ELIGIBLE.search(question):
        return Intent("eligibility", applicants=applicants, departments=departments)
    return Intent("general", departments=departments, applicants=applicants)
