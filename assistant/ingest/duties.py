"""The duty table (责任分工) and the 导读 of documents: plain data read from the parsed text.

* :func:`duty_rows` — one row per (document, clause, department), in the order each
  责任单位 note lists them (the first listed is usually the lead); where a note says
  牵头 / 配合, that role is kept. :func:`write_csv` and :func:`write_xlsx` export them.
* :func:`guide` — a new member of staff's way in to one document: its frame (文号, issuer,
  dates), its sections with their clauses' titles, its targets (the "goal" provisions with
  their numbers or years, verbatim) and the departments it names most.
* :func:`widest_first` — documents ordered the way listings go everywhere: the widest
  jurisdiction first (a regional measure applies in every city, a city's only there).

Every string is verbatim from the document; nothing here writes text of its own except
column names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


COLUMNS = ["文件", "文号", "条款", "标题", "责任单位", "顺序", "角色", "所属部分", "文档ID", "条款序号"]


def widest_first(documents) -> list:
    """``documents`` with the widest jurisdiction first (province, then city, then unknown), stable."""
    from assistant.answering.places import jurisdiction, place_level

    def level(doc) -> int:
        return min((place_level(p) for p in jurisdiction(doc)), default=9)

    return sorted(documents, key=level)


@dataclass
class DutyRow:
    doc_id: str
    document: str  # 文件: the title
    doc_number: str  # 文号
    clause: int
    cite: str  # 条款: 第（十二）条 / 第四条 / 一、
    title: str
    department: str
    order: int  # 1-based position in the clause's 责任单位 note
    role: str  # 牵头 / 配合 when the note says so, else ""
    section: int | None
    section_title: str

    def values(self) -> list:
        return [self.document, self.doc_number, self.cite, self.title, self.department, self.order, self.role,
                self.section_title, self.doc_id, self.clause]


def roles(clause) -> dict[str, str]:
    """Department → 牵头 / 配合 where the clause's note says so (``牵头单位：…；配合单位：…``,
    ``X牵头，Y配合``, ``X（牵头）``); departments the note gives no role are left out."""
    from assistant.ingest.departments import department_roles

    return {name: role for name, role in department_roles(clause.departments_raw) if role}


def duty_rows(documents, section: str | None = None) -> list[DutyRow]:
    """One row per (document, clause, department) in listed order; ``section`` ``doc_id:N``
    keeps only that section's clauses."""
    wanted_doc, _, wanted_section = (section or "").partition(":")
    rows: list[DutyRow] = []
    for doc in documents:
        if wanted_doc and doc.doc_id != wanted_doc:
            continue
        for clause in doc.clauses:
            if wanted_doc and wanted_section and str(clause.section) != wanted_section:
                continue
            clause_roles = roles(clause)
            for order, name in enumerate(clause.departments, 1):
                rows.append(DutyRow(doc.doc_id, doc.meta.title or doc.doc_id, doc.meta.doc_number, clause.number,
                                    clause.cite, clause.title, name, order, clause_roles.get(name, ""),
                                    clause.section, clause.section_title))
    return rows


def write_csv(rows: list[DutyRow], path) -> Path:
    """UTF-8 with a BOM, so Excel opens the Chinese columns right."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(row.values() for row in rows)
    return path


def write_xlsx(rows: list[DutyRow], path, title: str = "责任分工") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row.values())
    widths = {"A": 40, "B": 20, "C": 14, "D": 30, "E": 28, "F": 6, "G": 6, "H": 24, "I": 24, "J": 8}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(path)
    return path


# --------------------------------------------------------------------------- 导读


@dataclass
class Target:
    clause: int
    cite: str
    text: str  # the sentence, verbatim
    numbers: list[str]  # its quantities (5家以上) and target years, verbatim
    start: int  # offsets of the sentence in the clause text
    end: int


def targets(document) -> list[Target]:
    """The document's targets: "goal" provisions that state a number or a year, verbatim."""
    from assistant.ingest.provisions import provisions_of

    out: list[Target] = []
    for p in provisions_of(document):
        if p.modality != "goal" or not (p.quantities or p.years) or p.ref.clause == 0:
            continue
        numbers = [q.text for q in p.quantities]
        numbers += [f"{y}年" for y in p.years if f"{y}年" in p.text and f"{y}年" not in numbers]
        clause = document.clause(p.ref.clause)
        out.append(Target(p.ref.clause, clause.cite, p.text, numbers, p.start, p.end))
    return out


def top_departments(document, limit: int = 8) -> list[tuple[str, int]]:
    """The departments named in most clauses: (name, clause count), most first, then first named."""
    index = document.departments.clauses_by_department
    order = {name: i for i, name in enumerate(index)}
    ranked = sorted(index.items(), key=lambda kv: (-len(kv[1]), order[kv[0]]))
    return [(name, len(numbers)) for name, numbers in ranked[:limit]]


def guide(document) -> dict:
    """The 导读 of one document as plain data (see the module docstring)."""
    meta = document.meta
    frame = [(label, value) for label, value in (("文号", meta.doc_number), ("发文机关", meta.issuer),
                                                 ("成文日期", meta.signed_date), ("印发日期", meta.printed_date))
             if value]
    sections, seen = [], set()
    for section in document.sections:
        clauses = [document.clause(n) for n in section.clauses]
        seen.update(section.clauses)
        sections.append({"label": section.label, "title": section.title,
                         "clauses": [(c.number, c.cite, c.title) for c in clauses]})
    rest = [c for c in document.clauses if c.number not in seen]
    if rest:
        sections.append({"label": "", "title": "", "clauses": [(c.number, c.cite, c.title) for c in rest]})
    return {"doc_id": document.doc_id, "title": meta.title or document.doc_id, "frame": frame,
            "sections": sections, "targets": targets(document), "departments": top_departments(document)}
