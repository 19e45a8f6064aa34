"""Word files (``.docx``, python-docx): the body in document order, tables in place,
headers and footers left out, and Word's automatic numbering written back as text.

Offices often number articles with Word's list numbering (a ``第%1条`` list level) rather
than typing ``第一条``: the paragraph text then lacks its marker and the parser would
never see the clause. :class:`_Numbering` replays the list counters from
``numbering.xml`` (levels, start values, restarts, overrides, number formats incl.
Chinese counting) so each numbered paragraph gets the label Word shows.
"""

from __future__ import annotations

import io
import zipfile

from assistant.errors import CorpusError
from assistant.ingest.markers import int_to_cn
from assistant.ingest.normalize import join_lines

_MAX_UNZIPPED = 500 * 2**20  # a zip bomb in .docx clothing is refused before parsing
_CELL_SEPARATOR = "｜"  # full-width bar: kept by the normaliser, unlike spaces next to Chinese


def load(data: bytes, name: str) -> str:
    document = _open(data, name)
    numbering = _Numbering(document)
    lines: list[str] = []
    try:
        for block in document.iter_inner_content():
            if block.__class__.__name__ == "Table":
                lines += _table_lines(block, numbering)
            else:
                lines.append(numbering.label(block) + block.text)
    except (KeyError, ValueError, AttributeError, TypeError) as exc:
        raise CorpusError(f"{name}: Word 文档内容损坏 (damaged document body: {exc})"[:300]) from None
    text = "\n".join(line for line in lines if line.strip())
    if not text.strip():
        raise CorpusError(f"{name}: Word 文档没有正文文字 (no text in the document body)")
    return text


def _open(data: bytes, name: str):
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorpusError(f"{name}: 不是有效的 Word 文档 (.docx is a zip package; this file is not one)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorpusError(f"{name}: 压缩包已损坏 (damaged zip: {exc})") from None
    if "word/document.xml" not in names:
        raise CorpusError(f"{name}: 压缩包里没有 Word 正文 (zip without word/document.xml; not a .docx)")
    if unzipped > _MAX_UNZIPPED:
        raise CorpusError(f"{name}: 解压后过大 ({unzipped / 2**20:.0f} MB; refused)")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for bad packages
        raise CorpusError(f"{name}: 无法读取 Word 文档 (not a readable .docx: {type(exc).__name__}: {exc})"[:300]) from None


def _table_lines(table, numbering) -> list[str]:
    """One line per row, cells separated by ``｜``; merged cells counted once."""
    lines = []
    for row in table.rows:
        seen, cells = set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = join_lines([numbering.label(p) + p.text.strip() for p in cell.paragraphs if p.text.strip()])
            if text:
                cells.append(text)
        if cells:
            lines.append(_CELL_SEPARATOR.join(cells))
    return lines


# ---------------------------------------------------------------------------- numbering

_TEN_STEMS = "甲乙丙丁戊己庚辛壬癸"
_DIGITS = "〇一二三四五六七八九"


def _format(number: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting"):
        return int_to_cn(number)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_DIGITS[int(d)] for d in str(number))
    if fmt in ("ideographTraditional",) and 1 <= number <= 10:
        return _TEN_STEMS[number - 1]
    if fmt in ("upperLetter", "lowerLetter") and number >= 1:
        letter = chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 1 <= number < 4000:
        roman = _roman(number)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{number:02d}"
    return str(number)  # decimal and the many enclosed/full-width variants


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out, number = out + letters, number - value
    return out


_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _xpath(element, path: str) -> list:
    # python-docx's own element classes bind the "w" prefix; plain lxml ones (abstractNum,
    # lvl) do not, so call lxml's xpath with the namespace map on every element.
    from lxml import etree

    return etree._Element.xpath(element, path, namespaces=_NS) if element is not None else []


class _Numbering:
    """Word's list counters, replayed in document order."""

    def __init__(self, document):
        self.root = None
        try:
            self.root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            pass
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> level -> current value
        self.started: set[str] = set()  # numIds whose start overrides were applied

    def _val(self, element, path: str, default=None):
        found = _xpath(element, path)
        return found[0] if found else default

    def _num_pr(self, paragraph):
        """(numId, ilvl) from the paragraph, else from its style chain."""
        p_pr = paragraph._p.pPr
        num_id = ilvl = None
        if p_pr is not None and p_pr.numPr is not None:
            num_id = self._val(p_pr.numPr, "./w:numId/@w:val")
            ilvl = self._val(p_pr.numPr, "./w:ilvl/@w:val")
        style, depth = paragraph.style, 0
        while num_id is None and style is not None and depth < 10:
            num_id = self._val(style.element, "./w:pPr/w:numPr/w:numId/@w:val")
            ilvl = ilvl or self._val(style.element, "./w:pPr/w:numPr/w:ilvl/@w:val")
            style, depth = style.base_style, depth + 1
        return num_id, int(ilvl or 0)

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` ("第一条"), or ""."""
        if self.root is None:
            return ""
        try:
            num_id, ilvl = self._num_pr(paragraph)
        except (ValueError, AttributeError, KeyError):
            return ""
        if not num_id or num_id == "0":
            return ""
        num = self._val(self.root, f'./w:num[@w:numId="{num_id}"]')
        if num is None:
            return ""
        abstract_id = self._val(num, "./w:abstractNumId/@w:val")
        abstract = self._val(self.root, f'./w:abstractNum[@w:abstractNumId="{abstract_id}"]')
        if abstract is None:
            return ""
        levels = {int(self._val(lvl, "./@w:ilvl", 0)): lvl for lvl in _xpath(abstract, "./w:lvl")}
        for override in _xpath(num, "./w:lvlOverride"):  # a whole level replaced for this list
            replaced = self._val(override, "./w:lvl")
            if replaced is not None:
                levels[int(self._val(override, "./@w:ilvl", 0))] = replaced
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:  # <w:startOverride> restarts a list for this numId
            self.started.add(num_id)
            for override in _xpath(num, "./w:lvlOverride[w:startOverride]"):
                level = int(self._val(override, "./@w:ilvl", 0))
                counters[level] = int(self._val(override, "./w:startOverride/@w:val", 1)) - 1

        def start(level: int) -> int:
            lvl = levels.get(level)
            return int(self._val(lvl, "./w:start/@w:val", 1)) if lvl is not None else 1

        counters[ilvl] = counters.get(ilvl, start(ilvl) - 1) + 1
        for deeper in [lvl for lvl in counters if lvl > ilvl]:
            restart = self._val(levels.get(deeper), "./w:lvlRestart/@w:val") if deeper in levels else None
            # Default: a level restarts after any shallower level; lvlRestart=0 never restarts.
            if restart is None or (restart != "0" and int(restart) - 1 >= ilvl):
                counters.pop(deeper)
        level = levels[ilvl]
        fmt = self._val(level, "./w:numFmt/@w:val", "decimal")
        if fmt in ("bullet", "none"):
            return ""
        text = self._val(level, "./w:lvlText/@w:val", "") or ""
        for i in range(9):
            if f"%{i + 1}" in text:
                lvl = levels.get(i)
                lvl_fmt = "decimal" if (i != ilvl and self._val(level, "./w:isLgl") is not None) else (
                    self._val(lvl, "./w:numFmt/@w:val", "decimal") if lvl is not None else "decimal")
                text = text.replace(f"%{i + 1}", _format(counters.get(i, start(i)), lvl_fmt))
        suffix = self._val(level, "./w:suff/@w:val", "tab")
        return text + ("" if suffix == "nothing" else " ")
