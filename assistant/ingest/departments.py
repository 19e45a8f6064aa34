"""Responsible departments (责任单位) as data, and lookups by the names people use.

``parse_departments`` turns a 责任单位 note into normalised names:

* ``自治区科技厅、工业和信息化厅、财政厅`` — the ``自治区`` prefix distributes over the
  ``、`` list: 自治区工业和信息化厅, 自治区财政厅;
* ``呼和浩特市、包头市、鄂尔多斯市人民政府`` — a shared organ suffix distributes back:
  three governments;
* ``各有关盟行政公署、市人民政府``, ``自治区各有关委、办、厅、局``, ``各高新区管委会`` —
  collective units (they begin with 各) stay one unit.

:class:`DepartmentIndex` maps each department to the clauses it is responsible for and
resolves common short names (发改委, 人社厅, 外办 …) through :data:`ALIASES`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from assistant.errors import DepartmentNotFound

# Jurisdiction prefixes that distribute over a 、-list. Bare 市/县 are left out on purpose:
# "市场监管局" begins with 市 but is not a city-level "场监管局".
_PREFIX = re.compile(r"^(内蒙古自治区|自治区|[\u4e00-\u9fff]{2,3}省|省)(?=[\u4e00-\u9fff])")
# A name that already says who it belongs to and must not inherit a prefix.
_OWN_JURISDICTION = re.compile(
    r"^(自治区|内蒙古|国家|中国|人民银行|国务院|[\u4e00-\u9fff]{2,4}(?:省|市|盟|旗|县))"
)
# Organ suffixes that distribute back over bare place names: "A市、B市人民政府".
_ORGAN_SUFFIX = re.compile(r"(人民政府|行政公署|管委会|管理委员会)$")
_PLACE = re.compile(r"(?:市|盟|旗|县|区|高新区)$")
_GROUP_SEP = re.compile(r"[，,；;]")
_ITEM_SEP = re.compile(r"[、]")

# Common short names of Chinese government bodies → the core name used in documents
# (without the jurisdiction prefix). General domain knowledge, one line per body.
ALIASES: dict[str, str] = {
    "发改委": "发展改革委", "发展和改革委员会": "发展改革委", "发展改革委员会": "发展改革委", "发改": "发展改革委",
    "科技局": "科技厅", "科学技术厅": "科技厅", "科技部门": "科技厅",
    "工信厅": "工业和信息化厅", "经信委": "工业和信息化厅", "工信部门": "工业和信息化厅",
    "财政局": "财政厅", "财政部门": "财政厅",
    "自然资源局": "自然资源厅", "国土厅": "自然资源厅", "国土资源厅": "自然资源厅",
    "生态环境局": "生态环境厅", "环保厅": "生态环境厅", "环保局": "生态环境厅", "环境厅": "生态环境厅",
    "人社厅": "人力资源社会保障厅", "人社局": "人力资源社会保障厅", "人力资源和社会保障厅": "人力资源社会保障厅",
    "人社部门": "人力资源社会保障厅",
    "教育局": "教育厅", "公安局": "公安厅",
    "住建厅": "住房城乡建设厅", "住建局": "住房城乡建设厅", "住房和城乡建设厅": "住房城乡建设厅",
    "卫健委": "卫生健康委", "卫生健康委员会": "卫生健康委", "卫生厅": "卫生健康委", "卫计委": "卫生健康委",
    "文旅厅": "文化和旅游厅", "文化旅游厅": "文化和旅游厅", "文旅局": "文化和旅游厅",
    "外办": "外事办", "外事办公室": "外事办", "外事部门": "外事办",
    "金融局": "地方金融监管局", "金融办": "地方金融监管局", "地方金融监督管理局": "地方金融监管局",
    "金融监管局": "地方金融监管局",
    "市场监督管理局": "市场监管局", "市监局": "市场监管局", "工商局": "市场监管局",
    "农牧业厅": "农牧厅", "农业农村厅": "农牧厅", "农业厅": "农牧厅",
    "交通厅": "交通运输厅", "交通局": "交通运输厅",
    "商务局": "商务厅", "统计厅": "统计局", "能源厅": "能源局",
    "大数据局": "大数据中心", "大数据管理局": "大数据中心",
    "政务局": "政务服务局", "政务服务管理局": "政务服务局", "政务办": "政务服务局",
    "税务局": "内蒙古税务局", "税务部门": "内蒙古税务局", "国税局": "内蒙古税务局", "税务": "内蒙古税务局",
    "银保监局": "内蒙古银保监局", "银保监": "内蒙古银保监局", "银保监会": "内蒙古银保监局",
    "证监局": "内蒙古证监局", "证监会": "内蒙古证监局",
    "人民银行": "人民银行呼和浩特中心支行", "人行": "人民银行呼和浩特中心支行", "央行": "人民银行呼和浩特中心支行",
    "人民银行呼和浩特中心支行": "人民银行呼和浩特中心支行",
    "高新区管委会": "各高新区管委会", "管委会": "各高新区管委会",
    "盟市政府": "各有关盟行政公署、市人民政府", "盟市": "各有关盟行政公署、市人民政府",
    "盟行政公署": "各有关盟行政公署、市人民政府", "各盟市": "各有关盟行政公署、市人民政府",
    # English names, for questions asked in English.
    "department of science and technology": "科技厅", "science and technology department": "科技厅",
    "development and reform commission": "发展改革委", "ndrc": "发展改革委",
    "department of industry and information technology": "工业和信息化厅",
    "department of finance": "财政厅", "finance department": "财政厅",
    "department of natural resources": "自然资源厅", "department of ecology and environment": "生态环境厅",
    "department of human resources and social security": "人力资源社会保障厅",
    "department of education": "教育厅", "department of public security": "公安厅",
    "department of housing and urban-rural development": "住房城乡建设厅",
    "health commission": "卫生健康委", "department of commerce": "商务厅",
    "department of culture and tourism": "文化和旅游厅", "foreign affairs office": "外事办",
    "financial regulatory bureau": "地方金融监管局", "market regulation": "市场监管局",
    "administration for market regulation": "市场监管局", "statistics bureau": "统计局",
    "energy bureau": "能源局", "big data center": "大数据中心", "tax bureau": "内蒙古税务局",
    "taxation bureau": "内蒙古税务局", "people's bank of china": "人民银行呼和浩特中心支行",
    "management committee": "各高新区管委会", "department of transport": "交通运输厅",
    "department of agriculture and animal husbandry": "农牧厅",
}


def _split_group(group: str) -> list[str]:
    group = group.strip()
    if not group:
        return []
    prefix_match = _PREFIX.match(group)
    prefix = prefix_match.group(1) if prefix_match else ""
    if group[len(prefix):].startswith("各"):
        return [group]  # collective unit: 自治区各有关委、办、厅、局 / 各有关盟行政公署、市人民政府
    items = [item.strip() for item in _ITEM_SEP.split(group) if item.strip()]
    suffix = _ORGAN_SUFFIX.search(items[-1])
    if suffix and len(items) > 1 and all(_PLACE.search(i) and not _ORGAN_SUFFIX.search(i) for i in items[:-1]):
        items = [i + suffix.group(1) for i in items[:-1]] + [items[-1]]
    names = []
    for i, item in enumerate(items):
        if i and prefix and not _OWN_JURISDICTION.match(item) and not item.startswith("各"):
            item = prefix + item
        names.append(item)
    return names


def parse_departments(raw: str) -> list[str]:
    """Normalised department names of a 责任单位 note, in order, without duplicates."""
    raw = re.sub(r"^\s*(?:责任|牵头)(?:单位|部门)\s*[：:，,]", "", raw or "").strip().rstrip("。）)")
    names: list[str] = []
    for group in _GROUP_SEP.split(raw):
        for name in _split_group(group):
            if name not in names:
                names.append(name)
    return names


def core_name(name: str) -> str:
    """The name without its jurisdiction prefix: 自治区科技厅 → 科技厅."""
    match = _PREFIX.match(name)
    core = name[match.end():] if match else name
    return core or name


@dataclass
class DepartmentIndex:
    """Department → the clauses (numbers, in document order) it is responsible for."""

    clauses_by_department: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_clauses(cls, clauses) -> "DepartmentIndex":
        index: dict[str, dict[int, None]] = {}  # dicts keep insertion order and dedupe in O(1)
        for clause in clauses:
            for name in clause.departments:
                index.setdefault(name, {})[clause.number] = None
        return cls({name: list(numbers) for name, numbers in index.items()})

    @property
    def names(self) -> list[str]:
        return list(self.clauses_by_department)

    def surface_forms(self) -> dict[str, list[str]]:
        """Every string that names a department (full, core, alias) → the departments."""
        forms: dict[str, list[str]] = {}
        for name in self.names:
            for form in {name, core_name(name)}:
                forms.setdefault(form, []).append(name)
        for alias, target in ALIASES.items():
            matched = self._by_core(target)
            if matched:
                forms.setdefault(alias, [])
                forms[alias] += [m for m in matched if m not in forms[alias]]
        return forms

    def _by_core(self, core: str) -> list[str]:
        return [n for n in self.names if n == core or core_name(n) == core]

    def resolve(self, query: str) -> list[str]:
        """The departments a user means by ``query`` (full name, short name or alias)."""
        text = re.sub(r"\s+", " ", query or "").strip().lower()
        text = text.rstrip("？?。.")
        if not text:
            return []
        if text in (n.lower() for n in self.names):
            return [n for n in self.names if n.lower() == text]
        forms = self.surface_forms()
        if text in forms:
            return forms[text]
        bare = core_name(text)
        if bare in ALIASES:
            return self._by_core(ALIASES[bare])
        return self._by_core(bare)

    def find_in(self, text: str) -> list[str]:
        """Departments named anywhere in a question, longest mention first, no overlaps."""
        lowered = (text or "").lower()
        found: list[str] = []
        taken: list[tuple[int, int]] = []
        for form, names in sorted(self.surface_forms().items(), key=lambda kv: -len(kv[0])):
            if len(form) < 2:
                continue
            start = lowered.find(form.lower())
            while start >= 0:
                end = start + len(form)
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found += [n for n in names if n not in found]
                    break
                start = lowered.find(form.lower(), start + 1)
        return found

    def clauses_for(self, query: str) -> tuple[list[str], list[int]]:
        """(departments, their clause numbers); raises with suggestions if none matches."""
        names = self.resolve(query)
        if not names:
            raise DepartmentNotFound(query.strip(), self.suggest(query))
        numbers = sorted({n for name in names for n in self.clauses_by_department[name]})
        return names, numbers

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        query = (query or "").strip()
        candidates = self.names + [a for a in ALIASES if not a.isascii()]
        close = difflib.get_close_matches(query, candidates, n=limit * 2, cutoff=0.3)
        close += [n for n in self.names if query and any(ch in n for ch in query) and n not in close]
        out: list[str] = []
        for candidate in close:
            for name in self.resolve(candidate) or [candidate]:
                if name in self.names and name not in out:
                    out.append(name)
        return out[:limit]
