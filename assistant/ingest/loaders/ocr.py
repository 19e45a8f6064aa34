"""Text of PDF pages that have none: offline OCR (RapidOCR, PP-OCRv4 ONNX models shipped
inside the ``rapidocr-onnxruntime`` wheel; Apache-2.0, models from PaddleOCR, Apache-2.0).

Only pages without a text layer come here (see :mod:`assistant.ingest.loaders.pdf`). Each
page is rendered (pypdfium2) at :data:`DPI`, recognised, and its text boxes are grouped
into lines by position: boxes whose vertical centres lie within half a line height of each
other form one line, read left to right; lines are read top to bottom. A line starting well
right of the page's left text edge is given a leading indent, as a text layer would have it,
so the PDF loader keeps paragraph starts apart. Half-width punctuation the recogniser emits
between Chinese characters is made full-width (公文 are typeset full-width); broken
structure markers ((一), （－）…) are repaired later, by the parser's normalisation
(:func:`assistant.ingest.normalize.repair_marker`).

Recognition is slow (seconds a page), and the corpus is re-read at every start, so results
are cached by the PDF's bytes: in memory, and on disk under ``~/.cache/policy-assistant/ocr``
(``ASSISTANT_OCR_CACHE`` = another folder, or ``off``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

DPI = 150
LOW_CONFIDENCE = 0.8  # a line whose mean box score is below this is counted as doubtful
ENGINE = "rapidocr-onnxruntime 1.4.4 / PP-OCRv4 (ch)"
_CACHE_VERSION = "1"

_lock = threading.Lock()
_engine = None
_memory: dict[str, dict] = {}


def available() -> bool:
    """Whether the OCR engine and the page renderer are installed."""
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class PageText:
    number: int  # 1-based page number
    lines: list[str]  # with a leading "  " where the line is indented
    scores: list[float]  # mean recognition confidence of each line
    seconds: float


@dataclass
class OcrReport:
    """What OCR did to one PDF: ``assistant add`` prints it, Documents keep it."""

    pages: list[int] = field(default_factory=list)  # pages recognised (1-based)
    total_pages: int = 0
    lines: int = 0
    low_confidence_lines: int = 0  # lines below LOW_CONFIDENCE
    mean_confidence: float = 0.0
    seconds: float = 0.0  # recognition time when the pages were first read (cached since)
    engine: str = ENGINE
    text_lines: list[str] = field(default_factory=list, repr=False)  # the recognised lines

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("text_lines")
        return data


class TextWithOcr(str):
    """A loader's text carrying the :class:`OcrReport` of the pages it recognised."""

    ocr: OcrReport


def _get_engine():
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def _cache_dir() -> Path | None:
    setting = os.environ.get("ASSISTANT_OCR_CACHE", "").strip()
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "policy-assistant" / "ocr"


def _cache_key(data: bytes, number: int) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest}-p{number}-dpi{DPI}-v{_CACHE_VERSION}"


def _cached(key: str) -> dict | None:
    if key in _memory:
        return _memory[key]
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        found = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _memory[key] = found
    return found


def _store(key: str, value: dict) -> None:
    _memory[key] = value
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f".{key}.part"
        part.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(part, folder / f"{key}.json")
    except OSError:
        pass  # a read-only home: recognise again next time


def recognise_pages(data: bytes, numbers: list[int], name: str = "") -> list[PageText]:
    """The text of pages ``numbers`` (1-based) of the PDF ``data``, recognised (or cached)."""
    out, todo = [], []
    for number in numbers:
        found = _cached(_cache_key(data, number))
        if found is not None:
            out.append(PageText(number, found["lines"], found["scores"], found["seconds"]))
        else:
            todo.append(number)
    if todo:
        import pypdfium2 as pdfium
        from tqdm import tqdm

        document = pdfium.PdfDocument(data)
        try:
            progress = tqdm(todo, desc=f"文字识别 {name}".strip(), unit="页", file=sys.stderr,
                            disable=True if len(todo) < 3 or os.environ.get("ASSISTANT_OCR_PROGRESS") == "off" else None,
                            leave=False)
            for number in progress:
                started = time.perf_counter()
                page = document[number - 1]
                image = page.render(scale=DPI / 72, grayscale=False).to_pil().convert("RGB")
                page.close()
                lines, scores = recognise_image(image)
                page_text = PageText(number, lines, scores, round(time.perf_counter() - started, 3))
                _store(_cache_key(data, number), {"lines": lines, "scores": scores, "seconds": page_text.seconds})
                out.append(page_text)
        finally:
            document.close()
    return sorted(out, key=lambda p: p.number)


def recognise_image(image) -> tuple[list[str], list[float]]:
    """(lines, confidence of each) of a page image (PIL), in reading order."""
    import numpy as np

    result, _ = _get_engine()(np.asarray(image))
    boxes = []
    for box, text, score in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        boxes.append((min(xs), max(xs), min(ys), max(ys), text, float(score)))
    return group_lines(boxes, image.width)


def group_lines(boxes, page_width: float) -> tuple[list[str], list[float]]:
    """Boxes ``(x0, x1, y0, y1, text, score)`` grouped into lines by position."""
    if not boxes:
        return [], []
    height = statistics.median(b[3] - b[2] for b in boxes) or 1.0
    rows: list[list] = []
    for box in sorted(boxes, key=lambda b: (b[2] + b[3]) / 2):
        centre = (box[2] + box[3]) / 2
        row = rows[-1] if rows else None
        if row is not None and abs(centre - statistics.fmean((b[2] + b[3]) / 2 for b in row)) < 0.5 * height:
            row.append(box)
        else:
            rows.append([box])
    # the text's left edge: the most common start of full lines (most lines of a page start there)
    starts = sorted(min(b[0] for b in row) for row in rows)
    left = starts[len(starts) // 4] if starts else 0.0
    lines, scores = [], []
    for row in rows:
        row.sort(key=lambda b: b[0])
        text = ""
        for i, box in enumerate(row):
            if i and _needs_space(text, box[4], box[0] - row[i - 1][1], height):
                text += " "
            text += box[4]
        text = full_width_punctuation(text.strip())
        if not text:
            continue
        indent = min(b[0] for b in row) - left
        lines.append(("  " if indent > 1.2 * height else "") + text)
        scores.append(round(statistics.fmean(b[5] for b in row), 4))
    return lines, scores


def _needs_space(left: str, right: str, gap: float, height: float) -> bool:
    return bool(left) and left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() \
        and right[:1].isalnum() and gap > 0.3 * height


_CJKISH = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’—…]"
_HALF = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_PUNCT_NEAR_CJK = re.compile(f"(?<={_CJKISH})[(),:;?!]|[(),:;?!](?={_CJKISH})")


def full_width_punctuation(line: str) -> str:
    """Half-width brackets, commas, colons … next to a Chinese character made full-width:
    the recogniser's alphabet has both, the 公文 only the full-width ones."""
    line = _PUNCT_NEAR_CJK.sub(lambda m: _HALF[m.group()], line)
    return _HALF_PAIR.sub(r"（\1）", line)  # (1） and （1) from the rule above: one style


_HALF_PAIR = re.compile(r"[（(]([\d\u4e00-\u9fff]{1,3})[）)]")
