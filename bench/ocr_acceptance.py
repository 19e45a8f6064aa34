"""Issue 22's acceptance check, too slow for the suite: the seed printed by Chromium, then
rasterised to image-only pages and read back by OCR.

``python -m bench.ocr_acceptance [--dpi 150] [--skew 0.6] [--blur 0.7] [--out eval/ocr_acceptance.json]``

1. The seed (corpus/neimenggu-gaoxinqu-2021.txt) printed to PDF by Debian's Chromium in a
   公文 layout (tests/formats.write_pdf_chromium): clauses, titles and department lists
   compared with the ``.txt`` twin (all must be exact).
2. The same PDF rasterised at ``--dpi`` with a slight skew and blur, image-only
   (tests/formats.scan_pdf), and loaded (OCR, no cache): clause titles found (similarity
   >= 0.9), mean character similarity of clause texts, department lists exact; OCR seconds
   a page, mean confidence, low-confidence lines.
3. ``assistant add --no-index`` of the text PDF and of the scanned PDF, each in a fresh
   process, corpus and OCR cache: wall time and peak memory (RSS) of each, and the ratio.
4. Questions over the scanned copy (fake encoder: retrieval by BM25 + fake vectors) — every
   citation must carry the OCR flag and its card the 文字识别 mark.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "corpus" / "neimenggu-gaoxinqu-2021.txt"
QUESTIONS = ["高新区研发投入强度的目标是多少？", "呼包鄂国家自主创新示范区由哪些部门负责？", "第（十二）条讲什么？"]


def compare(parsed, reference) -> dict:
    from rapidfuzz.distance import Indel

    by_label = {c.label: c for c in parsed.clauses}
    titles = texts = depts = 0
    sims = []
    for want in reference.clauses:
        got = by_label.get(want.label)
        if got is None:  # a marker lost: best title match instead
            got = max(parsed.clauses, key=lambda c: Indel.normalized_similarity(c.title, want.title), default=None)
        if got is None:
            sims.append(0.0)
            continue
        titles += Indel.normalized_similarity(got.title, want.title) >= 0.9
        sim = Indel.normalized_similarity(got.text, want.text)
        sims.append(sim)
        texts += got.text == want.text
        depts += got.departments == want.departments
    return {"clauses": len(parsed.clauses), "expected": len(reference.clauses), "titles_found": titles,
            "texts_exact": texts, "mean_text_similarity": round(sum(sims) / len(sims), 4),
            "min_text_similarity": round(min(sims), 4), "departments_exact": depts}


def timed_add(pdf: Path, home: Path) -> dict:
    corpus, cache = home / "corpus", home / "ocr-cache"
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(home / "indexes"),
               ASSISTANT_OCR_CACHE=str(cache), ASSISTANT_OCR_PROGRESS="off", PYTHONPATH=str(REPO))
    code = ("import resource, sys, time; from assistant.cli import main; t = time.perf_counter()\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('WALL', time.perf_counter() - t, 'PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "add", "--no-index", "--json", str(pdf)], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    stats = done.stderr.strip().splitlines()[-1].split()
    return {"process_seconds": round(wall, 2), "command_seconds": round(float(stats[1]), 2),
            "peak_rss_mb": round(float(stats[3]), 1), "added": json.loads(done.stdout)}


def ask_questions(pdf: Path, home: Path) -> list[dict]:
    from assistant.config import Settings
    from assistant.qa import Assistant
    from assistant.web.render import citation_html
    from tests.doubles import FakeEncoder

    corpus = home / "qa-corpus"
    corpus.mkdir()
    (corpus / "scanned-seed.pdf").write_bytes(pdf.read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=home / "qa-indexes", model_dir=home / "no-model",
                        feedback_path=home / "feedback.jsonl", eval_dir=home / "eval")
    assistant = Assistant.load(settings, encoder=FakeEncoder(64))
    out = []
    for question in QUESTIONS:
        answer = assistant.ask(question).to_dict()
        cites = answer["citations"]
        out.append({"question": question, "refused": answer["refused"], "citations": len(cites),
                    "all_ocr": bool(cites) and all(c["ocr"] for c in cites),
                    "card_mark": bool(cites) and all("文字识别" in citation_html(c) for c in cites),
                    "headings": [c["heading"] for c in cites]})
    return out


def main() -> None:
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--skew", type=float, default=0.6)
    parser.add_argument("--blur", type=float, default=0.7)
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "ocr_acceptance.json")
    args = parser.parse_args()
    os.environ["ASSISTANT_OCR_CACHE"] = "off"
    os.environ["ASSISTANT_OCR_PROGRESS"] = "off"
    from assistant.ingest.corpus import load_document
    from tests.formats import paragraphs_of, scan_pdf, write_pdf_chromium

    reference = load_document(SEED)
    report: dict = {"dpi": args.dpi, "skew_degrees": args.skew, "blur_radius": args.blur}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        text_pdf = write_pdf_chromium(paragraphs_of(reference), scratch / "seed-chromium.pdf")
        report["chromium"] = compare(load_document(text_pdf), reference)
        print("chromium print:", report["chromium"], flush=True)
        scanned = scan_pdf(text_pdf, scratch / "seed-scanned.pdf", dpi=args.dpi, skew=args.skew, blur=args.blur)
        started = time.perf_counter()
        parsed = load_document(scanned)
        seconds = time.perf_counter() - started
        report["ocr"] = {**compare(parsed, reference), "pages": len(parsed.ocr["pages"]),
                         "load_seconds": round(seconds, 1),
                         "seconds_per_page": round(parsed.ocr["seconds"] / len(parsed.ocr["pages"]), 2),
                         "mean_confidence": parsed.ocr["mean_confidence"], "lines": parsed.ocr["lines"],
                         "low_confidence_lines": parsed.ocr["low_confidence_lines"],
                         "clauses_flagged_ocr": sum(c.ocr for c in parsed.clauses),
                         "peak_rss_mb_in_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
        print("ocr:", report["ocr"], flush=True)
        text_add, scan_add = timed_add(text_pdf, scratch / "a"), timed_add(scanned, scratch / "b")
        report["add"] = {"text_pdf": {k: v for k, v in text_add.items() if k != "added"},
                         "scanned_pdf": {k: v for k, v in scan_add.items() if k != "added"},
                         "ratio_scanned_to_text": round(scan_add["process_seconds"] / text_add["process_seconds"], 1),
                         "scanned_report": scan_add["added"][0].get("ocr")}
        print("add:", report["add"], flush=True)
        report["questions"] = ask_questions(scanned, scratch)
        print("questions:", report["questions"], flush=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
