"""Places: which ones a question names, and whether a document's scope covers them.

A document covers a place it names itself, a province in which it names a city, and every
place inside its own jurisdiction (a regional document covers its cities). Anything else is
another jurisdiction's policy. The places are the complete table of provincial- and
prefecture-level divisions in ``data/places.json`` — no hand-picked list.
"""

from __future__ import annotations

import re
from functools import cache

from assistant import lexicons


@cache
def _by_form() -> dict[str, lexicons.Place]:
    out: dict[str, lexicons.Place] = {}
    for place in lexicons.places():
        for form in place.forms():
            # A province outranks a prefecture of the same short name (海南 province vs 海南州).
            if form and (form not in out or place.level == "province"):
                out[form] = place
    return out


def _segmenter():
    from assistant.retrieval.tokenization import base_jieba

    return base_jieba()


def places_named(text: str) -> list[str]:
    """Short names of the places ``text`` names: as a word of its own (长治 in 长治久安 is
    not the city), or in English (Shanghai, Inner Mongolia)."""
    if not text:
        return []
    lowered = text.lower()
    candidates = {m.group(0) for m in _pattern().finditer(lowered)}
    if not candidates:
        return []
    found: list[str] = []
    words = set(_segmenter().lcut(text)) if any(not c.isascii() for c in candidates) else set()
    forms = _by_form()
    for form in sorted(candidates, key=lambda f: (-len(f), f)):
        place = forms[form]
        if form.isascii():
            found.append(place.short)
        elif form in words or form == place.name or any(
                w.startswith(form) and (w in _full_names() or _ZONE.fullmatch(w[len(form):])) for w in words):
            found.append(place.short)
    return list(dict.fromkeys(found))


# A place name followed by a zone or level word is still that place: 苏州工业园区, 深圳市.
_ZONE = re.compile(r"(?:市|省|区|县|盟|旗|州|工业园区|园区|高新区|开发区|新区|自贸区)")


@cache
def _pattern() -> re.Pattern:
    """One alternation of every form (longest first); English forms as whole words."""
    forms = sorted(_by_form(), key=len, reverse=True)
    chinese = [re.escape(f) for f in forms if not f.isascii() and len(f) >= 2]
    english = [re.escape(f) for f in forms if f.isascii() and len(f) >= 4]
    return re.compile("|".join(chinese + [rf"\b(?:{'|'.join(english)})\b"]))


@cache
def _full_names() -> frozenset[str]:
    return frozenset(p.name for p in lexicons.places())


def jurisdiction(document) -> list[str]:
    """Short names of the places a document governs: those in its issuer (or title)."""
    source = document.meta.issuer or document.meta.title
    return places_named(source) if source else []


def document_places(document) -> set[str]:
    """Places the document names anywhere in its text."""
    cached = getattr(document, "_places_named", None)
    if cached is None:
        cached = set(places_named(document.text))
        object.__setattr__(document, "_places_named", cached)
    return cached


def covers_place(document, short: str) -> bool:
    place = _by_form().get(short)
    if place is None:
        return True
    named = document_places(document)
    if short in named:
        return True
    # A place that contains a place the document names (a province of a city it names).
    if place.level == "province" and any(_province_of(p) == short for p in named):
        return True
    # A place inside the document's own jurisdiction.
    for own in jurisdiction(document):
        if own == short or (_level(own) == "province" and place.province == own):
            return True
    return False


def foreign_places(places: list[str], documents) -> list[str]:
    """The named places that none of ``documents`` covers."""
    return [p for p in places if not any(covers_place(d, p) for d in documents)]


def _province_of(short: str) -> str:
    place = _by_form().get(short)
    return place.province if place else ""


def _level(short: str) -> str:
    place = _by_form().get(short)
    return place.level if place else ""


def place_level(short: str) -> int:
    """0 for a province-level place, 1 for a prefecture-level one, 9 when unknown."""
    return {"province": 0, "city": 1}.get(_level(short), 9)
