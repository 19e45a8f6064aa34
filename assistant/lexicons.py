"""Word lists as data: the one module that reads ``assistant/data/*.json``.

Lexicons are data files with their source noted inside (``_about``/``_source``), not Python
literals, so they can be reviewed and extended without touching code:

* ``aliases.json``: short and English names of government bodies → core names;
* ``synonyms.json``: everyday words → the document's own terms (BM25 folding);
* ``glossary.json``: English words of the domain → the document's terms (glossing English questions);
* ``applicants.json``: who an enterprise or person says they are → the document's terms;
* ``followups.json``: cues of follow-up questions in a chat (这一条, 下一条, 那…呢), read by
  :mod:`assistant.answering.conversation`;
* ``places.json``: every provincial- and prefecture-level division (from the PRC adcode
  table), with short names, province and pinyin;
* ``provisions.json``: the document side's grammar of provisions (action words by modality,
  beneficiary terms, levels, exception markers, units, comparators), read by
  :mod:`assistant.ingest.provisions`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def aliases() -> dict[str, str]:
    return load("aliases")["aliases"]


def synonyms() -> dict[str, str]:
    return load("synonyms")["synonyms"]


def glossary() -> dict[str, str]:
    return load("glossary")["glossary"]


def applicants() -> dict[str, dict[str, list[str]]]:
    return load("applicants")["applicants"]


def provision_grammar() -> dict:
    """The word lists that read a policy sentence as a provision (see ``provisions.json``)."""
    return {k: v for k, v in load("provisions").items() if not k.startswith("_")}


@dataclass(frozen=True)
class Place:
    name: str  # 包头市
    short: str  # 包头
    level: str  # province | city
    province: str  # short name of the enclosing province ("" for provinces)
    english: str  # baotou

    def forms(self) -> tuple[str, ...]:
        return (self.name, self.short, self.english) if self.english else (self.name, self.short)


@cache
def places() -> tuple[Place, ...]:
    return tuple(Place(**p) for p in load("places")["places"])


def matching() -> dict:
    """The support matcher's lexicon (see ``matching.json``): applicant types, zones, industries."""
    return {k: v for k, v in load("matching").items() if not k.startswith("_")}
