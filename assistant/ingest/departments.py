"""Responsible departments (责任单位) as data, and lookups by the names people use.

``parse_departments`` turns a 责任单位 note into normalised names:

* ``自治区科技厅、工业和信息化厅、财政厅`` — the ``自治区`` prefix distributes over the
  ``、`` list: 自治区工业和信息化厅, 自治区财政厅;
* ``呼和浩特市、包头市、鄂尔多斯市人民政府`` — a shared organ suffix distributes back:
  three governments;
* ``各有关盟行政公署、市人民政府``, ``自治区各有关委、办、厅、局``, ``各高新区管委会`` —
  collective units (they begin with 各) stay one unit.

:class:`DepartmentIndex` maps each department of one document to the clauses it is
responsible for and resolves the names people use: the full name, the core name without the
jurisdiction prefix (科技厅), a short name or English name from ``data/aliases.json`` (发改委,
人社厅, NDRC), each matched against the document's own names, so the same alias finds
自治区发展改革委 in a regional document and 市发展改革委 in a city one.
:class:`CorpusDepartments` spans documents with :class:`~assistant.ingest.records.ClauseRef`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from assistant import lexicons
from assistant.errors import DepartmentNotFound
from assistant.ingest.records import ClauseRef

# Jurisdiction prefixes that distribute over a 、-list. Bare 市/县 are left out on purpose:
# "市场监管局" begins with 市 but is not a city-level "场监管局".
_PREFIX = re.compile(r"^(?!各)(内蒙古自治区|自治区|[\u4e00-\u9fff]{2,3}省|省|[\u4e00-\u9fff]{2,4}(?:市|盟)(?!场|民))"
                     r"(?=[\u4e00-\u9fff])")
# For matching names only (never distributed): a bare 市/盟 also marks the level — 市科技局
# is the city's 科技局 — except where 市 begins a word (市场监管局, 市民).
_CORE_PREFIX = re.compile(r"^(?:(?!各)(?:内蒙古自治区|自治区|[\u4e00-\u9fff]{2,3}省|省|[\u4e00-\u9fff]{2,4}(?:市|盟)(?!场|民))"
                          r"|市(?!场|民|政|辖)|盟(?!市|行))(?=[\u4e00-\u9fff]{2})")
# A name that already says who it belongs to and must not inherit a prefix.
_OWN_JURISDICTION = re.compile(
    r"^(自治区|内蒙古|国家|中国|人民银行|国务院|[\u4e00-\u9fff]{2,4}(?:省|市|盟|旗|县))"
)
# Organ suffixes that distribute back over bare place names: "A市、B市人民政府".
_ORGAN_SUFFIX = re.compile(r"(人民政府|行政公署|管委会|管理委员会)$")
_PLACE = re.compile(r"(?:市|盟|旗|县|区|高新区)$")
_LEVEL_ORGAN = re.compile(r"^(?:市|盟|旗|县|区|旗县|旗县区|县区)(?:人民政府|政府|行政公署|管委会|委员会)$")
_GROUP_SEP = re.compile(r"[，,；;]")
_ITEM_SEP = re.compile(r"[、]")

def _split_group(group: str) -> list[str]:
    group = group.strip()
    if not group:
        return []
    prefix_match = _PREFIX.match(group)
    prefix = prefix_match.group(1) if prefix_match else ""
    items = [item.strip() for item in _ITEM_SEP.split(group) if item.strip()]
    if group[len(prefix):].startswith("各"):
        # A collective unit keeps the items its 各 distributes over: organ words
        # (自治区各有关委、办、厅、局) and level-plus-organ names (各有关盟行政公署、市人民政府);
        # a named body after it (…、稀土高新区管委会) is a department of its own.
        collective = [items[0]]
        for i, item in enumerate(items[1:], 1):
            if len(item) <= 2 or _LEVEL_ORGAN.match(item):
                collective.append(item)
            else:
                return ["、".join(collective)] + [n for rest in items[i:] for n in _split_group(rest)]
        return [group]
    suffix = _ORGAN_SUFFIX.search(items[-1])
    if suffix and len(items) > 1 and all(_PLACE.search(i) and not _ORGAN_SUFFIX.search(i) for i in items[:-1]):
        items = [i + suffix.group(1) for i in items[:-1]] + [items[-1]]
    names = []
    for i, item in enumerate(items):
        place = prefix.rstrip("市盟省")  # 包头市 → 包头: 包头银保监分局 already says whose it is
        if i and prefix and not _OWN_JURISDICTION.match(item) and not item.startswith(("各", prefix, place)):
            item = prefix + item
        names.append(item)
    return names


_ROLE_LABEL = re.compile(r"^\s*(牵头|配合|协助|参与)(?:单位|部门)\s*[：:]\s*")
_ROLE_AFTER = re.compile(r"\s*[（(]?(牵头|配合|协助|参与)[）)]?$")


def department_roles(raw: str) -> list[tuple[str, str]]:
    """(name, role) of a 责任单位 note, in order, without duplicates: role is 牵头 or 配合
    where the note says so (``牵头单位：A；配合单位：B``, ``A牵头，B配合``, ``A（牵头）``), else ""."""
    raw = (raw or "").strip()
    current = "牵头" if re.match(r"^\s*牵头(?:单位|部门)", raw) else ""
    raw = re.sub(r"^\s*(?:责任|牵头)(?:单位|部门)\s*[：:，,]", "", raw).strip().rstrip("。）)")
    out: list[tuple[str, str]] = []
    for group in _GROUP_SEP.split(raw):
        label = _ROLE_LABEL.match(group)
        if label:
            current = "牵头" if label.group(1) == "牵头" else "配合"
            group = group[label.end():]
        names = _split_group(group)
        roles = [current] * len(names)
        for i, name in enumerate(names):  # A（牵头）、B: that item only
            own = re.search(r"[（(](牵头|配合|协助|参与)[）)]?$", name)
            if own and own.start() > 0:
                names[i], roles[i] = name[:own.start()], "牵头" if own.group(1) == "牵头" else "配合"
        if names and not any(r != current for r in roles):
            after = _ROLE_AFTER.search(names[-1])  # A、B牵头: the role word closes the group
            if after and len(names[-1]) > len(after.group(0)):
                names[-1] = names[-1][:after.start()]
                roles = ["牵头" if after.group(1) == "牵头" else "配合"] * len(names)
        for name, role in zip(names, roles):
            if name and name not in [n for n, _ in out]:
                out.append((name, role))
    return out


def parse_departments(raw: str) -> list[str]:
    """Normalised department names of a 责任单位 note, in order, without duplicates."""
    return [name for name, _ in department_roles(raw)]


def core_name(name: str) -> str:
    """The name without its jurisdiction prefix: 自治区科技厅 → 科技厅."""
    match = _CORE_PREFIX.match(name)
    core = name[match.end():] if match else name
    return core or name


_ENGLISH_FILLER = {"department", "of", "the", "and", "bureau", "commission", "office", "for", "s", "administration"}


@dataclass
class DepartmentIndex:
    """Department → the clauses (numbers, in document order) it is responsible for."""

    clauses_by_department: dict[str, list[int]] = field(default_factory=dict)
    _forms: dict | None = field(default=None, repr=False, compare=False)

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
        if self._forms is not None:
            return self._forms
        forms: dict[str, list[str]] = {}
        for name in self.names:
            for form in {name, core_name(name)}:
                forms.setdefault(form, []).append(name)
        for alias, target in lexicons.aliases().items():
            matched = self._by_core(alias) or self._by_core(target)
            if matched:
                forms.setdefault(alias, [])
                forms[alias] += [m for m in matched if m not in forms[alias]]
        self._forms = forms
        return forms

    def _by_core(self, core: str) -> list[str]:
        """Departments whose core name is ``core``, else whose name contains it as a whole
        organ name (税务局 → 内蒙古税务局, 人民银行 → 人民银行呼和浩特中心支行)."""
        exact = [n for n in self.names if n == core or core_name(n) == core]
        if exact or len(core) < 2:
            return exact
        return [n for n in self.names if core in n and not n.startswith("各")] or [
            n for n in self.names if core in n]

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
        return self._by_core(bare) or self._by_core(lexicons.aliases().get(bare, bare))

    def find_in(self, text: str) -> list[str]:
        """Departments named anywhere in a question, longest mention first, no overlaps.
        English names match by their content words in any order (Ecology and Environment
        Department = Department of Ecology and Environment)."""
        found: list[str] = []
        for _, _, names in self.mentions(text):
            found += [n for n in names if n not in found]
        return found

    def mentions(self, text: str) -> list[tuple[int, int, list[str]]]:
        """(start, end, departments) of each mention; English word-set matches span the text."""
        lowered = (text or "").lower()
        out: list[tuple[int, int, list[str]]] = []
        words = set(re.findall(r"[a-z]+", lowered))
        if words:
            for form, names in self.surface_forms().items():
                key = set(re.findall(r"[a-z]+", form)) - _ENGLISH_FILLER
                if form.isascii() and key and key <= words:
                    out.append((0, len(lowered), list(names)))
        taken: list[tuple[int, int]] = []
        for form, names in sorted(self.surface_forms().items(), key=lambda kv: -len(kv[0])):
            if len(form) < 2 or form.isascii() and words:
                continue
            start = lowered.find(form.lower())
            while start >= 0:
                end = start + len(form)
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    out.append((start, end, list(names)))
                    break
                start = lowered.find(form.lower(), start + 1)
        return out

    def clauses_for(self, query: str) -> tuple[list[str], list[int]]:
        """(departments, their clause numbers); raises with suggestions if none matches."""
        names = self.resolve(query)
        if not names:
            raise DepartmentNotFound(query.strip(), self.suggest(query))
        numbers = sorted({n for name in names for n in self.clauses_by_department[name]})
        return names, numbers

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        query = (query or "").strip()
        candidates = self.names + [a for a in lexicons.aliases() if not a.isascii()]
        close = difflib.get_close_matches(query, candidates, n=limit * 2, cutoff=0.3)
        close += [n for n in self.names if query and any(ch in n for ch in query) and n not in close]
        out: list[str] = []
        for candidate in close:
            for name in self.resolve(candidate) or [candidate]:
                if name in self.names and name not in out:
                    out.append(name)
        return out[:limit]


class CorpusDepartments:
    """Departments across every document: name → the :class:`ClauseRef` it is responsible for.

    Each document resolves names against its own departments (a city's 发改委 is its
    市发展改革委), so lookups ask every document and merge, in corpus order."""

    def __init__(self, documents):
        self.documents = list(documents)

    @property
    def clauses_by_department(self) -> dict[str, list[ClauseRef]]:
        out: dict[str, list[ClauseRef]] = {}
        for doc in self.documents:
            for name, numbers in doc.departments.clauses_by_department.items():
                out.setdefault(name, []).extend(ClauseRef(doc.doc_id, n) for n in numbers)
        return out

    @property
    def names(self) -> list[str]:
        return list(self.clauses_by_department)

    def find_in(self, text: str, doc_ids=None) -> list[str]:
        """Departments named in ``text`` across documents. Where documents read the same
        words differently, the longest reading wins: 市科技局 is the city's 科技局, not an
        alias of the region's 科技厅 found inside it."""
        spans = [(s, e, names) for doc in self._docs(doc_ids) for s, e, names in doc.departments.mentions(text)]
        found: list[str] = []
        for s, e, names in sorted(spans, key=lambda span: span[:2]):
            if any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans):
                continue
            found += [n for n in names if n not in found]
        return found

    def clauses_for(self, query: str, doc_ids=None) -> tuple[list[str], list[ClauseRef]]:
        """(departments, their clauses across documents); raises with suggestions if none."""
        names: list[str] = []
        refs: list[ClauseRef] = []
        for doc in self._docs(doc_ids):
            for name in doc.departments.resolve(query):
                if name not in names:
                    names.append(name)
                refs += [ClauseRef(doc.doc_id, n) for n in doc.departments.clauses_by_department[name]
                         if ClauseRef(doc.doc_id, n) not in refs]
        if not names:
            suggestions: list[str] = []
            for doc in self._docs(doc_ids):
                suggestions += [s for s in doc.departments.suggest(query) if s not in suggestions]
            raise DepartmentNotFound((query or "").strip(), suggestions[:5])
        return names, refs

    def _docs(self, doc_ids):
        return [d for d in self.documents if not doc_ids or d.doc_id in doc_ids]
