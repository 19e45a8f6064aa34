"""PDF policy files (pypdf): the text layer, without page furniture, with wrapped lines rejoined.

A 公文 PDF repeats a running header on every page, prints page numbers (``— 3 —``,
``-3-``, ``第3页``) and wraps body text at a fixed width (28 characters a line). This
loader

* refuses, with one clear line, what it cannot read whole: an encrypted, truncated or
  damaged file — never half a document;
* recognises (OCR, :mod:`assistant.ingest.loaders.ocr`) the pages that have no text layer
  but images — a scan, or the scanned pages of a mixed file — and returns its text as a
  :class:`~assistant.ingest.loaders.ocr.TextWithOcr` carrying the report; without the OCR
  engine installed such a file is refused with a clear line, as before;
* drops lines found at the top or bottom of at least half of the pages (the running
  header/footer) and page-number lines;
* rejoins a line with the next one when the line was wrapped: it runs (nearly) the full
  text width, does not end a sentence, and the next line neither begins a marker
  (``第X条``, ``一、``, ``（一）``, ``1.``), nor is indented, nor is a frame line (文号,
  date, 抄送 …). Anything left unjoined is still joined by the parser, so erring on the
  side of a break costs nothing.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter

from assistant.errors import CorpusError
from assistant.ingest.markers import CLAUSE_ARTICLE, CLAUSE_PAREN, ITEM, SECTION
from assistant.ingest.normalize import clean_line, join_lines, normalize_radicals

_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－~～_·•\s]*\d{1,4}[—–\-－~～_·•\s]*"  # — 3 —, -3-, 3
    r"|[—–\-－一]+\s*\d{1,4}\s*[—–\-－一]+"  # —13一: OCR reads a dash as 一
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第3页 共10页
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"  # 3/10
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",  # Page 3 of 10
    re.IGNORECASE,
)
_EDGE = 3  # lines at the top and at the bottom of a page that may be furniture
_SENTENCE_END = re.compile(r"[。！？；：!?;:][”’」』）)》】]*$")
_INDENT = re.compile(r"^(?:\u3000|\s{2,})")
_FULL = 0.85  # a line this close to the text width was wrapped, not ended


def load(data: bytes, name: str) -> str:
    pages, scanned = _page_texts(data, name)
    report = None
    if scanned:
        pages, report = _recognise(data, name, pages, scanned)
    lines = _drop_furniture(pages)
    text = "\n".join(rejoin(lines))
    if not text.strip():
        if report is not None:
            raise CorpusError(f"{name}: 扫描件经文字识别（OCR）未识别出文字 (OCR found no text on {len(scanned)} scanned pages)")
        raise CorpusError(f"{name}: PDF 中没有正文文字 (no text on any page)")
    if report is None:
        return text
    from assistant.ingest.loaders.ocr import TextWithOcr

    # The paragraphs that hold recognised text: those containing a recognised line that the
    # text layer of the other pages does not have (a 责任单位 note may recur on both).
    layer = re.sub(r"\s+", "", "".join("".join(page) for i, page in enumerate(pages, 1) if i not in report.pages))
    recognised = {re.sub(r"\s+", "", line) for line in report.text_lines}
    recognised = [line for line in recognised if len(line) >= 4 and line not in layer]
    report.text_lines = [p for p in text.split("\n") if any(line in re.sub(r"\s+", "", p) for line in recognised)]

    out = TextWithOcr(text)
    out.ocr = report
    return out


def _recognise(data: bytes, name: str, pages: list[list[str]], scanned: list[int]):
    """``pages`` with the scanned ones (1-based numbers) recognised, and the OcrReport."""
    from assistant.ingest.loaders import ocr

    if not ocr.available():
        raise CorpusError(f"{name}: 第{scanned[0]}页是扫描图像，没有文字层；未安装文字识别（OCR）组件 "
                          "(scanned page without a text layer; OCR engine rapidocr-onnxruntime is not installed)")
    recognised = ocr.recognise_pages(data, scanned, name)
    pages = list(pages)
    scores: list[float] = []
    report = ocr.OcrReport(pages=list(scanned), total_pages=len(pages))
    for page in recognised:
        pages[page.number - 1] = page.lines
        scores += page.scores
        report.seconds += page.seconds
        report.text_lines += [clean_line(line) for line in page.lines]
    report.lines = len(scores)
    report.low_confidence_lines = sum(score < ocr.LOW_CONFIDENCE for score in scores)
    report.mean_confidence = round(sum(scores) / len(scores), 4) if scores else 0.0
    report.seconds = round(report.seconds, 2)
    return pages, report


def _page_texts(data: bytes, name: str) -> tuple[list[list[str]], list[int]]:
    """The raw lines of each page, and the numbers of the pages that are scanned images
    without a text layer; refuses encrypted and damaged files."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise CorpusError(f"{name}: 不是 PDF 文件 (no %PDF header)")
    if b"%%EOF" not in data[-4096:]:
        # pypdf would recover some pages of a cut-off file; a partial policy is worse than none.
        raise CorpusError(f"{name}: PDF 文件不完整，可能下载中断 (truncated: no %%EOF at the end)")
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # malformed-but-readable files make pypdf chatty
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:  # many "protected" PDFs only restrict printing: empty user password
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise CorpusError(f"{name}: PDF 已加密，无法读取 (encrypted: {exc})") from None
            if not opened:
                raise CorpusError(f"{name}: PDF 已加密，需要密码 (encrypted; save an unprotected copy)")
        pages, scanned = [], []
        for number, page in enumerate(reader.pages, 1):
            text = page.extract_text() or ""
            if not text.strip() and _has_images(page):
                scanned.append(number)
            pages.append(normalize_radicals(text).split("\n"))  # furniture compares across pages
    except CorpusError:
        raise
    except FileNotDecryptedError:
        raise CorpusError(f"{name}: PDF 已加密，需要密码 (encrypted)") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OSError, ZeroDivisionError) as exc:
        raise CorpusError(f"{name}: PDF 文件已损坏，无法读取 (damaged: {type(exc).__name__}: {exc})"[:300]) from None
    finally:
        quiet.setLevel(level)
    if not pages:
        raise CorpusError(f"{name}: PDF 没有页面 (no pages)")
    text = "".join("".join(p) for p in pages)
    if not text.strip() and not scanned:
        raise CorpusError(f"{name}: PDF 没有文字层，也没有图像 (no text layer and no images)")
    from assistant.ingest.loaders.text import looks_like_text

    if text.strip() and not looks_like_text(text):
        raise CorpusError(f"{name}: PDF 的文字无法解码（字体缺少 Unicode 映射）(text layer unreadable)")
    return pages, scanned


def _has_images(page) -> bool:
    try:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return any(xobjects[key].get_object().get("/Subtype") == "/Image" for key in xobjects)
    except Exception:  # noqa: BLE001 - an odd resource dictionary: treat as "maybe a scan"
        return True


def _key(line: str) -> str:
    """Header/footer identity: whitespace-free, digits folded (page numbers, dates vary)."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _drop_furniture(pages: list[list[str]]) -> list[str]:
    """All pages' non-blank lines (leading indentation kept), without running
    headers/footers and page numbers."""
    pages = [[line.rstrip() for line in page if clean_line(line)] for page in pages]
    # A line counts as furniture where it recurs at the same place: the n-th line from the
    # top (or bottom) of at least half the pages. Same text elsewhere (the 文号 under the
    # title on page 1, when the running header is the 文号 too) is body text.
    top, bottom = Counter(), Counter()
    for page in pages:
        top.update({(i, _key(clean_line(line))) for i, line in enumerate(page[:_EDGE])})
        bottom.update({(i, _key(clean_line(line))) for i, line in enumerate(reversed(page[-_EDGE:]))})
    need = max(2, (len(pages) + 1) // 2)  # at least half the pages, and never a single one
    repeated_top = {k for k, n in top.items() if n >= need}
    repeated_bottom = {k for k, n in bottom.items() if n >= need}
    out: list[str] = []
    for page in pages:
        keep = []
        for i, raw in enumerate(page):
            line = clean_line(raw)
            from_bottom = len(page) - 1 - i
            at_top, at_bottom = i < _EDGE, from_bottom < _EDGE
            if (at_top and (i, _key(line)) in repeated_top) or (at_bottom and (from_bottom, _key(line)) in repeated_bottom):
                continue
            if (at_top or at_bottom) and _PAGE_NUMBER.match(line):
                continue
            keep.append(raw)
        out += keep
    return out


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _p90(values: list[int]) -> int:
    values = sorted(values)
    return values[int(0.9 * (len(values) - 1))]


def _starts_marker(line: str) -> bool:
    return any(p.match(line) for p in (CLAUSE_ARTICLE, CLAUSE_PAREN, SECTION, ITEM))


def rejoin(lines: list[str]) -> list[str]:
    """Glue wrapped lines back into paragraphs (see the module docstring for the rules)."""
    from assistant.ingest.parser import is_frame_line

    cleaned = [clean_line(raw) for raw in lines]
    if not cleaned:
        return []
    # A wrapped line fills the text width; typesetters that wrap at a character count
    # (28 a line) leave lines with narrow digits short in width but full in count.
    full_width = _FULL * _p90([_width(line) for line in cleaned])
    full_count = _FULL * _p90([len(line) for line in cleaned])
    out: list[str] = []
    wrapped = False  # whether the previous physical line ran to the text width
    for raw, line in zip(lines, cleaned):
        if (out and wrapped and not _SENTENCE_END.search(out[-1]) and not _starts_marker(line)
                and not _INDENT.match(raw) and not is_frame_line(line) and not is_frame_line(out[-1])):
            out[-1] = _glue(out[-1], line)
        else:
            out.append(line)
        wrapped = _width(line) >= full_width or len(line) >= full_count
    return out


_ASCII_TAIL = re.compile(r"[A-Za-z0-9]+$")
_ASCII_HEAD = re.compile(r"^[A-Za-z0-9]+")


def _glue(left: str, right: str) -> str:
    """Join a wrapped line to its continuation. A Chinese line wrapped at a fixed count cuts
    anywhere: "5"/"G" is "5G", "20"/"25" is "2025"; two English words keep their space."""
    tail, head = _ASCII_TAIL.search(left), _ASCII_HEAD.match(right)
    if tail and head:
        run = tail.group() + head.group()
        if any(ch.isdigit() for ch in run) or min(len(tail.group()), len(head.group())) == 1:
            return left + right
    return join_lines([left, right])
