"""Is a yes/no claim *stated* by the clause that answers it? Evidence, not phrasing.

A 是 is the costliest answer to get wrong: it tells the user the document grants what it
never says (被认定为瞪羚企业能拿到奖励资金吗 → the text names 瞪羚企业 but no 奖励资金).
The 否 detectors in :mod:`.compose` (a different number, a negation, an exception, another
place or level, an exclusive claim) decide first; what is left is 是 only when the clause
states the claim, else 文件未明确 with what the text does say (answered, not refused: on dev,
refusing the weakest claims refused three answerable questions for each out-of-scope one).

"States the claim" is decided by a small logistic model over signals that do not depend on
how the question is phrased (:class:`Evidence`): how much of the claim's distinctive
content the best sentence and the clause carry, how many of its content words no document
uses at all, and the retrieval score. The weights and the threshold are data
(``assistant/data/verdict_model.json``), fitted on the dev split only by
``python -m tools.fit_verdicts``; the threshold is chosen for few wrong 是 first.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from functools import cache

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# Parts of speech that carry what is claimed (jieba's tag set, read by prefix: "n" also takes
# the names nr, ns, nt, nz): nouns, verbal nouns, names.
_CONTENT_TAGS = ("n", "vn", "an")


_SENTENCE_END = re.compile(r"[。！？?!；;]+")
_PART_END = re.compile(r"[，,、]+")


def claim_core(question: str, informative, least: int = 2) -> str:
    """What is claimed: the question's last part (people give their context first and ask
    last), grown back part by part until it holds ``least`` bigrams for which
    ``informative(bigram)`` is true (按这个文件能进吗 needs 想整体搬进高新区 before it).
    Punctuation and the documents' vocabulary only — no question forms."""
    from assistant.answering.spans import bigrams

    parts = [p for s in _SENTENCE_END.split(question) for p in _PART_END.split(s) if p.strip()]
    if not parts:
        return question
    core, kept = parts[-1], len(parts) - 1
    while sum(1 for g in bigrams(core) if informative(g)) < least and kept > 0:
        kept -= 1
        core = parts[kept] + "，" + core
    return core


FEATURES = ("sentence_coverage", "clause_coverage", "unknown_nouns", "unknown_words", "missing_nouns",
            "missing_entities", "score", "margin")


@dataclass(frozen=True)
class Evidence:
    sentence_coverage: float  # weighted share of the claim's distinctive bigrams in the best sentence
    clause_coverage: float  # … in the whole clause
    unknown_nouns: int  # content nouns of the claim that no document uses
    unknown_words: int  # words of the claim (not function words) that no document uses
    missing_nouns: int  # content nouns the documents use, but not this clause
    missing_entities: int  # named things of the claim (body, place, level, year, number) not in the best sentence
    score: float  # the clause's retrieval score
    margin: float = 0.0  # its lead over the next clause

    def vector(self) -> list[float]:
        return [self.sentence_coverage, self.clause_coverage, float(self.unknown_nouns), float(self.unknown_words),
                float(self.missing_nouns), float(self.missing_entities), self.score, self.margin]

    def to_dict(self) -> dict:
        return asdict(self)


def content_words(text: str) -> list[str]:
    """The claim's words of two or more characters, function words and question scaffolding
    left out (the retrieval tokenizer's stopword list)."""
    import jieba

    from assistant.retrieval.tokenization import STOPWORDS

    return list(dict.fromkeys(w for w in jieba.lcut(text) if _CJK_WORD.fullmatch(w) and w not in STOPWORDS))


def content_nouns(text: str) -> list[str]:
    """The claim's content words: jieba nouns of two or more characters."""
    import jieba.posseg as pseg

    return list(dict.fromkeys(w for w, tag in pseg.cut(text) if _CJK_WORD.fullmatch(w) and tag.startswith(_CONTENT_TAGS)))


def evidence(claim: str, clause_text: str, sentences: list[str], frequency, clauses: int, corpus_text: str,
             score: float, entities=(), margin: float = 0.0) -> Evidence:
    """The signals for ``claim`` (the question without the asker's introduction) against one
    clause. ``frequency(bigram)``: how many of the ``clauses`` contain it. Only the claim's
    bigrams the documents use weigh (1 / clauses containing them, ubiquitous ones left out):
    a bigram no document has is scaffolding (是不, 能不) or unknown content, counted apart.
    ``entities``: what the claim names (a body's core name, a place, a level, a year, a number)."""
    from assistant.answering.spans import bigrams

    grams = {g: 1.0 / frequency(g) for g in bigrams(claim) if 0 < frequency(g) <= 0.5 * clauses}
    total = math.fsum(grams.values()) or 1.0
    # math.fsum: exact, so a tie between sentences does not depend on the set's (hash) order.
    best = max(sentences, key=lambda s: math.fsum(w for g, w in grams.items() if g in s), default="")
    nouns = content_nouns(claim)
    return Evidence(
        sentence_coverage=round(math.fsum(w for g, w in grams.items() if g in best) / total, 4),
        clause_coverage=round(math.fsum(w for g, w in grams.items() if g in clause_text) / total, 4),
        unknown_nouns=sum(1 for n in nouns if n not in corpus_text),
        unknown_words=sum(1 for w in content_words(claim) if w not in corpus_text),
        missing_nouns=sum(1 for n in nouns if n in corpus_text and n not in clause_text),
        missing_entities=sum(1 for e in entities if e not in best),
        score=round(float(score), 4),
        margin=round(float(margin), 4),
    )


@cache
def model(name: str = "verdict_model") -> dict:
    """A fitted model by data file name: ``verdict_model`` (does the clause state a yes/no claim?)."""
    from assistant import lexicons

    return lexicons.load(name)


def probability(e: Evidence, name: str = "verdict_model") -> float:
    """P(yes) of the named fitted logistic model for this evidence."""
    m = model(name)
    features = dict(zip(FEATURES, e.vector()))
    z = m["intercept"] + sum(w * (features[f] - mu) / sd
                             for f, w, mu, sd in zip(m.get("features", FEATURES), m["weights"], m["mean"], m["scale"]))
    return 1.0 / (1.0 + math.exp(-z))


def decide(p: float) -> str:
    """``stated`` (是) at or above the fitted threshold, else ``undecided`` (文件未明确)."""
    return "stated" if p >= model()["threshold"] else "undecided"
