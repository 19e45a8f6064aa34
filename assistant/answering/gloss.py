"""English questions glossed with the document's own terms.

The embedding model reads English, but BM25, the question analysis and the choice of the
quoted phrase work on Chinese words. An English question ("How many national high-tech
zones by 2025?") is therefore kept as asked and followed by the Chinese terms of
``assistant/data/glossary.json`` that it contains (国家级高新区、多少), longest phrase first,
so each later step sees the words the document uses. A Chinese question is left alone.
"""

from __future__ import annotations

import re
from functools import cache

from assistant import lexicons

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    terms = lexicons.glossary()
    alternatives = sorted(terms, key=len, reverse=True)
    # Whole words, with a plural ending: zones, companies, subsidies (listed), labs.
    body = "|".join(re.escape(t[:-1]) + "(?:y|ies)" if t.endswith("y") else re.escape(t) for t in alternatives)
    return re.compile(rf"(?<![A-Za-z])({body})(?:e?s)?(?![A-Za-z])", re.IGNORECASE), {t.lower(): v for t, v in terms.items()}


def _term(matched: str, terms: dict[str, str]) -> str:
    word = matched.lower()
    return terms.get(word) or terms.get(word[:-3] + "y", "")


def is_english(text: str) -> bool:
    """Mostly Latin letters: an English question (a stray Chinese term may be inside)."""
    latin, cjk = len(_LATIN.findall(text)), len(_CJK.findall(text))
    return latin >= 6 and latin > 3 * cjk


@cache
def _body_names() -> re.Pattern | None:
    english = sorted((a for a in lexicons.aliases() if a.isascii() and len(a) >= 4), key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in english), re.IGNORECASE) if english else None


def glossed_terms(text: str) -> list[str]:
    """The document terms an English question names, in order, each once. Names of
    government bodies (Department of Education) are left to the department lexicon."""
    if not is_english(text):
        return []
    names = _body_names()
    if names is not None:
        text = names.sub(" ", text)
    pattern, terms = _pattern()
    return list(dict.fromkeys(t for m in pattern.finditer(text) if (t := _term(m.group(1), terms))))


def gloss(text: str) -> str:
    """``text`` followed by its document terms in （）; unchanged when there are none."""
    found = glossed_terms(text)
    return f"{text}（{'、'.join(found)}）" if found else text
