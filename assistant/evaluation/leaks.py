"""The leak check: wording that only the frozen test split uses must not appear in the repo.

A test question's *distinctive* substrings are its minimal runs of at least 3 CJK characters
(or Latin phrases of at least 4 words, in lower case) that occur neither in any document text
(``corpus/*.txt``, ``eval/docs/*.txt``, whitespace removed) nor in any dev question
(``eval/gold/*_dev.jsonl``, ``eval/dialogues/dev.jsonl``), and that are either long (8 or
more CJK characters: a copied phrase) or coined (a jieba token of two or more characters
that is in neither jieba's dictionary nor the documents: a typo such as 孵话器; jieba's rarest entries, under 10 occurrences, count as unknown). Everyday
wording a test question shares with code by chance (是谁负责, 天气怎么样) is not distinctive:
people write it without reading the test split. :func:`find_leaks` reports every place where
a distinctive substring occurs in a tracked ``.py`` / ``.md`` / ``.json`` / ``.txt`` file
(``git ls-files``) outside ``eval/gold/`` and ``eval/dialogues/`` (the splits themselves).

For each question the *minimal* distinctive substrings are searched (any longer distinctive
substring contains one); a hit is reported as the longest distinctive substring of the
question that occurs on that line.

``python -m assistant.evaluation.leaks [ROOT]`` (or ``assistant eval --leaks``) prints them
and exits 1 when there are any; ``tests/test_leaks.py`` asserts there are none.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
LATIN_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*(?:[ ]+[A-Za-z0-9][A-Za-z0-9'\-]*)*")
MIN_CJK = 3
MIN_COPIED = 8  # CJK characters: a run this long not in the documents or dev is a copied phrase
MIN_LATIN_WORDS = 4
RARE = 10  # jieba dictionary entries this rare are fragments (化器), not words
SCANNED_SUFFIXES = (".py", ".md", ".json", ".txt")
SPLIT_DIRS = ("eval/gold/", "eval/dialogues/")
TEST_GLOB, DEV_GLOB = "*_test.jsonl", "*_dev.jsonl"


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _gold_questions(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # gold questions (qid, question) and matcher profiles (pid, profile)
    return [(row.get("qid") or row.get("pid"), row.get("question") or row.get("profile") or "") for row in rows]


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
    held = root / "eval" / "gold" / "held"  # frozen test parts not yet gated: held out all the same
    return ([q for folder in (root / "eval" / "gold", held) for path in sorted(folder.glob(TEST_GLOB))
             for q in _gold_questions(path)]
            + _dialogue_questions(root / "eval" / "dialogues" / "test.jsonl")
            + [q for path in sorted(held.glob("*_dialogues.test-part.jsonl")) for q in _dialogue_questions(path)])


def dev_questions(root: Path) -> list[tuple[str, str]]:
    root = Path(root)
    return ([q for path in sorted((root / "eval" / "gold").glob(DEV_GLOB)) for q in _gold_questions(path)]
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


def _coined_words(question: str, known: str) -> set[str]:
    """Tokens of two or more CJK characters that neither jieba's dictionary nor the documents know."""
    import jieba

    jieba.initialize()
    vocabulary = jieba.dt.FREQ
    return {w for w in jieba.lcut(question) if len(w) >= 2 and CJK.fullmatch(w)
            and (vocabulary.get(w) or 0) < RARE and w not in known}


def _minimal_cjk(question: str, known: str) -> set[str]:
    out = set()
    coined = _coined_words(question, known)
    for run in CJK.findall(question):
        for i in range(len(run) - MIN_CJK + 1):
            for j in range(i + MIN_CJK, len(run) + 1):
                piece = run[i:j]
                if piece in known:
                    continue
                if len(piece) >= MIN_COPIED or any(w in piece for w in coined):
                    out.add(piece)
                    break
    return {s for s in out if not any(o != s and o in s for o in out)}


def _minimal_latin(question: str, known: str) -> set[str]:
    out = set()
    for run in LATIN_WORDS.findall(question):
        words = run.lower().split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                phrase = " ".join(words[i:j])
                if j - i >= MIN_LATIN_WORDS and phrase not in known:
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


def main(argv=None) -> int:
    """``[ROOT]``: print every hit; exit 1 when there is any."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rest = [a for a in argv if not a.startswith("--")]
    root = Path(rest[0]) if rest else Path(__file__).resolve().parents[2]
    leaks = find_leaks(root)
    for path, number, piece, qid in leaks:
        print(f"{path}:{number}: {piece!r} ({qid})")
    print(f"{len(leaks)} test-split strings found outside the split files", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
