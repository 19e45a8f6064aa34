"""Independent quote checking: is every quote a contiguous span of the source file?

The answer layer quotes from the parser's clause text; checking quotes against that same
text would pass by construction. This module reads the cited document's *source file*
again with its own few lines of code, removes every whitespace and invisible character on
both sides (PDF line breaks, page-break spaces) and then asks, for each citation:

* each ``quotes[].text`` span occurs in the source as one contiguous run of characters;
* each part of ``quote`` (parts joined with “……” when the spans are not adjacent) does too —
  so a quote that glues two non-adjacent sentences together fails;
* when the clause text is known, ``quotes[].text == clause_text[start:end]`` (the offsets
  contract of ``Answer.to_dict()``).

Until the answer layer reports ``quotes``, ``quote`` is treated as a single span.
Blockquote lines of the Markdown answer (``> …``) and ``：“…”`` quotations in the direct
answer are checked the same way, since those are the words a user reads as a quotation.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

ELLIPSIS = "……"
TEXT_SUFFIXES = (".txt", ".md")
# Markdown a renderer may wrap around quoted words (bold, highlight marks, inline code).
_MARKUP = re.compile(r"\*\*|__|==|`|</?mark>|</?b>|</?strong>")


def squeeze(text: str) -> str:
    """NFC text without whitespace or invisible (control/format) characters."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — the encodings policy files come in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


class SourceTexts:
    """``doc_id`` → squeezed text of its source file, found by file stem in ``folders``.

    Text files are read here, independently of the ingest code. Other formats (PDF, DOCX,
    HTML) need an extractor; ``fallback(doc_id)`` supplies their text (the loader's output)
    and such documents are listed in :attr:`not_independent` for the report."""

    def __init__(self, folders, fallback=None):
        self.files: dict[str, Path] = {}
        for folder in folders:
            folder = Path(folder)
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.name.startswith("."):
                        self.files.setdefault(path.stem, path)
        self.fallback = fallback
        self.not_independent: set[str] = set()
        self._cache: dict[str, str | None] = {}

    def get(self, doc_id: str | None) -> str | None:
        if doc_id not in self._cache:
            self._cache[doc_id] = self._read(doc_id)
        return self._cache[doc_id]

    def _read(self, doc_id):
        path = self.files.get(doc_id)
        if path is not None and path.suffix.lower() in TEXT_SUFFIXES:
            return squeeze(decode_bytes(path.read_bytes()))
        if self.fallback is not None:
            text = self.fallback(doc_id)
            if text:
                self.not_independent.add(doc_id)
                return squeeze(text)
        return None


def _spans(citation: dict) -> list[dict]:
    spans = citation.get("quotes")
    if spans:
        return spans
    return [{"text": citation.get("quote", "")}]  # before the answer layer reports spans


def citation_problems(citation: dict, source: str | None, clause_text: str | None = None) -> list[str]:
    """What is wrong with one citation's quotes (empty when every check passes)."""
    where = f"{citation.get('doc_id')}:{citation.get('clause')}"
    if source is None:
        return [f"{where}: source file not found"]
    problems = []
    for span in _spans(citation):
        text = span.get("text", "")
        if not squeeze(text):
            problems.append(f"{where}: empty quote")
        elif squeeze(text) not in source:
            problems.append(f"{where}: span not a contiguous part of the source: {text[:30]}…")
        start, end = span.get("start"), span.get("end")
        if clause_text is not None and start is not None and end is not None:
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(clause_text)):
                problems.append(f"{where}: offsets {start}:{end} outside the clause")
            elif clause_text[start:end] != text:
                problems.append(f"{where}: clause_text[{start}:{end}] != quote text")
    if not citation.get("quotes"):
        return problems  # ``quote`` was the single span checked above
    for part in (citation.get("quote") or "").split(ELLIPSIS):
        if squeeze(part) and squeeze(part) not in source:
            problems.append(f"{where}: quote part not a contiguous part of the source: {part[:30]}…")
    return problems


def answer_problems(answer: dict, sources: SourceTexts, clause_text=None) -> list[str]:
    """Every quote problem of one answer dict: citations and related clauses alike.

    ``clause_text(doc_id, clause)`` returns the parser's clause text for the offsets check,
    or None to skip it."""
    problems = []
    for citation in (answer.get("citations") or []) + (answer.get("related") or []):
        text = clause_text(citation.get("doc_id"), citation.get("clause")) if clause_text else None
        problems += citation_problems(citation, sources.get(citation.get("doc_id")), text)
    return problems


# A quotation inside a sentence of the direct answer: 根据第（十二）条…：“原文”。
_INLINE_QUOTE = re.compile(r"[：:]“([^”]+)”")


def blockquote_problems(answer: dict, sources: SourceTexts) -> list[str]:
    """Quotations a user reads that are not contiguous in a cited source: the Markdown
    ``> …`` lines of the answer and ``：“…”`` quotations in its direct answer."""
    cited = {c.get("doc_id") for c in (answer.get("citations") or []) + (answer.get("related") or [])}
    texts = [t for t in (sources.get(d) for d in cited) if t]
    quoted = []
    for line in (answer.get("answer") or "").splitlines():
        stripped = line.lstrip()
        if stripped.startswith(">"):
            quoted.append(_MARKUP.sub("", stripped.lstrip("> ")))
    if not answer.get("refused"):
        quoted += _INLINE_QUOTE.findall(_MARKUP.sub("", answer.get("direct") or ""))
    problems = []
    for body in quoted:
        for part in body.split(ELLIPSIS):
            if squeeze(part) and not any(squeeze(part) in t for t in texts):
                problems.append(f"blockquote not verbatim: {part[:30]}…")
    return problems
