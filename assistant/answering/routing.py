"""Which documents does a question name? By 文号, by its kind and title, or by its issuer.

* A 文号 (内政发〔2021〕13号, or its number 13号文 with the year) or the document's own kind
  word when only one document is of that kind (若干措施, 管理办法, 实施意见, 通知) names it:
  the question is answered from that document alone.
* The issuer's place (包头, 赤峰, 内蒙古/自治区) leans towards a document but does not fence
  the others off: a question about 包头稀土高新区 may well be about a regional measure, so
  the place only adds a small bonus to that document's clauses (see :data:`PLACE_BONUS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Kind words of Chinese policy documents (the end of a title names the kind).
KINDS = ("实施意见", "若干意见", "若干措施", "若干政策", "工作方案", "管理办法",
         "实施细则", "暂行办法", "办法", "细则", "规定", "条例", "意见", "方案", "通知", "规划", "措施")
PLACE_BONUS = 0.06
_DOC_WORD = re.compile(r"文件|文|规定|政策|里|中|上|第|的")


@dataclass
class Route:
    doc_ids: list[str] = field(default_factory=list)  # named: answer from these only
    leaning: list[str] = field(default_factory=list)  # the issuer's place named: a bonus
    reason: str = ""
    bonus: float = PLACE_BONUS


def kind_of(title: str) -> str:
    return next((k for k in KINDS if title.endswith(k) or title.endswith(k + "》")), "")


def _number_forms(doc_number: str) -> list[str]:
    """内政发〔2021〕13号 → itself, 内政发2021年13号, 2021年13号文, 13号文."""
    compact = re.sub(r"\s+", "", doc_number)
    match = re.match(r"(.*?)[〔\[［(（](\d{4})[〕\]］)）](\d+)号", compact)
    if not match:
        return [compact] if compact else []
    prefix, year, number = match.groups()
    return [compact, f"{prefix}{year}{number}号", f"{prefix}〔{year}〕{number}号", f"{year}年{number}号",
            f"{prefix}{number}号"]


def route(text: str, corpus) -> Route:
    from assistant.answering.places import jurisdiction, places_named

    documents = corpus.documents
    if len(documents) <= 1:
        return Route([d.doc_id for d in documents])
    compact = re.sub(r"\s+", "", text)
    by_number = [d.doc_id for d in documents if any(f in compact for f in _number_forms(d.meta.doc_number))]
    if by_number:
        return Route(by_number, reason="文号")
    kinds = {}
    for d in documents:
        kinds.setdefault(kind_of(d.meta.title), []).append(d.doc_id)
    for kind, ids in kinds.items():
        if kind and len(ids) == 1 and kind in compact and _names_kind(compact, kind):
            return Route(ids, reason=kind)
    named = set(places_named(text))
    leaning = [d.doc_id for d in documents if named & set(jurisdiction(d))]
    # A place names a document only when it is that document's own, not every document's.
    if len(leaning) == len(documents):
        leaning = []
    # 包头对…/包头的政策/在包头 speaks of that jurisdiction's policy: answered from it; 包头稀土
    # 高新区 names a zone that other documents (a regional one) may well be about: a lean only.
    actor = [d for d in leaning if any(_as_jurisdiction(text, p) for p in set(jurisdiction(corpus.document(d))) & named)]
    if actor and len(actor) < len(documents):
        return Route(actor, reason="发文机关所在地")
    if leaning:
        return Route([], leaning, "发文机关所在地")
    # No document, place or kind named: a question about "the policy" in general leans to
    # the widest jurisdiction — a regional measure applies in every city, a city's only there.
    widest = _widest(documents)
    return Route([], widest if len(widest) < len(documents) else [], "适用范围最广", DEFAULT_BONUS)


DEFAULT_BONUS = 0.03


def _widest(documents) -> list[str]:
    from assistant.answering.places import jurisdiction, place_level

    levels = {d.doc_id: min((place_level(p) for p in jurisdiction(d)), default=9) for d in documents}
    best = min(levels.values(), default=9)
    return [d for d, level in levels.items() if level == best and best < 9]


_ZONE_AFTER = re.compile(r"^(?:市)?(?:国家级)?[\u4e00-\u9fff]{0,4}?(?:高新区|开发区|园区|工业园|产业园|自贸区|新区)")


def _as_jurisdiction(text: str, place: str) -> bool:
    """Every mention of ``place`` is the jurisdiction itself, not a zone named after it."""
    spots = [m.end() for m in re.finditer(re.escape(place), text)]
    return bool(spots) and not any(_ZONE_AFTER.match(text[end:]) for end in spots)


def _names_kind(text: str, kind: str) -> bool:
    """``若干措施`` in "若干措施里…" names the document; "有哪些措施" does not."""
    if len(kind) >= 4:
        return True
    at = text.find(kind)
    before, after = text[max(0, at - 2):at], text[at + len(kind):at + len(kind) + 2]
    return bool(_DOC_WORD.match(after)) or "这" in before or "该" in before or "那" in before
