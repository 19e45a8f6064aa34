"""Quote spans: contiguous pieces of a clause's text, with offsets, and the asked fact in them.

A quote is always one contiguous span of ``Clause.text``; adjacent sentences merge into one
span, non-adjacent ones stay separate quotes. :func:`fact_phrase` finds the comma-delimited
phrase that holds the asked fact (a number with its unit, a year); :func:`whole_unit` widens
a phrase to what the direct answer quotes: its whole provision when short, else the run of
whole comma-delimited pieces that covers the question.
"""

from __future__ import annotations

import math
import re

from assistant.answering.records import Citation, Quote

# What "has the asked content" means, per asked type.
HAS = {
    "number": re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|家|次|项|年|批|类|所|种)|全覆盖|全部|全员"),
    "quantity": re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|家|次|项|年|批|类|所|种)|全覆盖|全部|全员"),
    "date": re.compile(r"\d{4}年|\d+月|年底|年内|期限|限期"),
    # 期限/限期 say a deadline exists, not when it is.
    "time": re.compile(r"\d{4}年|\d+月|年底|年内"),
    "criteria": re.compile(r"条件|标准|要求|资格"),
    "procedure": re.compile(r"申请|申报|流程|程序"),
    "contact": re.compile(r"电话|地址"),
    "materials": re.compile(r"材料|清单|证明|复印件|报表|申请书"),
}
_PHRASE_END = "，。；：！？、"
_BIGRAM = re.compile(r"[\u4e00-\u9fff]{2}")


def sentence_offsets(clause) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the clause inside ``clause.text``."""
    out, pos = [], 0
    for sentence in clause.sentences:
        start = clause.text.find(sentence, pos)
        if start < 0:  # never expected: sentences are cut from the text
            start = clause.text.find(sentence)
        out.append((start, start + len(sentence)))
        pos = max(pos, start + len(sentence))
    return out


def spans_of(clause, indices: list[int]) -> list[tuple[int, int]]:
    """Contiguous spans covering the given sentences; neighbours merge into one span."""
    offsets = sentence_offsets(clause)
    spans: list[list[int]] = []
    for i in sorted(set(i for i in indices if 0 <= i < len(offsets))):
        start, end = offsets[i]
        if spans and spans[-1][2] == i - 1:
            spans[-1][1], spans[-1][2] = end, i
        else:
            spans.append([start, end, i])
    return [(s, e) for s, e, _ in spans]


def make_citation(doc, clause, indices: list[int], score: float, spans=None) -> Citation:
    """A citation quoting the given sentences (or explicit ``spans``) of ``clause``."""
    spans = spans if spans is not None else spans_of(clause, indices or [0])
    quotes = [Quote(clause.text[s:e], s, e) for s, e in spans if e > s]
    section = ""
    if clause.section is not None:
        match = next((s for s in doc.sections if s.number == clause.section), None)
        section = f"{match.label}{match.title}" if match else clause.section_title
    return Citation(doc_id=doc.doc_id, doc_title=doc.meta.title, clause=clause.number, label=clause.label,
                    title=clause.title, quote="……".join(q.text for q in quotes), departments=list(clause.departments),
                    score=round(float(score), 4), heading=clause.heading, sentences=[q.text for q in quotes],
                    quotes=quotes, doc_number=doc.meta.doc_number, section=section,
                    ocr=bool(getattr(clause, "ocr", False)))


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if _BIGRAM.fullmatch(text[i:i + 2])}


def _cached(document, name: str, compute):
    """A value derived from a document once and kept on it (documents do not change)."""
    value = document.__dict__.get(name)
    if value is None:
        value = compute(document)
        object.__setattr__(document, name, value)
    return value


def compact_text(documents) -> str:
    """The documents' text without whitespace, as facts and premises are compared with it."""
    return "".join(_cached(d, "_compact_text", lambda d: re.sub(r"\s+", "", d.text)) for d in documents)


def clause_frequency(documents):
    """(number of clauses containing a bigram, number of clauses), counted once per document."""
    from collections import Counter

    counts = [_cached(d, "_bigram_df", lambda d: Counter(g for c in d.clauses for g in bigrams(c.text)))
              for d in documents]
    total = sum(len(d.clauses) for d in documents)
    return (lambda gram: sum(c.get(gram, 0) for c in counts)), total


def overlap(grams: set[str], text: str) -> int:
    return sum(1 for g in grams if g in text)


def phrases(sentence: str, keep_lists: bool = False) -> list[str]:
    """The comma-delimited phrases of a sentence, each a verbatim substring. ``keep_lists``
    keeps an enumeration (A、B、C等…) whole: it is the answer to a "which ones" question."""
    out, start = [], 0
    ends = _PHRASE_END.replace("、", "") if keep_lists else _PHRASE_END
    for i, ch in enumerate(sentence):
        if ch in ends:
            piece = sentence[start:i].strip()
            if piece:
                out.append(piece)
            start = i + 1
    tail = sentence[start:].strip()
    if tail:
        out.append(tail)
    return out


_YEAR = re.compile(r"(?:20)\d{2}年")
_ASKED_SHARE = re.compile(r"比例|占比|比重|百分之?几|share", re.IGNORECASE)
_ASKED_UNIT = re.compile(r"(?:几|多少)\s*(个|家|次|项|批|类|条|所|种|年|万)")


def fact_phrase(question: str, sentences: list[str], kind: str, years: list[str] = ()) -> str:
    """The phrase that states the asked fact: it has the asked content (a number — not a
    year — for "how many", a date for "when"), the asked unit (几家 wants 5家), and shares
    the most words (and numbers) with the question; the asked year breaks ties."""
    pattern = HAS.get(kind)
    grams = bigrams(question)
    found = _ASKED_UNIT.search(question)
    unit = found.group(1) if found else ("%" if _ASKED_SHARE.search(question) else "")
    if not unit and re.search(r"how many", question, re.IGNORECASE):
        unit = "(?:家|个|项|所|条|批)"  # how many parks: a count, not a percentage
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", _YEAR.sub("", question)))
    best, best_key = "", None
    for order, sentence in enumerate(sentences):
        parts = phrases(sentence)
        for i, part in enumerate(parts):
            probe = _YEAR.sub("", part) if kind in ("number", "quantity") else part
            if pattern and not pattern.search(probe):
                continue
            # Phrases like "其中国家级高新区达到25%" need their subject from the phrase before.
            # "其中…" points back to the phrase before by definition.
            context = parts[i - 1] + part if i and (len(part) < 12 or part.startswith("其中")) else part
            has_unit = bool(unit) and bool(re.search(rf"\d\s*{unit}|[一二两三四五六七八九十]{unit}", part))
            score = overlap(grams, context) + 2 * sum(1 for n in numbers if n in part)
            key = (has_unit, score, any(y in part for y in years), -order, -i)
            if best_key is None or key > best_key:
                best, best_key = part, key
    return best


# The longest span a direct answer quotes; a longer provision is quoted by its best phrases.
SPAN_CAP = 120
_PIECE_END = "，；：,;:"
_TRAILING = "。；;，,：:！？!? \n\t"


def coverage(weights: dict[str, float], text: str) -> float:
    """How much of the question ``text`` covers: each question word's weight, once."""
    # math.fsum: exact, so ties between units do not depend on the weights' (hash) order.
    return math.fsum(w for g, w in weights.items() if g in text)


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of the comma-delimited pieces of ``text``; an enumeration (A、B、C) stays
    whole, and so does a breakdown with the total it breaks down (…45%以上，其中…25%)."""
    out, start = [], 0
    for i, ch in enumerate(text + "，"):
        if ch in _PIECE_END:
            a, b = start, i
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                if out and text.startswith("其中", a):
                    out[-1] = (out[-1][0], b)
                else:
                    out.append((a, b))
            start = i + 1
    return out


def whole_unit(text: str, score, must: tuple[int, int] | None = None, cap: int = SPAN_CAP) -> str:
    """The verbatim unit of one provision ``text`` a direct answer quotes: the whole provision
    (without its closing mark) when it is at most ``cap`` characters, else the run of its
    comma-delimited pieces (an enumeration kept whole) that ``score`` rates highest (how much
    of the question it covers), the shortest such run — always one that holds ``must``
    (offsets into ``text``), and never a piece cut in the middle."""
    body = text.rstrip(_TRAILING).strip()
    offset = text.find(body)
    if len(body) <= cap:
        return body
    pieces = [(a + offset, b + offset) for a, b in _pieces(body)]
    best, best_key = "", None
    for i in range(len(pieces)):
        for j in range(i, len(pieces)):
            a, b = pieces[i][0], pieces[j][1]
            if must and not (a <= must[0] and must[1] <= b):
                continue
            if b - a > cap and (best or j > i):
                break
            run = text[a:b]
            key = (score(run), -(b - a))
            if best_key is None or key > best_key:
                best, best_key = run, key
    return best or (text[must[0]:must[1]] if must else body)
