"""Provisions: each sentence of a policy clause read as a measure, at ingest.

A 公文 sentence says who does what for whom, how much, by when and with which exceptions:
``支持符合条件的高新区内企业上市融资``, ``国家级高新区达到5家以上``, ``严格控制高污染…企业入驻``.
This module reads that grammar once per document so the layers above can ask a clause for
its measures instead of re-reading the text per question:

* sentences are cut at 。；？！ and line breaks (outside brackets and quotes), so each
  ；-separated measure is its own :class:`Provision`; the 责任单位 note is never one;
* the measure starts at the action word and runs to the end of its sentence-part; the
  sentence's strongest forbid/restrict word wins, otherwise its first action word outside
  a ``对…的`` target phrase or a ``除…外`` exception;
* a sentence-opening ``到2025年`` governs the following sentences of the clause up to the next
  target year, and a governed sentence that only describes states is a goal;
* quantities carry their comparator (以上/不少于 → ``>=``, 以内/不超过/最高 → ``<=``) and the
  governing phrase between separators.

The word lists are data (``assistant/data/provisions.json``, via
:func:`assistant.lexicons.provision_grammar`); this module holds only how they combine.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache

from assistant.ingest.parser import _OPENERS  # one table of brackets and quotes for every sentence split
from assistant.ingest.records import ClauseRef

_STRENGTH = ("forbid", "restrict")  # these override an earlier action word: the limit is the news
_GOVERNED_AS_GOAL = ("require", "state")  # under 到20XX年 a duty or a state describes the target
_ENDS = "。；？！;?!\n"
_PART_SEPARATORS = "，；。、,;\n"
_TERMINATORS = "。；？！;?!，,：: \n"
_MASK = "\u0000"


@dataclass(frozen=True)
class Quantity:
    value: float  # 5, 1.5, 20 (五家 → 5)
    unit: str  # 家 / % / 亿元 …, "" if none
    text: str  # verbatim span with its comparator words, e.g. "5家以上"
    start: int  # offsets into the clause text
    end: int
    comparator: str  # ">=", "<=" or "="
    phrase: str  # the clause-text span between the separators around it


@dataclass(frozen=True)
class Provision:
    ref: ClauseRef
    sentence: int  # index of the sentence within the clause (0-based)
    start: int  # offsets of the sentence in clause.text
    end: int
    text: str
    measure: str  # from the action word to the end of the sentence-part; the whole part if no action word
    verb: str
    modality: str  # support | encourage | require | forbid | restrict | goal | state
    beneficiaries: tuple[str, ...]
    levels: tuple[str, ...]
    places: tuple[str, ...]
    quantities: tuple[Quantity, ...]
    years: tuple[int, ...]
    exceptions: tuple[str, ...]
    departments: tuple[str, ...]


def _alternation(words) -> str:
    """Longest first, so 严格控制 wins over 严格 and 高新技术企业 over 企业."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Grammar:
    modality_of: dict
    verbs: re.Pattern
    not_verbs: re.Pattern
    beneficiaries: re.Pattern
    levels: re.Pattern
    places: re.Pattern
    place_names: dict
    enclosing: tuple
    to_part_end: re.Pattern
    quantity: re.Pattern
    comparators: tuple  # ((comparator, before-words, after-words), …)


@cache
def _grammar() -> _Grammar:
    from assistant.lexicons import places, provision_grammar

    data = provision_grammar()
    modality_of = {w: m for m, words in data["modalities"].items() for w in words}
    # A ban or a restriction is itself an exception to the measure: 不得…, 严格控制…, 原则上….
    limits = [w for w, m in modality_of.items() if m in _STRENGTH] + data["exceptions"]["to_part_end"]
    place_names = {form: p.name for p in places() for form in (p.name, p.short) if len(form) >= 2}
    enclosing = tuple(re.compile(f"{re.escape(a)}[^；。]{{0,40}}?{re.escape(b)}") for a, b in data["exceptions"]["enclosing"])
    numeral = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*"
    return _Grammar(
        modality_of=modality_of,
        verbs=re.compile(_alternation(modality_of)),
        not_verbs=re.compile(_alternation(data["not_verbs"])),
        beneficiaries=re.compile(_alternation(data["beneficiaries"])),
        levels=re.compile(_alternation(data["levels"])),
        places=re.compile(_alternation(place_names)),
        place_names=place_names,
        enclosing=enclosing,
        to_part_end=re.compile(f"(?:{_alternation(limits)})[^，；。,;\n]*"),
        quantity=re.compile(f"(?<![\\d.第同])({numeral})({_alternation(data['units'])})"),
        comparators=tuple((c, tuple(w["before"]), tuple(w["after"])) for c, w in data["comparators"].items()),
    )


# The sentence-opening target year (到2025年，…) and any year named (not a calendar date).
_TARGET_YEAR = re.compile(r"^(?:\d{1,2}[.．、])?(?:力争)?到(20\d\d)年")
_YEAR = re.compile(r"((?:19|20)\d\d)年(?!\d{1,2}月)")
# An item's own label (1. or （一）) is not part of its measure.
_ITEM_LABEL = re.compile(r"^(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十]{1,3}[）)])")
# Where a target or a condition is named (对…的企业, 作为…的载体, 符合…政策的，) the words
# describe whom or when, not the measure.
_TARGET_PHRASE = re.compile(r"(?:对|作为)[^，；。]*?的|[^，；。]*的(?=，)")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: cut after 。；？！ and line breaks outside brackets and quotes."""
    spans, start, closers = [], 0, []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            closers.append(_OPENERS[ch])
        elif closers and ch == closers[-1]:
            closers.pop()
        elif ch in _ENDS and (not closers or ch == "\n"):
            closers.clear()
            spans.append((start, i + 1))
            start = i + 1
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        a += len(piece) - len(piece.lstrip())
        b -= len(piece) - len(piece.rstrip())
        if b > a and text[a:b].strip("。；？！;?!"):
            out.append((a, b))
    return out


def _mask(text: str, pattern: re.Pattern) -> str:
    """The text with every match of ``pattern`` blanked, offsets unchanged."""
    return pattern.sub(lambda m: _MASK * len(m.group(0)), text)


def _unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


def _exceptions(g: _Grammar, text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """(verbatim exception spans, the 除…外 spans): 消除 is no 除, so words like it are masked first."""
    masked = _mask(text, g.not_verbs)
    spans = [(m.start(), m.end()) for p in g.enclosing for m in p.finditer(masked)]
    found = [text[a:b] for a, b in spans]
    for m in g.to_part_end.finditer(masked):
        if not any(a <= m.start() < b for a, b in spans):
            found.append(text[m.start():m.end()])
    return found, spans


def _verb(g: _Grammar, text: str, enclosed: list[tuple[int, int]], has_target: bool) -> re.Match | None:
    masked = _mask(_mask(text, g.not_verbs), _TARGET_PHRASE)
    for a, b in enclosed:  # the 不得 of 除…不得下放的外 is the exception, not the measure
        masked = masked[:a] + _MASK * (b - a) + masked[b:]
    found = [m for m in g.verbs.finditer(masked) if (has_target or g.modality_of[m.group(0)] != "goal")
             and not masked.startswith("的", m.end())]  # 支持的领域: an attribute, not an action
    for strong in _STRENGTH:
        hit = next((m for m in found if g.modality_of[m.group(0)] == strong), None)
        if hit:
            return hit
    return found[0] if found else None


def _comparator(g: _Grammar, before: str, after: str) -> tuple[str, str, str]:
    """(comparator, word before, word after) around a number; the longest word wins (不超过, not 超过)."""
    words = [(len(w), c, w, "") for c, befores, _ in g.comparators for w in befores if before.endswith(w)]
    words += [(len(w) - 0.5, c, "", w) for c, _, afters in g.comparators for w in afters if after.startswith(w)]
    if not words:
        return "=", "", ""
    _, comparator, word, tail = max(words)
    return comparator, word, tail


def _quantities(g: _Grammar, clause_text: str, start: int, end: int) -> tuple[Quantity, ...]:
    from assistant.ingest.markers import cn_to_int

    sentence = clause_text[start:end]
    out = []
    for m in g.quantity.finditer(sentence):
        number, unit = m.group(1), m.group(2)
        if unit == "年" and (re.fullmatch(r"(?:19|20)\d\d", number) or sentence.startswith("度", m.end())):
            continue  # a year or 上一年度, not an amount
        try:
            value = float(number) if number[0].isdigit() else float(cn_to_int(number))
        except ValueError:
            continue
        comparator, word, tail = _comparator(g, sentence[: m.start()], sentence[m.end():])
        a, b = start + m.start() - len(word), start + m.end() + len(tail)
        left = max(clause_text.rfind(ch, start, a) for ch in _PART_SEPARATORS) + 1
        right = min((i for i in (clause_text.find(ch, b, end) for ch in _PART_SEPARATORS) if i >= 0), default=end)
        out.append(Quantity(value, unit, clause_text[a:b], a, b, comparator, clause_text[max(left, start):right]))
    return tuple(out)


def _provision(g, clause, index, start, end, governing_year) -> Provision:
    text = clause.text[start:end]
    quantities = _quantities(g, clause.text, start, end)
    years = _unique(([governing_year] if governing_year else []) + [int(y) for y in _YEAR.findall(text)])
    exceptions, enclosed = _exceptions(g, text)
    verb = _verb(g, text, enclosed, bool(quantities or years))
    modality = g.modality_of[verb.group(0)] if verb else "state"
    if governing_year and modality in _GOVERNED_AS_GOAL:
        modality, verb = "goal", None  # the whole sentence is the target, not a duty inside it
    body = text.rstrip(_TERMINATORS)
    measure = body[verb.start():] if verb and verb.start() < len(body) else _ITEM_LABEL.sub("", body)
    return Provision(
        ref=clause.ref, sentence=index, start=start, end=end, text=text, measure=measure,
        verb=verb.group(0) if verb else "", modality=modality,
        beneficiaries=_unique(g.beneficiaries.findall(text)),
        levels=_unique(g.levels.findall(text)),
        places=_unique(g.place_names[p] for p in g.places.findall(text)),
        quantities=quantities, years=years, exceptions=tuple(exceptions),
        departments=tuple(clause.departments),
    )


def _clause_provisions(clause) -> tuple[Provision, ...]:
    g = _grammar()
    # The body is the text before the 责任单位 note, so offsets into it are offsets into text.
    body = clause.text[: len(clause.body)] if clause.text.startswith(clause.body) else clause.body
    out, governing_year = [], 0
    for index, (start, end) in enumerate(_sentence_spans(body)):
        target = _TARGET_YEAR.match(body[start:end])
        governing_year = int(target.group(1)) if target else governing_year
        out.append(_provision(g, clause, index, start, end, governing_year))
    return tuple(out)


_CACHE: dict[tuple[str, int], tuple[Provision, ...]] = {}


def provisions_of(document) -> tuple[Provision, ...]:
    """Every provision of the document: the preamble (part 0) first if there is one, then each clause."""
    key = (document.doc_id, hash(document.text))
    if key not in _CACHE:
        if len(_CACHE) > 64:  # documents are few; a library rebuild brings new texts
            _CACHE.clear()
        parts = ([document.preamble_part] if document.preamble_part else []) + list(document.clauses)
        _CACHE[key] = tuple(p for part in parts for p in _clause_provisions(part))
    return _CACHE[key]


def clause_provisions(document, clause: int) -> tuple[Provision, ...]:
    """The provisions of one clause (0: the preamble); an unknown clause raises ClauseNotFound."""
    document.clause(clause)
    return tuple(p for p in provisions_of(document) if p.ref.clause == clause)


def provision_dict(p: Provision) -> dict:
    """JSON-ready: the ref as ``doc_id`` and ``clause``, tuples as lists."""
    data = asdict(p)
    del data["ref"]
    data = {"doc_id": p.ref.doc_id, "clause": p.ref.clause, **data}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
