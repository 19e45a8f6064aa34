"""An applicant's profile read from free text: who, where, in which industry, at which stage.

``我们是巴彦淖尔一家做农机装备的科技型中小企业，刚成立两年，员工40人`` becomes
:class:`Profile`: applicant types (科技型中小企业), the place (巴彦淖尔, a 盟市 of 内蒙古), the
zone and its level when one is named (包头稀土高新区 → 国家级), industries (装备制造), the
stage (初创期, 成立2年) and the other facts (员工40人) — kept as facts, never as conditions.
``understood`` is shown back to the user ("理解为：…") so a wrong reading can be corrected.

Word lists are data (``assistant/data/matching.json``); places come from the places table
(:mod:`assistant.answering.places`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache

from assistant import lexicons

_NUMERAL = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万半]+"
# A type named as an aim, not a status: 还不是高企, 准备申报高企, 想认定为高新技术企业.
_ASPIRATION = re.compile(r"(?<!被)(?:不是|还不是|并非|未|尚未|没有|没|想|打算|准备|计划|拟|报|申请|认定为|成为|争取)[^，。；,;]{0,4}$")
_LEVEL_BEFORE = re.compile(r"(国家级|自治区级|省级|盟市级|市级)(?:的)?(?:科技企业)?$")


@dataclass
class Profile:
    text: str
    types: list[str] = field(default_factory=list)  # keys of matching.json "types", in the order named
    aims: list[str] = field(default_factory=list)  # types named as an aim (准备申报高企)
    city: str = ""  # short name of the 盟市 (巴彦淖尔), "" when none is named
    province: str = ""  # 内蒙古 when the place is in it or only the region is named
    outside: str = ""  # a place outside every document's jurisdiction (北京)
    zone: str = ""  # 包头国家级稀土高新区
    district: str = ""  # 九原区
    level: str = ""  # the applicant's own level: 国家级 / 自治区级 / 市级 (a zone, an incubator)
    industries: list[str] = field(default_factory=list)
    stage: str = ""  # 初创期 / 成长期 / 成熟期
    attributes: list[str] = field(default_factory=list)  # 新认定, 规模以上, 有研发活动 …
    facts: dict = field(default_factory=dict)  # 员工: 40, 成立年数: 2, 营业收入万元: 3000 … (never conditions)
    fact_texts: list[str] = field(default_factory=list)  # the verbatim phrases of the facts

    @property
    def empty(self) -> bool:
        return not self.types

    @property
    def families(self) -> set[str]:
        return {_types()[t]["family"] for t in self.types}

    def place_text(self) -> str:
        if self.outside:
            return self.outside
        parts = [p for p in (self.city and _full_name(self.city), self.district, self.zone) if p]
        if not parts and self.province:
            parts = [_full_name(self.province)]
        return "".join(parts[:1]) + ("（" + "、".join(parts[1:]) + "）" if parts[1:] else "")

    @property
    def understood(self) -> str:
        """理解为：科技型中小企业；地区：巴彦淖尔市；行业：装备制造；阶段：初创期；其他情况：员工40人（不作为条件）"""
        if self.empty:
            return "理解为：未识别出申请主体（如科技型中小企业、高新技术企业、孵化器、科研人员）。"
        who = "、".join((f"{self.level}" if self.level and _types()[t]["family"] in ("carrier", "zone") else "") + t
                       for t in self.types)
        parts = [who]
        if self.place_text():
            parts.append(f"地区：{self.place_text()}")
        else:
            parts.append("地区：未说明")
        if self.industries:
            parts.append(f"行业：{'、'.join(self.industries)}")
        if self.stage:
            parts.append(f"阶段：{self.stage}")
        if self.aims:
            parts.append(f"目标：{'、'.join(self.aims)}")
        if self.attributes:
            parts.append(f"情况：{'、'.join(self.attributes)}")
        if self.fact_texts:
            parts.append(f"其他情况：{'、'.join(self.fact_texts)}（不作为条件）")
        return "理解为：" + "；".join(parts)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["understood"] = self.understood
        data["place"] = self.place_text()
        return data


@cache
def _data() -> dict:
    return lexicons.matching()


def _types() -> dict:
    return _data()["types"]


def _full_name(short: str) -> str:
    return next((p.name for p in lexicons.places() if p.short == short), short)


def _number(text: str) -> float | None:
    from assistant.ingest.markers import cn_to_int

    if not text:
        return None
    if text[0].isdigit():
        return float(text)
    if text == "半":
        return 0.5
    try:
        return float(cn_to_int(text))
    except (ValueError, KeyError):
        return None


@cache
def _type_forms() -> list[tuple[str, str]]:
    forms = [(form, key) for key, t in _types().items() for form in t["forms"]]
    return sorted(forms, key=lambda f: -len(f[0]))


def _mask(text: str, a: int, b: int) -> str:
    return text[:a] + "\u0000" * (b - a) + text[b:]


def _find_zone(text: str) -> tuple[dict | None, str]:
    for zone in _data()["zones"]:
        for form in sorted([zone["name"]] + zone["forms"], key=len, reverse=True):
            if form in text:
                return zone, form
    return None, ""


def _find_types(text: str, profile: Profile) -> None:
    masked = text
    found: list[tuple[int, str, bool]] = []
    ends: dict[int, int] = {}
    for form, key in _type_forms():
        start = 0
        while (i := masked.find(form, start)) >= 0:
            start = i + len(form)
            masked = _mask(masked, i, start)
            aim = bool(_ASPIRATION.search(text[max(0, i - 8):i]))
            if _types()[key]["family"] == "carrier" and (
                    _HOSTED.search(text[max(0, i - 8):i]) or _HOSTED_AFTER.match(text, start)):
                key, aim = "在孵企业", False  # 入驻了一家孵化器, 在孵化器里: hosted by one, not one
            found.append((i, key, aim))
            ends[i] = start
            level = _LEVEL_BEFORE.search(text[max(0, i - 8):i])
            if level and _types()[key]["family"] in ("carrier", "zone", "institute") and not profile.level:
                profile.level = _level_name(level.group(1))
    found.sort()
    # Kinds named as a partner (跟研究所合作, 卖给一家企业) or as an employer or host followed by
    # the applicant's own kind (科研院所的工程师) are other parties. The applicant is the first
    # specific kind left; kinds of other families named later are the parties it deals with
    # (孵化器的在孵企业, 投高成长企业).
    found = [(i, key, aim) for n, (i, key, aim) in enumerate(found)
             if not _PARTNER.search(text[max(0, i - 8):i]) and not _SHARE_AFTER.match(text, ends[i]) and not (
                 n + 1 < len(found) and text.startswith("的", ends[i])
                 and found[n + 1][0] - i <= 12 and _types()[found[n + 1][1]]["family"] == "person")]
    subject = next((key for i, key, aim in found if not aim and key != "企业"), None)
    family = _types()[subject]["family"] if subject else None
    for _, key, aim in found:
        target = profile.aims if aim else profile.types
        if not aim and family and _types()[key]["family"] != family:
            continue
        if key not in target:
            target.append(key)
    # A generic word (企业, 公司) adds nothing when a specific type is named.
    if len(profile.types) > 1 and "企业" in profile.types:
        profile.types.remove("企业")
    if "企业" in profile.types and profile.aims and not any(_types()[t]["family"] == "enterprise" and t != "企业"
                                                            for t in profile.types):
        pass  # 准备申报高企的企业: an enterprise aiming at a type
    profile.aims = [a for a in profile.aims if a not in profile.types]
    if not profile.types and profile.aims:
        # 我们想申请高企认定 with no other word: an enterprise.
        if any(_types()[a]["family"] == "enterprise" for a in profile.aims):
            profile.types.append("企业")


_HOSTED = re.compile(r"(?:入驻|进驻|入孵)[^，。；,;]{0,6}$")
_HOSTED_AFTER = re.compile(r"里|内|入驻")
_PARTNER = re.compile(r"(?:跟|与|同|给|帮|(?<!呼)和|从|向)[^，。；,;]{0,5}$")
# A kind followed by its share (科技人员占15%) is a statistic of the applicant, not the applicant.
_SHARE_AFTER = re.compile(r"占|比例|比重")


def _level_name(word: str) -> str:
    for level, forms in _data()["levels"].items():
        if word in forms:
            return level
    return word


_FACTS = [
    # (fact key, pattern, unit multiplier to 万元 where money)
    ("员工", re.compile(rf"(?:员工|职工|雇员|人员)(?:共|有|约|大约|总数)?({_NUMERAL})(?:多)?(?:人|名)|({_NUMERAL})(?:多)?(?:人|名)(?:员工|职工)|(?:团队|规模)({_NUMERAL})(?:多)?(?:人|名)"), None),
    ("营业收入万元", re.compile(rf"(?:年?营收|营业收入|销售收入|年收入|收入|销售额|产值)(?:约|大约|达到|超过|有)?({_NUMERAL})(万元?|亿元?)"), "money"),
    ("研发费用万元", re.compile(rf"(?:研发投入|研发费用|研发经费|研发支出)(?:约|大约|达到|超过|有)?({_NUMERAL})(万元?|亿元?)"), "money"),
]
_AGE = re.compile(rf"(?:成立|注册|创办|创立|运营|开业)(?:了|才|刚)?(?:满|不到|近|约)?({_NUMERAL})(?:多)?(年|个月)|"
                  rf"({_NUMERAL})(?:多)?(年|个月)(?:前|以前)?(?:成立|注册|创办|创立)")
_YEAR_FOUNDED = re.compile(r"((?:19|20)\d\d)年(?:成立|注册|创办|创立)")
_STAGE_WORDS = [("初创期", ("刚成立", "刚刚成立", "初创", "刚起步", "起步阶段", "种子期", "刚注册", "新成立", "刚创业", "还没注册", "尚未注册")),
                ("成长期", ("成长期", "快速发展", "快速成长", "扩张期")),
                ("成熟期", ("成熟期", "上市公司", "已上市"))]
_ATTRIBUTES = [("新认定", ("首次认定", "首次通过认定", "新认定", "刚认定", "刚获批", "新获批", "刚通过认定", "刚被认定", "首次获批",
                        "新备案", "刚备案")),
               ("再次认定", ("再次认定", "重新认定", "复审", "有效期满")),
               ("有研发活动", ("研发活动", "研发投入", "研发费用", "研发团队", "自主研发")),
               ("有发明专利", ("发明专利",)),
               ("有知识产权", ("知识产权", "专利")),
               ("整体迁入", ("迁入", "搬迁到", "搬到")),
               ("拟上市", ("上市", "挂牌")),
               ("需要融资", ("贷款", "融资", "质押"))]


def _facts(text: str, profile: Profile) -> None:
    for key, pattern, kind in _FACTS:
        m = pattern.search(text)
        if not m:
            continue
        groups = [g for g in m.groups() if g]
        value = _number(groups[0])
        if value is None:
            continue
        if kind == "money" and len(groups) > 1 and groups[1].startswith("亿"):
            value *= 10000
        profile.facts[key] = value
        profile.fact_texts.append(m.group(0))
    m = _AGE.search(text)
    if m:
        number, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = _number(number)
        if value is not None and value >= 1900 and unit == "年":
            from datetime import date

            profile.facts["成立年份"] = int(value)
            value = max(0, date.today().year - int(value))
        if value is not None:
            profile.facts["成立月数"] = value * (1 if unit == "个月" else 12)
            profile.fact_texts.append(m.group(0))
    else:
        y = _YEAR_FOUNDED.search(text)
        if y:
            profile.facts["成立年份"] = int(y.group(1))
            profile.fact_texts.append(y.group(0))
    for stage, words in _STAGE_WORDS:
        if any(w in text for w in words):
            profile.stage = stage
            break
    months = profile.facts.get("成立月数")
    if not profile.stage and months is not None:
        profile.stage = "初创期" if months <= 36 else "成长期"
    if profile.stage == "初创期" and months is not None and not any("成立" in t for t in [profile.stage]):
        profile.stage = f"初创期（成立{_months_text(months)}）"
    elif months is not None and profile.stage:
        profile.stage = f"{profile.stage}（成立{_months_text(months)}）"
    for attribute, words in _ATTRIBUTES:
        if any(w in text for w in words) and attribute not in profile.attributes:
            profile.attributes.append(attribute)
    if "再次认定" in profile.attributes and "新认定" in profile.attributes:
        profile.attributes.remove("新认定")
    if "有发明专利" in profile.attributes and "有知识产权" in profile.attributes:
        profile.attributes.remove("有知识产权")


def _months_text(months: float) -> str:
    return f"{months / 12:g}年" if months >= 12 and months % 12 == 0 else f"{months:g}个月"


# Negation (a closed class of the language): 没有/不在/无/未/非 before a place noun denies it.
_NEGATED = re.compile(r"[没不无未非]")


def _place(text: str, profile: Profile) -> None:
    from assistant.answering.places import _by_form, places_named

    zone, form = _find_zone(text)
    if zone:
        profile.zone = zone["name"]
        profile.city = zone["city"]
        if any(_types()[t]["family"] == "zone" for t in profile.types) and not profile.level:
            profile.level = zone["level"]
        text = text.replace(form, " ")
    level = re.search(r"(国家级|自治区级|省级)(?:的)?高新区", text)
    if level and not profile.zone:
        profile.zone = f"{_level_name(level.group(1))}高新区"
        if any(_types()[t]["family"] == "zone" for t in profile.types) and not profile.level:
            profile.level = _level_name(level.group(1))
    elif not profile.zone and any(not _NEGATED.search(text[max(0, m.start() - 4):m.start()])
                                  for m in re.finditer(r"高新区|高新技术产业开发区", text)):
        profile.zone = "高新区"  # 乌兰察布现在还没有高新区 names no zone the applicant is in
    for city, districts in _data()["districts"].items():
        for d in districts:
            if d in text:
                profile.district = d
                profile.city = profile.city or city
    named = places_named(text)
    forms = _by_form()
    inside, outside = [], []
    for short in named:
        place = forms.get(short)
        if place is None:
            continue
        if short == "内蒙古" or place.province == "内蒙古":
            inside.append(place)
        else:
            outside.append(place)
    # The applicant is where it first says it is (北京的公司，在内蒙古没有分支; 石家庄的孵化器，听说赤峰…),
    # unless it says it moves to or sets up in a later place (原来在天津，现在搬到包头; 在包头设了分公司).
    first_out = min((_position(text, p) for p in outside), default=-1)
    if outside and not profile.city and first_out >= 0 and not any(
            _MOVE.search(text[:_position(text, p)]) or _SETTLE.match(text, _position(text, p) + len(p.short))
            for p in inside if _position(text, p) > first_out) and (
            not inside or first_out < min(_position(text, p) for p in inside)):
        profile.outside = min(outside, key=lambda p: _position(text, p)).name
        return
    cities = [p for p in inside if p.level == "city"]
    if not profile.city and cities:
        profile.city = cities[0].short
    if profile.city or inside:
        profile.province = "内蒙古"
    elif outside:
        profile.outside = outside[0].name


_MOVE = re.compile(r"(?:搬到|迁到|迁入|迁往|落户|落在|去|到|来)[^，。；,;]{0,3}$")
_SETTLE = re.compile(r"[^，。；,;没未]{0,6}?(?:设立|设了|注册|落户|成立|建了)")  # 北京的公司，在包头设了分公司


def _position(text: str, place) -> int:
    found = [i for i in (text.find(place.short), text.find(place.name)) if i >= 0]
    return min(found) if found else len(text)


def _industries(text: str, profile: Profile) -> None:
    masked = text
    for name, forms in sorted(_data()["industries"].items(), key=lambda kv: -max(len(f) for f in kv[1])):
        for form in sorted(forms, key=len, reverse=True):
            if form in masked:
                masked = masked.replace(form, "\u0000" * len(form))
                if name not in profile.industries:
                    profile.industries.append(name)


def parse_profile(text: str) -> Profile:
    """The profile ``text`` describes; an unrecognised applicant leaves ``types`` empty."""
    from assistant.retrieval.tokenization import to_simplified

    raw = (text or "").strip()
    clean = to_simplified(raw)
    profile = Profile(text=raw)
    zone, form = _find_zone(clean)
    for_types = clean.replace(form, "\u0000" * len(form)) if zone else clean
    _find_types(for_types, profile)
    _place(clean, profile)
    _industries(clean.replace(form, " ") if zone else clean, profile)
    _facts(clean, profile)
    if profile.types == ["企业"] and profile.stage.startswith("初创期") and not profile.aims:
        # A generic enterprise that says it is just starting; one seeking a recognition (想报高企)
        # applies as the enterprise it is.
        profile.types = ["创业团队、初创企业"]
    if "规模以上工业企业" in profile.types and "规模以上" not in profile.attributes:
        profile.attributes.append("规模以上")
    return profile


def with_selection(profile: Profile, *, types=(), city: str = "", zone: str = "", industries=()) -> Profile:
    """The profile with the web tab's selectors applied (a selector wins over the text)."""
    for t in types or ():
        if t in _types() and t not in profile.types:
            profile.types.append(t)
    if len(profile.types) > 1 and "企业" in profile.types:
        profile.types.remove("企业")
    if zone:
        z = next((z for z in _data()["zones"] if z["name"] == zone), None)
        if z:
            profile.zone, profile.city, profile.province = z["name"], z["city"], "内蒙古"
            if "高新区管委会" in profile.types:
                profile.level = z["level"]
    if city:
        profile.city, profile.province, profile.outside = city, "内蒙古", ""
    for i in industries or ():
        if i not in profile.industries:
            profile.industries.append(i)
    return profile


def type_names() -> list[str]:
    return list(_types())


def zone_names() -> list[str]:
    return [z["name"] for z in _data()["zones"]]


def industry_names() -> list[str]:
    return list(_data()["industries"])


def city_names() -> list[str]:
    """Every 盟市 of 内蒙古 (short names), from the places table."""
    return [p.short for p in lexicons.places() if p.province == "内蒙古" and p.level == "city"]
