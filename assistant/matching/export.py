"""The matcher's results as files: Markdown (the same text as the CLI) and Excel (openpyxl),
one row per measure with its conditions, amounts, periods and departments."""

from __future__ import annotations

from pathlib import Path

COLUMNS = ("文件", "条款", "措施（原文）", "给予", "适用对象", "条件", "金额", "期限/频次", "联系部门")


def to_markdown(outcome) -> str:
    return "# 企业政策匹配\n\n" + outcome.markdown() + "\n"


def rows(outcome) -> list[list[str]]:
    out = []
    for r in outcome.results:
        out.append([r.doc_title, r.heading, r.measure, "；".join(dict.fromkeys(r.gives)), "、".join(r.for_),
                    "；".join(f"{c.text}（{c.label()}）" for c in r.conditions), "；".join(r.amounts),
                    "；".join(r.periods), "、".join(r.departments)])
    return out


def to_excel(outcome, path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "匹配结果"
    sheet.append([outcome.profile.understood])
    sheet.append([outcome.message])
    sheet.append(list(COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows(outcome):
        sheet.append(row)
    widths = (28, 22, 60, 40, 18, 50, 30, 16, 40)
    for column, width in zip("ABCDEFGHI", widths):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path)
    book.save(path)
    return path
