"""Test fixtures: a policy text re-typeset as the files people actually have.

* :func:`write_pdf` — a 公文-layout PDF (reportlab, built-in ``STSong-Light`` CID font, no
  font file): running header on every page, ``— N —`` page numbers, 28 characters a
  line, 22 lines a page, first-line indents drawn as offsets (as Word/WPS export them).
* :func:`write_docx` — a Word file (python-docx) whose section and clause markers are
  Word *automatic numbering* (a ``numbering.xml`` with ``%1、``, ``（%2）``, ``第%1条``
  levels), with a page header and footer that must not be read, and ``｜`` lines as a table.
* :func:`write_html` — a government-site page: menus, breadcrumbs, related links and a
  footer around the article.

Each starts from :func:`paragraphs_of` a parsed document, so a test can compare what the
loader + parser make of the file with the parse of the ``.txt`` twin.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.markers import CLAUSE_ARTICLE, CLAUSE_PAREN, SECTION, cn_to_int

HEADER = "内蒙古自治区人民政府文件"


def paragraphs_of(document) -> list[tuple[str, str]]:
    """(kind, text) for each paragraph of ``document``: kinds title, center, right, plain,
    body (first-line indent), section, clause, table."""
    meta = document.meta
    clause_style = CLAUSE_ARTICLE if document.clauses and document.clauses[0].label.startswith("第") else CLAUSE_PAREN
    out = []
    next_section = next_clause = 1
    for line in document.text.split("\n"):
        section, clause = SECTION.match(line), clause_style.match(line)
        if line == meta.title:
            out.append(("title", line))
        elif line == meta.doc_number:
            out.append(("center", line))
        elif line in (meta.signed_date, meta.issuer):
            out.append(("right", line))
        elif section and _number(section) == next_section:
            out.append(("section", line))
            next_section += 1
        elif clause and _number(clause) == next_clause:
            out.append(("clause", line))
            next_clause += 1
        elif line.startswith(("抄送", "（此件")) or line.endswith("印发") or line.endswith("："):
            out.append(("plain", line))
        elif "｜" in line:
            out.append(("table", line))
        else:
            out.append(("body", line))
    return out


def _number(match) -> int:
    return cn_to_int(next(g for g in match.groups() if g))


# ---------------------------------------------------------------------------- PDF

def _wrap(text: str, width: int, first: int) -> list[str]:
    lines, rest, size = [], text, first
    while rest:
        lines.append(rest[:size])
        rest, size = rest[size:], width
    return lines


def write_pdf(paragraphs, path: Path, *, header: str = HEADER, chars: int = 28, lines_per_page: int = 22,
              page_number: str = "— {n} —") -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font, size = "STSong-Light", 15.6  # 三号
    width, height = A4
    left = (width - chars * size) / 2
    leading = (height - 2 * 100) / lines_per_page
    physical: list[tuple[str, float, str]] = []  # (align, indent x, text)
    for kind, text in paragraphs:
        if kind == "title":
            physical += [("center", 0, line) for line in _wrap(text, 22, 22)]
        elif kind in ("center", "right"):
            physical.append((kind, 0, text))
        elif kind in ("plain", "table"):
            physical += [("left", 0, line) for line in _wrap(text, chars, chars)]
        else:
            wrapped = _wrap(text, chars, chars - 2)
            physical += [("left", 2 * size if i == 0 else 0, line) for i, line in enumerate(wrapped)]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pages = [physical[i : i + lines_per_page] for i in range(0, len(physical), lines_per_page)]
    for number, page in enumerate(pages, 1):
        pdf.setFont(font, 10.5)
        pdf.drawCentredString(width / 2, height - 60, header)
        pdf.setFont(font, size)
        y = height - 100
        for align, indent, text in page:
            if align == "center":
                pdf.drawCentredString(width / 2, y, text)
            elif align == "right":
                pdf.drawRightString(width - left - 4 * size, y, text)
            else:
                pdf.drawString(left + indent, y, text)
            y -= leading
        pdf.setFont(font, 14)
        pdf.drawCentredString(width / 2, 50, page_number.format(n=number))
        pdf.showPage()
    pdf.save()
    return path


# ---------------------------------------------------------------------------- DOCX

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _numbering_xml(chapters: bool, articles: bool) -> tuple[str, str]:
    """abstractNum 90: sections at level 0 (``%1、`` or ``第%1章``), clauses at level 1
    (``（%2）`` or ``第%2条``) counted across sections (lvlRestart 0), as offices set it up."""
    def lvl(ilvl, text, restart=None):
        restart = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
        return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>{restart}'
                f'<w:suff w:val="nothing"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')

    levels = lvl(0, "第%1章" if chapters else "%1、") + lvl(1, "第%2条" if articles else "（%2）", restart=0)
    return (f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="90">{levels}</w:abstractNum>',
            f'<w:num xmlns:w="{_W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>')


def write_docx(paragraphs, path: Path, *, auto_number: bool = True, header: str = HEADER) -> Path:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = header  # must not end up in the text
    section.footer.paragraphs[0].text = "— 1 —"
    articles = any(kind == "clause" and text.startswith("第") for kind, text in paragraphs)
    chapters = any(kind == "section" and text.startswith("第") for kind, text in paragraphs)
    if auto_number:
        numbering = document.part.numbering_part.element
        abstract, num = _numbering_xml(chapters, articles)
        first_num = numbering.find(qn("w:num"))
        # abstractNum elements must precede num elements in numbering.xml
        numbering.insert(list(numbering).index(first_num) if first_num is not None else len(numbering),
                         parse_xml(abstract))
        numbering.append(parse_xml(num))
    table_rows: list[list[str]] = []

    def flush_table():
        if table_rows:
            table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
            for r, cells in enumerate(table_rows):
                for c, text in enumerate(cells):
                    table.cell(r, c).text = text
            table_rows.clear()

    for kind, text in paragraphs:
        if kind == "table":
            table_rows.append(text.split("｜"))
            continue
        flush_table()
        level = None
        if auto_number and kind == "section":
            text, level = SECTION.sub("", text, count=1), 0
        elif auto_number and kind == "clause":
            text, level = (CLAUSE_ARTICLE if articles else CLAUSE_PAREN).sub("", text, count=1), 1
        paragraph = document.add_paragraph(text)
        paragraph.runs[0].font.size = Pt(16) if paragraph.runs else None
        if level is not None:
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.append(parse_xml(f'<w:numPr xmlns:w="{_W}"><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    flush_table()
    document.save(str(path))
    return path


# ---------------------------------------------------------------------------- HTML

def write_html(paragraphs, path: Path, *, container: str = '<div class="TRS_Editor">', encoding: str = "utf-8") -> Path:
    from html import escape

    title = next((text for kind, text in paragraphs if kind == "title"), "")
    menu = "".join(f'<li><a href="/{i}.html">{name}</a></li>' for i, name in
                   enumerate(["首页", "机构", "政务公开", "政务服务", "互动交流", "数据发布", "专题专栏"]))
    related = "".join(f'<li><a href="/r{i}.html">关于印发某某工作方案的通知（第{i}号）</a></li>' for i in range(12))
    body = "".join(f"<p>{escape(text)}</p>" for kind, text in paragraphs if kind != "title")
    close = "</" + re.match(r"<(\w+)", container).group(1) + ">"
    page = f"""<!DOCTYPE html><html><head><meta charset="{encoding}">
<title>{escape(title)}_政府信息公开_某自治区人民政府门户网站</title>
<script>var nav = "首页 机构 政务公开";</script><style>p {{ text-indent: 2em; }}</style></head>
<body><div class="top"><ul class="nav">{menu}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政策文件</div>
<div class="main"><h1>{escape(title)}</h1><div class="info">发布时间：2021-11-01 来源：办公厅 字号：大 中 小</div>
{container}{body}{close}
<div class="related"><h3>相关链接</h3><ul>{related}</ul></div></div>
<div class="footer">主办单位：某自治区人民政府办公厅 网站标识码 1500000001 备案号 某ICP备0000000号</div>
</body></html>"""
    Path(path).write_bytes(page.encode(encoding))
    return path


# ---------------------------------------------------------------------------- PDF printed by Chromium

CHROMIUM = Path("/usr/bin/chromium")
# A 公文 page as an HTML editor would lay it out (GB/T 9704: 仿宋 三号 body, 宋体 二号 title,
# 黑体 section headings), printed by Chromium: its PDF text layer is what users' files have,
# Kangxi/Radicals-Supplement code points included (CJK fonts map both to one glyph).
_GONGWEN_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @top-center { content: "%(header)s"; font: 10.5pt "FangSong", "仿宋", "Noto Serif CJK SC", serif; }
  @bottom-center { content: "— " counter(page) " —"; font: 14pt "SimSun", "宋体", "Noto Serif CJK SC", serif; } }
body { font: 16pt/28pt "FangSong", "仿宋", "FangSong_GB2312", "Noto Serif CJK SC", serif; text-align: justify; }
p { margin: 0; }
.title { font: 22pt/32pt "SimSun", "宋体", "Noto Serif CJK SC", serif; text-align: center; margin: 1em 0; }
.center { text-align: center; }
.right { text-align: right; padding-right: 4em; }
.body, .clause { text-indent: 2em; }
.section { text-indent: 2em; font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; }
"""


def write_pdf_chromium(paragraphs, path: Path, *, header: str = HEADER, timeout: float = 60) -> Path:
    """``paragraphs`` as a 公文 HTML page printed to PDF by Debian's headless Chromium (running
    header and ``— N —`` page numbers as CSS page-margin boxes, wrapped justified lines)."""
    import html
    import subprocess
    import tempfile

    body = "\n".join(f'<p class="{kind}">{html.escape(text)}</p>' for kind, text in paragraphs)
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{_GONGWEN_CSS % {"header": header}}'
            f"</style></head><body>{body}</body></html>")
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "page.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={scratch}/profile", "--no-pdf-header-footer",
                        f"--print-to-pdf={path}", source.as_uri()],
                       check=True, capture_output=True, timeout=timeout)
    return path


# ---------------------------------------------------------------------------- scanned PDF

def scan_pdf(source: Path, path: Path, *, pages=None, dpi: int = 150, skew: float = 0.6, blur: float = 0.7,
             keep_text=()) -> Path:
    """``source`` as a scanner makes it: each page (1-based numbers ``pages``, default all)
    rasterised at ``dpi`` (pypdfium2), turned by ``skew`` degrees and blurred (Pillow), as
    an image-only page; pages in ``keep_text`` stay the original text pages (a mixed PDF)."""
    import io

    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter
    from pypdf import PdfReader, PdfWriter

    original = pdfium.PdfDocument(str(source))
    numbers = list(pages or range(1, len(original) + 1))
    text_pages = PdfReader(str(source))
    writer = PdfWriter()
    for number in numbers:
        if number in keep_text:
            writer.add_page(text_pages.pages[number - 1])
            continue
        image = original[number - 1].render(scale=dpi / 72).to_pil().convert("L")
        image = image.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
        image = image.filter(ImageFilter.GaussianBlur(blur))
        buffer = io.BytesIO()
        image.save(buffer, format="PDF", resolution=dpi)
        writer.add_page(PdfReader(buffer).pages[0])
    original.close()
    with open(path, "wb") as handle:
        writer.write(handle)
    return Path(path)
