"""The support matcher: which measures of which documents apply to an applicant.

A pure function of a :class:`~assistant.matching.profile.Profile` and the documents'
provisions (:func:`assistant.ingest.provisions.provisions_of`). A measure is listed when

* its document's jurisdiction covers the applicant's place (a city's measure applies only
  in that city, a regional one in all of it; with no place named, city measures are kept
  with the place as an unknown condition);
* it gives something (a support or encourage provision, or a duty or statement that names a
  benefit — 减免, 补贴, 便利服务 …; a list of 申报/认定 conditions is an opportunity to apply);
  goals, bans, restrictions, duties of government and organisation sentences never are;
* its beneficiaries include the applicant (a generic 企业 counts only when the sentence names
  no more specific kind of enterprise, and an applicant that only says 企业 gets no sentence
  naming a kind); the recipient is the kind after the last 的 of a ``对…的X`` target, the zone
  alone in ``支持高新区<做某事>``, a qualified kind (国际知名…, 有实力的…, 骨干…) only for an
  applicant claiming the quality, founding a 孵化器/众创空间 only for whoever founds or runs one;
* a condition list (申报条件, 认定条件) is for an applicant seeking that status (the kind its
  header names, else its document's title) and is dropped when an item is not met;
* a measure for a thing (对…发明专利 / 质押贷款) needs the applicant to state it holds or seeks it;
* no condition on place or level rules the applicant out (the zone's own enterprises need a
  zone: an applicant that names its place and no zone is not in one).

Each result is one clause: its matched sentences as verbatim quotes, the measures, the
conditions stated in the text marked met / not met / unknown against the profile, amounts
and periods where stated, and the clause's departments in listed order.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache

from assistant import lexicons
from assistant.matching.profile import Profile, _type_forms

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
_STATUS_TEXT = {MET: "符合", NOT_MET: "不符合", UNKNOWN: "待确认"}
_GIVING = ("support", "encourage")
_NEVER = ("forbid", "restrict", "goal")
_APPLICATION = re.compile(r"(?:应当|须|需)(?:同时)?(?:具备|满足)(?:下列|以下)(?:条件)?")
_PERIOD = re.compile(r"一次性|每人每年|每家每年|每个孵化器每年|单个企业每年|每年|每件|有效期[^，。；]*|连续\d+年")
_TARGET = re.compile(r"(?:^|[，；])对((?:[^，；。]|“[^”]*”){2,60}?)(?=，|(?:一次性)?给予|按照|按)")
_LEADING_CONDITION = re.compile(r"^((?:[^，；。对]){2,40}?)的，")
_GIVE_WORDS = ("给予", "补助", "补贴", "奖励", "资助", "贴息", "最高", "补偿", "支持")
_LEVELS = ("国家级", "自治区级", "市级", "盟市级")
_ASPIRE = ("晋升", "新获批", "新认定", "新备案", "创建", "新建成")
_TOPIC_USES = re.compile(r"人才(?:引进|政策|格局|飞地|交流|培训|贷|培育|工作|公寓)|企业(?:投资项目|技术中心|技术研究院|家精神|简易注销|公共服务|创新创业|信贷)|"
                         r"企业同期|企业当年|企业所得税|推荐企业")


_QUALIFIED = re.compile(r"(国际知名|有实力|骨干)的?[^，；。]*?(?=在|积极|参与|与|共同)")
_ZONE_ADDRESSED = re.compile(r"(?:支持|鼓励|引导)(?:国家级|自治区级|具备条件的|和|、)*高新区(?!企业|领军|内)")
_FOUNDING = re.compile(r"(?:创办|兴办|建设|办|建)[^，。；]{0,8}?(?:众创空间|孵化器|加速器)")
_SEMI_GENERIC = ("科技企业", "中小企业")  # name many kinds at once: not the applicant's own kind


@dataclass(frozen=True)
class Condition:
    text: str
    status: str  # met | not_met | unknown

    def label(self) -> str:
        return _STATUS_TEXT[self.status]


@dataclass
class MatchResult:
    doc_id: str
    doc_title: str
    clause: int
    label: str
    heading: str
    measure: str  # the first matched sentence, verbatim
    quotes: list[dict]  # [{"text", "start", "end"}]: offsets into the clause text
    for_: list[str]  # the beneficiary words the measure names for this applicant
    gives: list[str]  # each matched provision's measure
    conditions: list[Condition]
    amounts: list[str]
    periods: list[str]
    departments: list[str]
    kind: str = "support"  # support | application
    specific: int = 0  # 1 when the text names the applicant's own kind, not only a generic word (企业)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["for"] = data.pop("for_")
        return data


@dataclass
class MatchOutcome:
    profile: Profile
    results: list[MatchResult] = field(default_factory=list)
    message: str = ""
    documents: list[str] = field(default_factory=list)  # the documents whose jurisdiction covers the applicant

    @property
    def empty(self) -> bool:
        return not self.results

    def to_dict(self) -> dict:
        return {"profile": self.profile.to_dict(), "measures": [r.to_dict() for r in self.results],
                "message": self.message, "understood_as": self.profile.understood}

    def markdown(self, *, numbered: bool = True) -> str:
        lines = [self.profile.understood, ""]
        if self.empty:
            lines.append(self.message)
            return "\n".join(lines)
        lines.append(self.message)
        lines.append("")
        current = None
        for n, r in enumerate(self.results, 1):
            if r.doc_title != current:
                current = r.doc_title
                lines += [f"**《{r.doc_title}》**", ""]
            gives = "；".join(dict.fromkeys(r.gives))
            lines.append(f"{n}. {r.heading}：{gives}" if numbered else f"- {r.heading}：{gives}")
            lines.append(f"   - 原文：“{r.measure}”")
            if r.amounts:
                lines.append(f"   - 金额：{'；'.join(r.amounts)}")
            if r.periods:
                lines.append(f"   - 期限/频次：{'；'.join(r.periods)}")
            if r.conditions:
                lines.append("   - 条件：" + "；".join(f"{c.text}（{c.label()}）" for c in r.conditions))
            lines.append(f"   - 联系部门：{'、'.join(r.departments) or '（未列明）'}")
        return "\n".join(lines)


@cache
def _data() -> dict:
    return lexicons.matching()


@cache
def _term_owner() -> dict[str, set[str]]:
    """Beneficiary word → the applicant types it names directly."""
    out: dict[str, set[str]] = {}
    for key, t in _data()["types"].items():
        for term in t["terms"]:
            out.setdefault(term, set()).add(key)
    return out


@cache
def _specific_terms() -> dict[str, set[str]]:
    """Family → the words naming a specific kind in it (they make the generic word incidental)."""
    out: dict[str, set[str]] = {}
    for key, t in _data()["types"].items():
        out.setdefault(t["family"], set()).update(x for x in t["terms"] if x not in ("科技企业",))
    return out


def _recipients(text: str, beneficiaries, profile: Profile) -> list[str]:
    """The beneficiary words of ``text`` that name this applicant."""
    masked = _TOPIC_USES.sub(lambda m: "\u0000" * len(m.group(0)), text)
    # 有实力的企业和研发机构 / 国际知名高等院校、科研院所 / 骨干企业: a qualified kind, only for an
    # applicant that says it has the quality.
    masked = _QUALIFIED.sub(lambda m: m.group(0) if m.group(1)[-2:] in profile.text
                            else "\u0000" * len(m.group(0)), masked)
    # Longest words first, each character read once: 科技企业孵化器 is no 科技企业.
    words = list(dict.fromkeys(_terms_pattern().findall(masked)))
    if _ZONE_ADDRESSED.match(masked):
        words = [w for w in words if w == "高新区"]  # 支持高新区建设…人才公寓: for the zone, not its residents
    target = _TARGET.search(masked)
    if target and "的" in target.group(1):
        # 对企业柔性引进…的高层次人才给予: the kind after the last 的 is whom it is for; the others
        # name who acts or where (not when it is the generic 企业: 对…有研发活动的企业).
        head = [w for w in _terms_pattern().findall(target.group(1).rsplit("的", 1)[1])
                if w not in _data()["families"]["enterprise"]]
        if head:
            words = head
    if "高新区" in words and not _ZONE_RECIPIENT.search(masked):
        words.remove("高新区")  # 在高新区内: where, not whom
    found = []
    for key in profile.types:
        t = _data()["types"][key]
        direct = [w for w in words if w in t["terms"] or (key == "企业" and w in _data()["families"]["enterprise"])]
        if key != "企业":
            # (a startup or a hosted enterprise is not covered by a bare 企业: data "generic": false)
            generic = [w for w in words if w in _data()["families"][t["family"]] and t.get("generic", True)]
            specific = [w for w in words if w in _specific_terms().get(t["family"], set())]
            if generic and not specific:
                direct += generic
        elif any(w in _specific_terms().get("enterprise", set()) for w in words):
            # 企业 said without a kind: a sentence naming a specific kind (高新技术企业, 在孵企业)
            # is not for it, even beside a generic 企业 (on the 1st word of its kind).
            direct = []
        found += direct
    return list(dict.fromkeys(found))


_ZONE_RECIPIENT = re.compile(r"(?:支持|给予|赋予|鼓励|加大对|对)(?:国家级|自治区级|具备条件的|有条件的|和|、)*高新区|"
                             r"高新区(?:可享受|可以申请)|对[^，；。]{0,16}?高新区")


@cache
def _terms_pattern() -> re.Pattern:
    terms = set(lexicons.provision_grammar()["beneficiaries"]) | set(_term_owner())
    terms |= {w for words in _data()["families"].values() for w in words}
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


_HOLDINGS = ("有发明专利", "有知识产权", "需要融资")  # what an applicant has or seeks (profile attributes)


def _holdings(text: str, profile: Profile, recipients=()) -> tuple[list[str], list[str]]:
    """What the measure is for when it is a thing (对…的发明专利 / 质押贷款 给予): the attributes
    it needs that the applicant states (held) and does not (missing). An applicant named outside
    the target (鼓励金融机构…，对合作银行的贷款…) is not the thing's holder."""
    from assistant.matching.profile import _ATTRIBUTES

    target = _TARGET.search(text)
    if not target or (recipients and not any(r in target.group(1) for r in recipients)):
        return [], []
    head = target.group(1).rsplit("的", 1)[-1]
    own = set(profile.attributes) | ({"有知识产权"} if "有发明专利" in profile.attributes else set())
    needed = [a for a, words in _ATTRIBUTES if a in _HOLDINGS and any(w in head for w in words)]
    if not needed:  # 对新建成的中试基地给予补助: an applicant that says it builds or has one
        return [t for t in re.split(r"[、和及]", head) if len(t) >= 4 and t in profile.text][:1], []
    return [head for a in needed[:1] if all(n in own for n in needed)], [n for n in needed if n not in own]


def _gives(p, clause_text: str) -> bool:
    text = p.text
    if any(w in text for w in _data()["not_support"]):
        return False
    if p.modality in _NEVER:
        return False
    if p.modality in _GIVING:
        return True
    return any(w in text for w in _data()["benefits"] if w not in ("支持", "给予")) and "负责" not in text


def _jurisdiction_ok(document, profile: Profile) -> tuple[bool, Condition | None]:
    from assistant.answering.places import _by_form, jurisdiction

    own = jurisdiction(document)
    if not own:
        return True, None
    forms = _by_form()
    if profile.outside:
        return False, None
    if not profile.city:
        if all(forms[o].level == "province" for o in own if o in forms):
            return True, None
        names = "、".join(forms[o].name if o in forms else o for o in own)
        return True, Condition(f"适用地区：{names}", UNKNOWN)
    for o in own:
        place = forms.get(o)
        if o == profile.city or (place and place.level == "province" and forms.get(profile.city)
                                 and forms[profile.city].province == o):
            return True, None
    return False, None


def _level_condition(p, profile: Profile) -> Condition | None:
    if not p.levels or not profile.level:
        return None
    if not any(_data()["types"][t]["family"] in ("carrier", "zone", "institute") for t in profile.types):
        return None
    relevant = [lv for lv in p.levels if lv in _LEVELS]
    if not relevant:
        return None
    own = "市级" if profile.level == "盟市级" else profile.level
    if own in relevant or (own == "市级" and "盟市级" in relevant):
        if ("zone" in profile.families and re.search(r"新获批|新认定", p.text)
                and "新认定" not in profile.attributes):
            return Condition("、".join(relevant) + "（须新获批）", NOT_MET)  # a listed zone already is one
        return Condition("、".join(relevant), MET)
    rank = {"国家级": 0, "自治区级": 1, "省级": 1, "市级": 2, "盟市级": 2}
    upward = any(rank.get(lv, 9) < rank.get(own, 9) for lv in relevant)
    if upward and any(w in p.text for w in _ASPIRE):
        return Condition("、".join(relevant) + "（须新认定或晋升）", UNKNOWN)
    if re.search(r"(?:重点|优先)(?:支持|扶持)?(?:国家级|自治区级|市级)", p.text):
        return Condition("、".join(relevant) + "（优先）", UNKNOWN)  # a priority, not a bar
    return Condition("、".join(relevant), NOT_MET)


def _place_condition(p, document, profile: Profile) -> Condition | None:
    """A sentence naming other 盟市 of the region (对包头…高新区持续给予): met only for them."""
    from assistant.answering.places import _by_form, jurisdiction

    own = set(jurisdiction(document))
    forms = _by_form()
    cities = [forms[n].short for n in (_short(x) for x in p.places)
              if n in forms and forms[n].level == "city" and forms[n].province == "内蒙古" and n not in own]
    if not cities:
        return None
    if not profile.city:
        return Condition(f"地区：{'、'.join(cities)}", UNKNOWN)
    return Condition(f"地区：{'、'.join(cities)}", MET if profile.city in cities else NOT_MET)


def _short(name: str) -> str:
    return next((pl.short for pl in lexicons.places() if pl.name == name), name)


_FACT_KEYS = [(("成立", "运营时间", "注册成立", "入驻时"), "成立月数"),
              (("研发费用", "研究开发费用", "研发经费"), "研发费用万元"),
              (("销售收入", "营业收入"), "营业收入万元"),
              (("职工", "员工"), "员工")]


def _fact_key(q) -> str:
    """The profile fact a quantity measures (成立月数, 营业收入万元 …), "" for none."""
    return next((key for words, key in _FACT_KEYS if any(w in q.phrase for w in words)), "")


def _quantity_status(q, profile: Profile) -> str:
    for words, key in _FACT_KEYS:
        if any(w in q.phrase for w in words) and key in profile.facts:
            have = profile.facts[key]
            need = q.value
            if q.unit in ("年",) and key == "成立月数":
                need *= 12
            elif q.unit == "亿元":
                need *= 10000
            elif q.unit not in ("个月", "万元", "人", "名", "年"):
                return UNKNOWN
            if q.comparator == ">=":
                return MET if have >= need else NOT_MET
            if q.comparator == "<=":
                return MET if have <= need else NOT_MET
    return UNKNOWN


def _phrase_status(text: str, profile: Profile) -> str:
    if "规模以上" in text and "首次纳入" not in text:
        return MET if "规模以上" in profile.attributes else UNKNOWN
    if re.search(r"首次(?:通过)?认定|新认定|新获批|新备案", text):
        if "新认定" in profile.attributes:
            return MET
        if "再次认定" in profile.attributes:
            return NOT_MET
    if "再次" in text and "再次认定" in profile.attributes:
        return MET
    if "整体迁入" in text:
        return MET if "整体迁入" in profile.attributes else UNKNOWN
    for level in _LEVELS:
        if level in text and profile.level and any(
                _data()["types"][t]["family"] in ("carrier", "zone") for t in profile.types):
            return MET if level == profile.level else UNKNOWN
    return UNKNOWN


def _conditions(p, profile: Profile) -> list[Condition]:
    out: list[Condition] = []
    text = p.text
    m = _TARGET.search(text) or _LEADING_CONDITION.search(text)
    if m:
        phrase = m.group(1).strip()
        out.append(Condition(phrase, _phrase_status(phrase, profile)))
    elif "符合条件" in text:
        out.append(Condition("符合条件的" + ("（具体条件未在本句列明）"), UNKNOWN))
    for q in p.quantities:
        if q.comparator == "=" or any(w in q.phrase for w in _GIVE_WORDS):
            continue
        if any(q.text in c.text for c in out):
            status = _quantity_status(q, profile)
            if status != UNKNOWN:
                out = [Condition(c.text, status if q.text in c.text and c.status == UNKNOWN else c.status)
                       for c in out]
            continue
        out.append(Condition(q.phrase, _quantity_status(q, profile)))
    for e in p.exceptions:
        out.append(Condition(e, UNKNOWN))
    if ("高新区" in text and "高新区" not in p.measure[:4]
            and not any(_data()["types"][t]["family"] == "zone" for t in profile.types)):
        if re.search(r"^高新区|高新区(?:内|企业|领军)|园区内", text):
            # The recipients are the zone's own: an applicant that names where it is and names
            # no zone is not in one (conditions are applied strictly); a person may move there.
            out.append(Condition("位于高新区", MET if profile.zone else NOT_MET
                                 if profile.city and "person" not in profile.families else UNKNOWN))
        elif re.search(r"高新区的|在高新区", text):
            out.append(Condition("位于高新区", MET if profile.zone else UNKNOWN))
    return out


def _amounts(p) -> list[str]:
    out = []
    for q in p.quantities:
        if q.unit in ("万元", "亿元", "元", "%") and (any(w in q.phrase for w in _GIVE_WORDS) or q.comparator == "<="):
            out.append(q.phrase)
    return list(dict.fromkeys(out))


def _periods(p) -> list[str]:
    return list(dict.fromkeys(_PERIOD.findall(p.text)))


def _application_items(document, clause, provisions):
    """The condition items of a 申报/认定 condition list (the sentences after the header)."""
    header = next((p for p in provisions if _APPLICATION.search(p.text)), None)
    if header is None:
        return None, []
    return header, [p for p in provisions if p.sentence > header.sentence]


def _aims_at(header: str, document, profile: Profile) -> bool:
    """Whether the applicant seeks the status a condition list is for: the specific types its
    header names (申请认定市级孵化器), else those of the document's title (…高新技术企业认定…)."""
    def named(text):
        return {key for form, key in _type_forms() if form in text and key != "企业"}

    sought = named(header) or named(document.meta.title or "")
    # A holder whose recognition is up again (重新认定, 有效期满) seeks it anew.
    renewing = set(profile.types) if "再次认定" in profile.attributes else set()
    return bool(sought & (set(profile.aims) | renewing))


def match_profile(profile: Profile, documents, *, doc_ids=None) -> MatchOutcome:
    """Every measure of ``documents`` that applies to ``profile`` (see the module docstring)."""
    from assistant.ingest.provisions import provisions_of

    outcome = MatchOutcome(profile)
    if profile.empty:
        outcome.message = ("没有识别出申请主体，无法匹配政策。请说明主体类型（如科技型中小企业、高新技术企业、"
                           "科技企业孵化器、高校、科研人员）和所在盟市。")
        return outcome
    documents = [d for d in documents if not doc_ids or d.doc_id in doc_ids]
    covered = []
    for document in _widest_first(documents):
        ok, place_condition = _jurisdiction_ok(document, profile)
        if not ok:
            continue
        covered.append(document.doc_id)
        by_clause: dict[int, list] = {}
        for p in provisions_of(document):
            if p.ref.clause:
                by_clause.setdefault(p.ref.clause, []).append(p)
        for number, provisions in by_clause.items():
            clause = document.clause(number)
            result = _match_clause(document, clause, provisions, profile, place_condition)
            if result:
                outcome.results.append(result)
        outcome.results += _application_steps(document, outcome.results)
    outcome.documents = covered
    if outcome.results:
        n_docs = len({r.doc_id for r in outcome.results})
        outcome.message = f"共有 {len(outcome.results)} 条措施可能适用（{n_docs} 份文件），条件以原文为准，“待确认”的条件请向所列部门核实。"
    elif profile.outside:
        outcome.message = f"现有文件均不适用于{profile.outside}：它们的适用范围是内蒙古自治区及其盟市。"
    else:
        outcome.message = f"现有文件中没有面向“{'、'.join(profile.types)}”" + (
            f"（{profile.place_text()}）" if profile.place_text() else "") + "的支持措施。"
    return outcome


def _widest_first(documents):
    from assistant.answering.places import jurisdiction, place_level

    return sorted(documents, key=lambda d: min((place_level(p) for p in jurisdiction(d)), default=9))


def _match_clause(document, clause, provisions, profile: Profile, place_condition) -> MatchResult | None:
    header, items = _application_items(document, clause, provisions)
    matched = []  # (provision, recipients, conditions)
    kind = "support"
    if header is not None:
        recipients = _recipients(header.text, header.beneficiaries, profile)
        if recipients and not _aims_at(header.text, document, profile):
            recipients = []  # a recognition's conditions: only for an applicant seeking it
        if recipients:
            kind = "application"
            conditions = [Condition(header.text.rstrip("：:；;。"), UNKNOWN)] if not items else []
            for item in items:
                # Several quantities of one measure (销售收入小于5000万元的…；在5000万元至2亿元的…；
                # 2亿元以上的…) are tiers of one rule: which tier holds decides nothing.
                measured = [_fact_key(q) for q in item.quantities]
                tiers = any(k and measured.count(k) > 1 for k in measured)
                decided = [] if tiers else [s for s in map(lambda q: _quantity_status(q, profile), item.quantities)
                                            if s != UNKNOWN]
                status = decided[0] if decided else UNKNOWN
                if "注册" in item.text and profile.city and profile.province == "内蒙古":
                    place_words = re.findall(r"在(.{2,8}?)行政区域内", item.text)
                    if place_words and ("自治区" in place_words[0] or profile.city in place_words[0]):
                        status = MET if status != NOT_MET else NOT_MET
                conditions.append(Condition(item.text.rstrip("；;。"), status))
            if not any(c.status == NOT_MET for c in conditions):
                matched.append((header, recipients, conditions))
    if not matched:
        for i, p in enumerate(provisions):
            if p.sentence == 0 and len(provisions) > 1 and p.text.rstrip("。；") == clause.title and not p.quantities:
                continue  # the clause's own title sentence: a heading, not a measure
            named = _place_condition(p, document, profile)
            if not _gives(p, clause.text) and not (
                    named and named.status == MET and profile.families & {"zone", "government"}
                    and re.search(r"支持|指导", p.text)):
                continue  # (a duty that supports or guides the applicant's own 盟市 by name gives)
            recipients = _recipients(p.text, p.beneficiaries, profile)
            if "优先认定" in p.text and not _aims_at(p.text, document, profile):
                continue  # a preference in a recognition: for an applicant seeking it
            if "引进" in p.text and "整体迁入" not in profile.attributes and all(
                    w in _data()["families"]["enterprise"] or w in _specific_terms()["enterprise"]
                    for w in recipients):
                continue  # 引进…企业落地: for an enterprise moving in
            held, missing = _holdings(p.text, profile, recipients)
            if missing:
                continue  # 对…知识产权质押贷款给予贴息: for an applicant that has one (strictly)
            if not recipients and held and not p.beneficiaries:
                recipients = held  # 对新授权的发明专利给予资助: whoever holds one
            if recipients and _FOUNDING.search(p.text) and not _FOUNDING.search(profile.text) and not (
                    profile.families | {_data()["types"][a]["family"] for a in profile.aims}) & {"carrier"}:
                recipients = []  # 鼓励企业…创办众创空间: for whoever runs or founds one
            if not recipients:
                continue
            conditions = _conditions(p, profile)
            extra = [c for c in (_level_condition(p, profile), _place_condition(p, document, profile)) if c]
            if any(c.status == NOT_MET for c in extra) or any(
                    c.status == NOT_MET and c.text == "位于高新区" for c in conditions):
                continue
            matched.append((p, recipients, extra + conditions))
    if not matched:
        return None
    conditions: list[Condition] = [place_condition] if place_condition else []
    for _, _, cs in matched:
        for c in cs:
            if c not in conditions:
                conditions.append(c)
    quotes = [{"text": clause.text[p.start:p.end], "start": p.start, "end": p.end} for p, _, _ in matched]
    first = matched[0][0]
    gives = [p.measure for p, _, _ in matched] if kind == "support" else [
        f"可申报（{clause.title}）" if clause.title else "可申报"]
    return MatchResult(
        doc_id=document.doc_id, doc_title=document.meta.title or document.doc_id, clause=clause.number,
        label=clause.label, heading=clause.heading, measure=clause.text[first.start:first.end],
        quotes=quotes, for_=list(dict.fromkeys(r for _, rs, _ in matched for r in rs)), gives=gives,
        conditions=conditions,
        amounts=list(dict.fromkeys(a for p, _, _ in matched for a in _amounts(p))),
        periods=list(dict.fromkeys(x for p, _, _ in matched for x in _periods(p))),
        departments=list(clause.departments) or _fallback_departments(document, clause), kind=kind,
        specific=int(any(w in _data()["types"][t]["terms"] and w not in _SEMI_GENERIC
                         for _, rs, _ in matched for w in rs for t in profile.types)),
    )


def _application_steps(document, results) -> list[MatchResult]:
    """An applicant who may apply (申报条件) also needs the same document's other clauses on
    applying — those whose title starts like the conditions' (申报时间, 申报方式和材料)."""
    listed = {r.clause for r in results if r.doc_id == document.doc_id}
    verbs = {document.clause(r.clause).title[:2] for r in results
             if r.doc_id == document.doc_id and r.kind == "application" and document.clause(r.clause).title}
    out = []
    for clause in document.clauses:
        if clause.number in listed or not clause.title or clause.title[:2] not in verbs or not clause.sentences:
            continue
        first = clause.sentences[0]
        start = clause.text.find(first)
        out.append(MatchResult(
            doc_id=document.doc_id, doc_title=document.meta.title or document.doc_id, clause=clause.number,
            label=clause.label, heading=clause.heading, measure=first,
            quotes=[{"text": first, "start": start, "end": start + len(first)}] if start >= 0 else [],
            for_=[], gives=[f"申报须知（{clause.title}）"], conditions=[], amounts=[], periods=[],
            departments=list(clause.departments) or _fallback_departments(document, clause), kind="application"))
    return out


def _fallback_departments(document, clause) -> list[str]:
    """A clause with no 责任单位 note: the bodies its text names (市科技局), else the issuer."""
    named = re.findall(r"[市区县旗盟]?[\u4e00-\u9fff]{0,6}(?:科技局|财政局|科技厅|财政厅|科技主管部门)", clause.text)
    named = [n for n in named if len(n) >= 3 and not n.startswith(("由", "向", "会同", "各", "所在", "报送"))]
    out = list(dict.fromkeys(named))
    return out or ([document.meta.issuer] if document.meta.issuer else [])


def match_text(text: str, documents, *, doc_ids=None) -> MatchOutcome:
    from assistant.matching.profile import parse_profile

    return match_profile(parse_profile(text), documents, doc_ids=doc_ids)
