"""Parse a Chinese official document (公文) into :class:`~assistant.ingest.corpus.Document`.

The parser knows the generic 公文 layout, not this particular file:

* header: title lines, the document number (文号 ``内政发〔2021〕13号``), addressees (主送,
  the block ending in ``：``);
* body: sections ``一、`` or ``第一章``, clauses ``（一）`` or ``第一条``, items ``1.`` or ``（1）``;
* tail: issuer, signing date, ``（此件公开发布）``, ``抄送：…``, ``…印发``.

A line starts a new block only if it begins with a marker *and* the marker's number is the
next one expected, so a wrapped line that happens to begin with ``（市）`` or ``2.5%`` stays
joined to its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.records import Clause, Document, DocumentMeta, Item, Section
from assistant.ingest.departments import parse_departments
from assistant.ingest.markers import CLAUSE_ARTICLE as _CLAUSE_ARTICLE
from assistant.ingest.markers import CLAUSE_PAREN as _CLAUSE_PAREN
from assistant.ingest.markers import ITEM as _ITEM
from assistant.ingest.markers import SECTION as _SECTION
from assistant.ingest.markers import cn_to_int
from assistant.ingest.normalize import clean_lines, join_lines

_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［（(]\d{4}[〕\]］）)]\d+号$")
_DATE = r"(?:\d{4}年\d{1,2}月\d{1,2}日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)"
_DATE_LINE = re.compile(f"^{_DATE}$")
_PRINTED = re.compile(f"^(.*?)({_DATE})印发$")
_PUBLICATION = re.compile(r"^[（(](此件[^）)]*)[）)]$")
_COPY_TO = re.compile(r"^抄送[：:]")
_ATTACHMENTS = re.compile(r"^附件[：:]")
_ISSUER = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:人民政府|办公厅|办公室|委员会|厅|局|委|部|院|署)$")
_TITLE_ISSUER = re.compile(r"^(.{2,40}?)关于")


_RESPONSIBILITY = re.compile(r"[（(]\s*(?:责任|牵头)(?:单位|部门)\s*[：:，,]")
_SENTENCE_END = "。！？；!?;\n"
_CLOSERS = "”’」』）)》】"
_OPENERS = {"（": "）", "(": ")", "“": "”", "《": "》", "「": "」", "【": "】"}


@dataclass
class _Block:
    kind: str  # "section" | "section+text" | "clause"
    number: int
    label: str
    lines: list[str] = field(default_factory=list)  # logical lines: each item starts one
    last_item: int = 0


def _marker_number(match: re.Match) -> int:
    return cn_to_int(next(g for g in match.groups() if g))


def split_sentences(text: str) -> list[str]:
    """Split at 。！？； (outside brackets and quotes), keeping the terminator and closers."""
    sentences, start, depth_stack, i = [], 0, [], 0
    while i < len(text):
        ch = text[i]
        if ch in _OPENERS:
            depth_stack.append(_OPENERS[ch])
        elif depth_stack and ch == depth_stack[-1]:
            depth_stack.pop()
        elif ch in _SENTENCE_END and (not depth_stack or ch == "\n"):
            if ch == "\n":
                depth_stack.clear()  # a line break ends any unbalanced bracket
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
            start, i = end, end
            continue
        i += 1
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _split_responsibility(text: str) -> tuple[str, str]:
    """(body, departments_raw): the 责任单位 note must close the clause to count."""
    matches = list(_RESPONSIBILITY.finditer(text))
    if not matches:
        return text, ""
    note = matches[-1]
    rest = text[note.end():].rstrip().rstrip("。.")
    if not rest.endswith(("）", ")")):
        return text, ""
    return text[: note.start()].rstrip(), rest[:-1].strip()


def _title_of(sentences: list[str]) -> str:
    if not sentences:
        return ""
    first = sentences[0].rstrip("。！？；!?;：:")
    return first if len(first) <= 30 else ""


def _split_frame(lines: list[str]) -> tuple[DocumentMeta, int, int]:
    """Read header and tail metadata; return (meta, body_start, body_end, tail_lines)."""
    meta = DocumentMeta()
    start = 0
    number_at = next((i for i, line in enumerate(lines[:12]) if _DOC_NUMBER.match(line)), None)
    if number_at is not None:
        meta.doc_number = lines[number_at]
        title_lines = lines[:number_at]
        start = number_at + 1
        if not title_lines and start < len(lines) and not _starts_block(lines[start]):
            title_lines, start = [lines[start]], start + 1
    else:
        title_lines = [lines[0]] if lines and not _starts_block(lines[0]) else []
        start = len(title_lines)
    meta.title = join_lines(title_lines)

    # 主送: a short block of lines ending in a colon, right after the header.
    for end in range(start, min(start + 4, len(lines))):
        if _starts_block(lines[end]):
            break
        if lines[end].endswith(("：", ":")):
            meta.addressees = join_lines(lines[start : end + 1]).rstrip("：:")
            start = end + 1
            break

    tail_at = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        line = lines[i]
        if _DATE_LINE.match(line) or _PUBLICATION.match(line) or _COPY_TO.match(line) or _PRINTED.match(line):
            tail_at = i
        elif tail_at - i > 6:  # the tail is a handful of lines at the very end
            break
    tail = lines[tail_at:]
    if tail_at > start and tail and _DATE_LINE.match(tail[0]) and _ISSUER.match(lines[tail_at - 1]):
        meta.issuer = lines[tail_at - 1]
        tail_at -= 1
        tail = lines[tail_at:]
    # 附件：1.… 2.… between the body and the signature lists attachments, not body text.
    for i in range(tail_at - 1, max(start, tail_at - 8) - 1, -1):
        if _ATTACHMENTS.match(lines[i]):
            meta.attachments = join_lines(lines[i:tail_at])[3:].strip()
            tail_at = i
            break
    _read_tail(tail, meta)
    if not meta.issuer:
        found = _TITLE_ISSUER.match(meta.title)
        meta.issuer = found.group(1) if found else ""
    return meta, start, tail_at


def _read_tail(tail: list[str], meta: DocumentMeta) -> None:
    copy_lines: list[str] | None = None
    for line in tail:
        if line == meta.issuer:
            continue
        if printed := _PRINTED.match(line):
            meta.printing_office, meta.printed_date = printed.group(1), printed.group(2)
            copy_lines = None
        elif _DATE_LINE.match(line) and not meta.signed_date:
            meta.signed_date = line
        elif publication := _PUBLICATION.match(line):
            meta.publication = publication.group(1)
        elif _COPY_TO.match(line):
            copy_lines = [line[3:]]
        elif copy_lines is not None:
            copy_lines.append(line)
        if copy_lines is not None:
            meta.copy_to = join_lines(copy_lines)


def is_frame_line(line: str) -> bool:
    """A line the 公文 frame sets on its own (文号, date, 发文机关, 此件…, 抄送, 印发): loaders
    that rejoin wrapped lines (PDF) must not glue it to a neighbour."""
    return any(p.match(line) for p in (_DOC_NUMBER, _DATE_LINE, _PUBLICATION, _COPY_TO, _PRINTED, _ISSUER))


def _starts_block(line: str) -> bool:
    return bool(_SECTION.match(line) or _CLAUSE_PAREN.match(line) or _CLAUSE_ARTICLE.match(line))


def _expected(match: re.Match | None, *allowed: int) -> bool:
    return bool(match) and _marker_number(match) in allowed


def parse_document(raw: str, doc_id: str, path: str = "") -> Document:
    """Parse one document's raw text (any line breaks, PDF debris) into records."""
    lines = [line.lstrip("#").strip() if line.startswith("#") else line for line in clean_lines(raw)]
    lines = [line for line in lines if line]
    meta, start, end = _split_frame(lines)

    preamble: list[str] = []
    blocks: list[_Block] = []
    last_section = last_clause = 0
    clause_in_section = False
    clause_style: re.Pattern | None = None  # the first clause marker fixes the style
    for line in lines[start:end]:
        current = blocks[-1] if blocks else None
        section = _SECTION.match(line)
        styles = [clause_style] if clause_style else [_CLAUSE_ARTICLE, _CLAUSE_PAREN]
        clause = next((m for m in (s.match(line) for s in styles) if m), None)
        # Under 第X条 articles, （一） enumerates items; under （一） clauses, 1. and （1） do.
        item = _ITEM.match(line) or (_CLAUSE_PAREN.match(line) if clause_style is _CLAUSE_ARTICLE else None)
        if _expected(section, last_section + 1):
            last_section, clause_in_section = _marker_number(section), False
            blocks.append(_Block("section", last_section, section.group(0).strip(), [line[section.end():]]))
        elif _expected(clause, last_clause + 1, -1 if clause_in_section else 1):
            last_clause, clause_in_section = _marker_number(clause), True
            clause_style = clause_style or (_CLAUSE_ARTICLE if clause.re is _CLAUSE_ARTICLE else _CLAUSE_PAREN)
            blocks.append(_Block("clause", last_clause, clause.group(0).strip(), [line[clause.end():]]))
        elif current and current.kind != "section" and _expected(item, current.last_item + 1, 1):
            current.last_item = _marker_number(item)
            current.lines.append(line)
        elif current and current.kind == "section" and _expected(item, 1):
            # A heading followed by numbered items (a 通知 without clauses).
            current.kind, current.last_item = "section+text", 1
            current.lines.append(line)
        elif current is None:
            preamble.append(line)
        elif current.kind == "section" and not current.lines[0].endswith(("。", "：", ":")):
            # A heading is one short line; what follows it is the section's own text.
            current.kind = "section+text"
            current.lines.append(line)
        else:
            current.lines[-1] = join_lines([current.lines[-1], line])

    return _assemble(doc_id, path, meta, join_lines(preamble), blocks)


def _assemble(doc_id, path, meta, preamble, blocks) -> Document:
    sections: list[Section] = []
    clauses: list[Clause] = []
    has_clauses = any(b.kind == "clause" for b in blocks)
    parts = [p for p in (meta.title, meta.doc_number) if p]
    if meta.addressees:
        parts.append(meta.addressees + "：")
    if preamble:
        parts.append(preamble)
    for block in blocks:
        section = sections[-1] if sections else None
        if block.kind == "clause":
            text = "\n".join(block.lines)
            clauses.append(_make_clause(doc_id, len(clauses) + 1, block.label, section, text))
            if section:
                section.clauses.append(clauses[-1].number)
            parts.append(block.label + text)
            continue
        title = block.lines[0].rstrip("。")
        sections.append(Section(block.number, block.label, title))
        parts.append(block.label + block.lines[0])
        text = "\n".join(block.lines[1:])
        if text and not has_clauses:
            # No clause markers anywhere: each section with its text is the unit of citation.
            clauses.append(_make_clause(doc_id, len(clauses) + 1, block.label, sections[-1], text, title,
                                        items_from_first=True))
            sections[-1].clauses.append(clauses[-1].number)
        if text:
            parts.append(text)
    parts += _tail_lines(meta)
    return Document(doc_id, path, "\n".join(parts), meta, preamble, sections, clauses)


def _tail_lines(meta: DocumentMeta) -> list[str]:
    lines = [f"附件：{meta.attachments}" if meta.attachments else ""]
    lines += [meta.issuer if meta.issuer and meta.issuer not in meta.title else "", meta.signed_date]
    lines += [f"（{meta.publication}）" if meta.publication else ""]
    lines += [f"抄送：{meta.copy_to}" if meta.copy_to else ""]
    lines += [meta.printing_office + meta.printed_date + "印发" if meta.printed_date else ""]
    return [line for line in lines if line]


def _make_clause(doc_id, number, label, section, text, title=None, items_from_first=False) -> Clause:
    body, departments_raw = _split_responsibility(text)
    sentences = split_sentences(body)
    return Clause(
        doc_id=doc_id,
        number=number,
        label=label,
        section=section.number if section else None,
        section_title=section.title if section else "",
        title=title if title is not None else _title_of(sentences),
        text=text,
        body=body,
        sentences=sentences,
        departments=parse_departments(departments_raw),
        departments_raw=departments_raw,
        items=_items_of(body, items_from_first),
    )


def _items_of(text: str, from_first: bool = False) -> list[Item]:
    items = []
    for line in text.split("\n")[0 if from_first else 1:]:
        match = _ITEM.match(line) or _CLAUSE_PAREN.match(line)
        if match:
            items.append(Item(match.group(0).strip(), line[match.end():]))
    return items
