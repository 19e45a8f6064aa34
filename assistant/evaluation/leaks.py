"""The leak check: wording that only the frozen test split uses must not appear in the repo.

A test question's *distinctive* substrings are the runs of at least 3 CJK characters (or
Latin word sequences of at least 12 characters, compared in lower case) of the question
that occur neither in any document text (``corpus/*.txt``, ``eval/docs/*.txt``, whitespace
removed) nor in any dev question (``seed_dev``, ``multidoc_dev``, ``eval/dialogues/dev``).
Such a string can only have come from reading the test split. :func:`find_leaks` reports
every place where one occurs in a tracked ``.py`` / ``.md`` / ``.json`` / ``.txt`` file
(``git ls-files``) outside ``eval/gold/`` and ``eval/dialogues/`` (the splits themselves).

For each question the *minimal* distinctive substrings are searched (any longer distinctive
substring contains one); a hit is reported as the longest distinctive substring of the
question that occurs on that line.

``python -m assistant.evaluation.leaks [ROOT]`` (or ``assistant eval --leaks``) prints them
and exits 1 when there are any.

On 2026-12-02 the definition above found 200+ hits: besides real leaks (three homophone
typos, since replaced, and dialogue test questions copied into tests and docstrings) many are
everyday phrasings that a test question happens to share with code or tests (的发展目标是什么,
天气怎么样, 管理的). Those await triage; they are listed in :data:`BASELINE` as
``path<TAB>qid<TAB>sha1(substring)[:12]`` (no test text in the repo), and
``tests/test_leaks.py`` fails on any hit that is not in it. ``--all`` prints every hit.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
LATIN_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*(?:[ ]+[A-Za-z0-9][A-Za-z0-9'\-]*)*")
MIN_CJK = 3
MIN_LATIN = 12
SCANNED_SUFFIXES = (".py", ".md", ".json", ".txt")
SPLIT_DIRS = ("eval/gold/", "eval/dialogues/")
TEST_FILES = ("eval/gold/seed_test.jsonl", "eval/gold/multidoc_test.jsonl")
DEV_FILES = ("eval/gold/seed_dev.jsonl", "eval/gold/multidoc_dev.jsonl")
BASELINE = "eval/leaks_baseline.tsv"


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _gold_questions(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["qid"], row["question"]) for row in rows]


def _dialogue_questions(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out += [(f"dialogue-{item.get('id')}#{n}", turn["question"])
                    for n, turn in enumerate(item.get("turns") or [], 1)]
    return out


def test_questions(root: Path) -> list[tuple[str, str]]:
    root = Path(root)
    return ([q for name in TEST_FILES for q in _gold_questions(root / name)]
            + _dialogue_questions(root / "eval" / "dialogues" / "test.jsonl"))


def dev_questions(root: Path) -> list[tuple[str, str]]:
    root = Path(root)
    return ([q for name in DEV_FILES for q in _gold_questions(root / name)]
            + _dialogue_questions(root / "eval" / "dialogues" / "dev.jsonl"))


def _known_text(root: Path) -> tuple[str, str]:
    """(CJK haystack, lower-case Latin haystack): document texts and dev questions."""
    root = Path(root)
    docs = [p.read_text(encoding="utf-8", errors="replace")
            for folder in (root / "corpus", root / "eval" / "docs") for p in sorted(folder.glob("*.txt"))]
    dev = [q for _, q in dev_questions(root)]
    cjk = "\n".join(_squeeze(t) for t in docs + dev)
    latin = "\n".join(" ".join(t.split()).lower() for t in docs + dev)
    return cjk, latin


def _minimal_cjk(question: str, known: str) -> set[str]:
    out = set()
    for run in CJK.findall(question):
        for i in range(len(run) - MIN_CJK + 1):
            for j in range(i + MIN_CJK, len(run) + 1):
                if run[i:j] not in known:
                    out.add(run[i:j])
                    break
    return {s for s in out if not any(o != s and o in s for o in out)}


def _minimal_latin(question: str, known: str) -> set[str]:
    out = set()
    for run in LATIN_WORDS.findall(question):
        words = run.lower().split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                phrase = " ".join(words[i:j])
                if len(phrase) >= MIN_LATIN and phrase not in known:
                    out.add(phrase)
                    break
    return {s for s in out if not any(o != s and o in s for o in out)}


def _longest_on_line(question: str, seed: str, line: str, known: str) -> str:
    """The longest distinctive substring of ``question`` around ``seed`` that occurs in ``line``."""
    best = seed
    for run in CJK.findall(question):
        start = run.find(seed)
        if start < 0:
            continue
        for i in range(0, start + 1):
            for j in range(len(run), start + len(seed) - 1, -1):
                piece = run[i:j]
                if len(piece) > len(best) and seed in piece and piece in line and piece not in known:
                    best = piece
    return best


def scanned_files(root: Path) -> list[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    return [p for p in listing.splitlines()
            if p.endswith(SCANNED_SUFFIXES) and not p.startswith(SPLIT_DIRS)]


def find_leaks(root) -> list[tuple[str, int, str, str]]:
    """``(path, line_no, substring, qid)`` for every distinctive test substring found in a
    tracked file outside the split files (see the module docs)."""
    root = Path(root)
    known_cjk, known_latin = _known_text(root)
    wanted: dict[str, list[tuple[str, str]]] = {}  # minimal substring -> [(qid, question)]
    for qid, question in test_questions(root):
        for piece in _minimal_cjk(question, known_cjk) | _minimal_latin(question, known_latin):
            wanted.setdefault(piece, []).append((qid, question))
    cjk_lengths = sorted({len(s) for s in wanted if CJK.fullmatch(s)})
    latin = [s for s in wanted if not CJK.fullmatch(s)]
    leaks = []
    for path in scanned_files(root):
        try:
            text = (root / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        lower = text.lower()
        latin_here = [s for s in latin if s in " ".join(lower.split())]
        for number, line in enumerate(text.splitlines(), 1):
            found = set()
            if CJK.search(line):
                squeezed = _squeeze(line)
                for i in range(len(squeezed)):
                    for length in cjk_lengths:
                        piece = squeezed[i:i + length]
                        if len(piece) == length and piece in wanted:
                            found.add(piece)
                for piece in found.copy():
                    for qid, question in wanted[piece]:
                        leaks.append((path, number, _longest_on_line(question, piece, squeezed, known_cjk), qid))
            if latin_here:
                flat = " ".join(line.lower().split())
                for piece in latin_here:
                    if piece in flat:
                        leaks += [(path, number, piece, qid) for qid, _ in wanted[piece]]
    return sorted(set(leaks))


def _key(leak) -> str:
    path, _, piece, qid = leak
    return f"{path}\t{qid}\t{hashlib.sha1(piece.encode('utf-8')).hexdigest()[:12]}"


def baseline(root) -> set[str]:
    """The recorded, not yet triaged hits (see the module docs)."""
    path = Path(root) / BASELINE
    if not path.exists():
        return set()
    return {line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}


def new_leaks(root) -> list[tuple[str, int, str, str]]:
    """:func:`find_leaks` minus the recorded baseline."""
    known = baseline(root)
    return [leak for leak in find_leaks(root) if _key(leak) not in known]


def write_baseline(root) -> int:
    keys = sorted({_key(leak) for leak in find_leaks(root)})
    header = ("# Leak-check hits recorded for triage (assistant/evaluation/leaks.py): path, test qid, sha1 of the\n"
              "# test substring. Regenerate only after triage: python -m assistant.evaluation.leaks --write-baseline\n")
    (Path(root) / BASELINE).write_text(header + "\n".join(keys) + "\n", encoding="utf-8")
    return len(keys)


def main(argv=None) -> int:
    """``[ROOT] [--all] [--write-baseline]``: print the hits not in the baseline (all with --all)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = {a for a in argv if a.startswith("--")}
    rest = [a for a in argv if not a.startswith("--")]
    root = Path(rest[0]) if rest else Path(__file__).resolve().parents[2]
    if "--write-baseline" in flags:
        print(f"{write_baseline(root)} hits recorded in {BASELINE}", file=sys.stderr)
        return 0
    leaks = find_leaks(root) if "--all" in flags else new_leaks(root)
    for path, number, piece, qid in leaks:
        print(f"{path}:{number}: {piece!r} ({qid})")
    which = "" if "--all" in flags else f" (not counting the {len(baseline(root))} recorded in {BASELINE})"
    print(f"{len(leaks)} test-split strings found outside the split files{which}", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
