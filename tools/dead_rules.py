"""Dead rules of the answer layer: regex alternatives and word-list entries that match nothing.

``python -m tools.dead_rules [--apply] [--json OUT] [--texts CACHE.json]``

The texts the answer layer's patterns can see are collected first:

* every question of ``eval/gold/*.jsonl`` (the ``profile`` text of ``profiles_*.jsonl``), ``eval/dialogues/*.jsonl`` (every turn) and
  ``eval/questions.jsonl``, and every string literal of ``tests/*.py``;
* each of those after the pipeline's own normalisation (``to_simplified``, typo correction and
  everyday words, ``normalize_numbers``, ``gloss``, as in ``Assistant.ask``), with the corpus of
  ``corpus/`` plus ``eval/docs/``;
* the documents themselves (``corpus/*.txt``, ``eval/docs/*.txt``: whole, per line, per sentence);
* every string any regex of ``assistant/answering/`` is actually applied to while the gold sets,
  the dialogues and the test strings are answered with the fake encoder (``re`` is wrapped for
  the run: rewritten follow-ups, clause texts, titles, candidate spans … are all recorded).

Then, for every regex literal of ``assistant/answering/*.py`` (a string literal passed to
``re.*``, or a module constant concatenated into one), every alternative at every group level
is compiled alone with the pattern's flags; it is **dead** when it finds no match in any of
those texts. Alternatives inside lookarounds and conditionals are never touched; an alternative
that does not compile alone (a back-reference) is kept; f-string parts and pieces of
concatenations are analysed only inside their own complete groups; the last alternative of a
group is never removed. Word-list entries (tuples/lists/sets/dict keys of strings in code, the
question lexicons in ``assistant/data/``) are reported when they occur (case-insensitively) in
none of the texts; they are removed by hand, list by list, only where the list is matched
against text.

``--texts CACHE.json`` keeps the collected texts (collected once, from the code as it was
before any removal, then reused). ``--apply`` removes the dead regex alternatives from the source. Prove the answers unchanged
afterwards with ``tools/answer_snapshot.py`` (before/after files identical).
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERING = ROOT / "assistant" / "answering"
LEXICONS = ("followups", "glossary", "applicants", "synonyms")
_RE_FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}

# ---------------------------------------------------------------- texts the patterns see

_SEEN: set[str] = set()


def _note_string(compiled, string) -> None:
    if isinstance(string, str):
        _SEEN.add(string)


class _Watched:
    """A compiled pattern of the answer layer that reports every string it is applied to
    (``record(compiled, string)``)."""

    __slots__ = ("_pattern", "_record")

    def __init__(self, pattern, record=_note_string):
        self._pattern, self._record = pattern, record

    def __getattr__(self, name):
        attr = getattr(self._pattern, name)
        if name in ("sub", "subn"):
            def call(repl, string, *args, **kwargs):
                self._record(self._pattern, string)
                return attr(repl, string, *args, **kwargs)
            return call
        if name in ("search", "match", "fullmatch", "findall", "finditer", "split"):
            def call(string, *args, **kwargs):
                self._record(self._pattern, string)
                return attr(string, *args, **kwargs)
            return call
        return attr

    def __hash__(self):
        return hash(self._pattern)

    def __eq__(self, other):
        return self._pattern == (other._pattern if isinstance(other, _Watched) else other)


def _from_answering(depth: int = 2) -> bool:
    frame = sys._getframe(depth)
    return "assistant/answering/" in frame.f_code.co_filename.replace("\\", "/")


def watch_re(record=_note_string) -> None:
    """Wrap ``re`` so that every string an answering regex is applied to is reported to
    ``record(compiled_pattern, string)`` (default: kept in ``_SEEN``); patterns compiled at
    run time and the module-level ``re.search(pattern, …)`` calls included."""
    original = {name: getattr(re, name) for name in _RE_FUNCS}

    def unwrap(pattern):
        return pattern._pattern if isinstance(pattern, _Watched) else pattern

    def compile_(pattern, flags=0):
        compiled = original["compile"](unwrap(pattern), flags)
        return _Watched(compiled, record) if _from_answering() else compiled

    def make(name):
        def call(pattern, *args, **kwargs):
            if _from_answering():
                sub = name in ("sub", "subn")
                string = args[1 if sub else 0] if len(args) > (1 if sub else 0) else kwargs.get("string")
                flags = args[4 if sub else 2] if len(args) > (4 if sub else 2) else kwargs.get("flags", 0)
                raw = unwrap(pattern)
                record(raw if isinstance(raw, re.Pattern) else original["compile"](raw, flags), string)
            return original[name](unwrap(pattern), *args, **kwargs)
        return call

    re.compile = compile_
    for name in _RE_FUNCS - {"compile"}:
        setattr(re, name, make(name))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_strings() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
                out.append(node.value)
    return out


def questions() -> list[str]:
    out = []
    for path in sorted((ROOT / "eval" / "gold").glob("*.jsonl")) + [ROOT / "eval" / "questions.jsonl"]:
        out.extend(r.get("question") or r["profile"] for r in _jsonl(path))  # profiles_*: the /match texts
    for path in sorted((ROOT / "eval" / "dialogues").glob("*.jsonl")):
        out.extend(t["question"] for d in _jsonl(path) for t in d["turns"])
    return out


def document_texts() -> list[str]:
    out = []
    for path in sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "eval" / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(text)
        for line in text.splitlines():
            out.append(line)
            out.extend(s for s in re.split(r"(?<=[。；！？])", line) if s)
    return out


def collect_texts(log=print) -> list[str]:
    """Every text listed in the module docstring (``watch_re`` must run before any import of
    ``assistant.answering``)."""
    import shutil
    import tempfile

    from tools.answer_snapshot import _assistant, snapshot

    asked = questions()
    literals = test_strings()
    texts = set(asked) | set(literals) | set(document_texts())
    log(f"{len(asked)} questions, {len(literals)} test strings")
    snapshot(ROOT, log=log)  # records what the patterns see on the gold sets and dialogues
    with tempfile.TemporaryDirectory(prefix="dead-rules-") as tmp:
        tmp = Path(tmp)
        corpus_dir = tmp / "corpus"
        corpus_dir.mkdir()
        for path in sorted((ROOT / "corpus").iterdir()) + sorted((ROOT / "eval" / "docs").iterdir()):
            if path.is_file():
                shutil.copy2(path, corpus_dir / path.name)
        assistant = _assistant(corpus_dir, tmp)
        from assistant.answering.analysis import normalize_numbers
        from assistant.answering.gloss import gloss
        from assistant.answering.typos import apply, lexicon_for
        from assistant.retrieval.tokenization import base_jieba, to_simplified

        lexicon = lexicon_for(assistant.corpus, base_jieba())
        for text in sorted(set(asked) | set(literals)):
            try:
                simple = to_simplified(text)
                fixes = lexicon.correct(simple)
                folds = lexicon.everyday_words(apply(simple, fixes), fixes)
                texts.update((simple, apply(simple, fixes), gloss(normalize_numbers(apply(simple, fixes))),
                              gloss(normalize_numbers(apply(apply(simple, fixes), folds)))))
            except Exception:  # noqa: BLE001 - odd test strings (control characters …)
                pass
        log(f"asking {len(literals)} test strings")
        for text in literals:
            if len(text) <= 400:
                try:
                    assistant.ask(text)
                except Exception:  # noqa: BLE001
                    pass
    texts |= _SEEN
    return sorted(t for t in texts if t)


# ---------------------------------------------------------------- regex alternatives


class Group:
    """One alternation level: ``alts`` are (start, end) offsets in the pattern source."""

    def __init__(self, start: int, kind: str):
        self.start, self.kind = start, kind
        self.alts: list[tuple[int, int]] = []
        self.children: list[Group] = []
        self.end = None


def parse_groups(pattern: str) -> Group:
    """The group tree of a regex source (the whole pattern is the root group)."""
    root = Group(0, "root")
    stack, alt_start, i = [root], [0], 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            i += 1
            continue
        if char == "[":
            in_class = True
            i += 1
            if i < len(pattern) and pattern[i] == "^":
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                i += 1
            continue
        if char == "(":
            body = i + 1
            kind = "plain"
            if pattern.startswith("?", body):
                for prefix, name in (("?:", "plain"), ("?=", "look"), ("?!", "look"), ("?<=", "look"),
                                     ("?<!", "look"), ("?(", "cond"), ("?P<", "named"), ("?#", "comment")):
                    if pattern.startswith(prefix, body):
                        kind = name
                        body += len(prefix)
                        if name == "named":
                            body = pattern.index(">", body) + 1
                        break
                else:  # inline flags (?i:…) or (?i)
                    match = re.match(r"\?[aiLmsux-]+[:)]", pattern[body:])
                    kind = "flags"
                    body += len(match.group()) if match else 1
            group = Group(i, kind)
            stack[-1].children.append(group)
            stack.append(group)
            alt_start.append(body)
            i = body
            continue
        if char == "|":
            stack[-1].alts.append((alt_start[-1], i))
            alt_start[-1] = i + 1
        elif char == ")" and len(stack) > 1:
            group = stack.pop()
            group.alts.append((alt_start.pop(), i))
            group.end = i
        i += 1
    root.alts.append((alt_start[0], len(pattern)))
    return root


class Corpus:
    """The texts, with a fast test for alternatives that need no per-text anchoring."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.joined = "\n\n".join(texts)
        self._cache: dict[tuple[str, int], bool] = {}

    def matches(self, source: str, flags: int) -> bool:
        key = (source, flags)
        if key not in self._cache:
            try:
                compiled = re.compile(source, flags)
            except re.error:
                self._cache[key] = True  # does not compile alone: kept
                return True
            if re.search(r"\^|\$|\\A|\\Z|\(\?<?[=!]", source):
                self._cache[key] = any(compiled.search(t) for t in self.texts)
            else:
                self._cache[key] = bool(compiled.search(self.joined))
        return self._cache[key]


def dead_alternatives(pattern: str, flags: int, corpus: Corpus, whole) -> list[tuple[int, int, int]]:
    """Dead alternatives as (start, end, pipe) offsets: the alternative and the one ``|`` to
    remove with it. ``whole``: True when the literal is the whole pattern; False for a piece of
    a concatenation (its complete inner groups are read, and the top-level alternatives between
    two of its pipes); "last" for the last piece of a concatenation (also its tail after the
    last pipe)."""
    try:
        root = parse_groups(pattern)
    except (ValueError, IndexError):
        return []
    out = []
    if whole is not True:
        if any(g.end is None for g in root.children) or _unbalanced(pattern):
            return []
        alts = root.alts
        for n in range(1, len(alts) - (0 if whole == "last" else 1)):
            s, e = alts[n]
            if not corpus.matches(pattern[s:e], flags):
                out.append((s, e, s - 1))

    def visit(group: Group, top: bool):
        if group.kind in ("look", "cond", "comment"):
            return
        alts = group.alts
        readable = (whole or not top) and len(alts) > 1 and (top or group.end is not None)
        dead = set()
        if readable:
            for n, (s, e) in enumerate(alts):
                if not corpus.matches(pattern[s:e], flags):
                    dead.add(n)
            if len(dead) == len(alts):
                dead.discard(0)  # never the last alternative of a group
        for n in sorted(dead):
            s, e = alts[n]
            survivor_before = any(m not in dead for m in range(n))
            pipe = s - 1 if survivor_before else e
            out.append((s, e, pipe))
        for child in group.children:
            if not any(alts[n][0] <= child.start < alts[n][1] for n in dead):
                visit(child, False)

    if whole is True:
        visit(root, True)
    else:
        for n, (s, e) in enumerate(root.alts):
            if not any(a <= s < b for a, b, _ in out):
                for child in root.children:
                    if s <= child.start < e:
                        visit(child, False)
    return out


def _unbalanced(piece: str) -> bool:
    """A ``)`` closing a group opened outside the piece (or a group left open)."""
    from tools.rule_count import structure

    depth = 0
    for char in structure(piece):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return True
    return depth != 0


def _flags(node) -> int:
    if node is None:
        return 0
    try:
        return int(eval(compile(ast.Expression(node), "<flags>", "eval"), {"re": re}))  # noqa: S307 - our own source
    except Exception:  # noqa: BLE001
        return re.IGNORECASE


def _string_pieces(source_lines: list[str], node) -> list[tuple[int, int, str]] | None:
    """Source positions of each character of a string constant: a list of (line, col) per
    value character, or None where a piece has escapes that make the mapping unclear."""
    chosen = source_lines[node.lineno - 1:node.end_lineno]
    # ast offsets count UTF-8 bytes; the lines are text
    end_col = len(chosen[-1].encode("utf-8")[:node.end_col_offset].decode("utf-8"))
    start_col = len(chosen[0].encode("utf-8")[:node.col_offset].decode("utf-8"))
    chosen[-1] = chosen[-1][:end_col]
    offset_col = start_col - 1  # the segment is wrapped in parentheses
    segment = "(" + "\n".join(chosen)[start_col:] + ")"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    positions = []
    for tok in tokens:
        if tok.type != tokenize.STRING:
            continue
        text = tok.string
        prefix = re.match(r"[A-Za-z]*", text).group().lower()
        quote = text[len(prefix):len(prefix) + 3] if text[len(prefix):len(prefix) + 3] in ('"""', "'''") \
            else text[len(prefix)]
        body = text[len(prefix) + len(quote):len(text) - len(quote)]
        line, col = tok.start
        line += node.lineno - 1
        col += (offset_col if tok.start[0] == 1 else 0) + len(prefix) + len(quote)
        if "f" in prefix or "b" in prefix or "\n" in body:
            return None
        for k, ch in enumerate(body):
            if "r" not in prefix and ch == "\\":
                positions.append(None)
            else:
                positions.append((line, col + k))
        if "r" not in prefix and "\\" in body:
            # escapes: the value is shorter than the body; give up unless it decodes 1:1
            return None
    return positions


def regex_literals(path: Path):
    """(node, flags, whole) for every regex literal of a module, as tools.rule_count finds them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, (ast.Constant, ast.BinOp, ast.JoinedStr))):
            named[node.targets[0].id] = node.value
    found, used = [], {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RE_FUNCS and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
            continue
        flag_node = node.args[2] if node.func.attr in ("sub", "subn") and len(node.args) > 4 else None
        if node.func.attr in ("compile",) and len(node.args) > 1:
            flag_node = node.args[1]
        elif node.func.attr in ("search", "match", "fullmatch", "findall", "finditer", "split") and len(node.args) > 2:
            flag_node = node.args[2]
        for keyword in node.keywords:
            if keyword.arg == "flags":
                flag_node = keyword.value
        flags = _flags(flag_node)
        first = node.args[0]
        for sub in ast.walk(first):
            if isinstance(sub, ast.Name) and sub.id in named:
                used[sub.id] = used.get(sub.id, 0) | flags | re.IGNORECASE
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append((first, flags, True))
        else:
            last = first
            while isinstance(last, ast.BinOp):
                last = last.right
            for sub in ast.walk(first):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.append((sub, flags, "last" if sub is last and isinstance(first, ast.BinOp) else False))
    for name, flags in used.items():
        value = named[name]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.append((value, flags, False))
        else:
            for sub in ast.walk(value):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.append((sub, flags, False))
    return found


def find_dead(corpus: Corpus) -> dict[str, list[dict]]:
    report = {}
    for path in sorted(ANSWERING.glob("*.py")):
        lines = path.read_text(encoding="utf-8").split("\n")
        rows = []
        for node, flags, whole in regex_literals(path):
            positions = _string_pieces(lines, node)
            for s, e, pipe in dead_alternatives(node.value, flags, corpus, whole):
                span = [positions[k] for k in range(min(s, pipe), max(e, pipe + 1))] if positions else None
                editable = bool(span) and None not in span and len(span) == max(e, pipe + 1) - min(s, pipe)
                rows.append({"line": node.lineno, "alternative": node.value[s:e], "flags": flags,
                             "editable": editable, "positions": span if editable else None})
        report[str(path.relative_to(ROOT))] = rows
    return report


def apply(report: dict[str, list[dict]]) -> int:
    removed = 0
    for name, rows in report.items():
        path = ROOT / name
        lines = path.read_text(encoding="utf-8").split("\n")
        drop: dict[int, set[int]] = {}
        for row in rows:
            if row["editable"]:
                for line, col in row["positions"]:
                    drop.setdefault(line - 1, set()).add(col)
                removed += 1
        for index, cols in drop.items():
            lines[index] = "".join(ch for k, ch in enumerate(lines[index]) if k not in cols)
        path.write_text("\n".join(lines), encoding="utf-8")
    return removed


# ---------------------------------------------------------------- word lists


def dead_words(texts: list[str]) -> dict[str, list[dict]]:
    haystack = "\n".join(texts).lower()
    report = {}
    for path in sorted(ANSWERING.glob("*.py")):
        rows = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                elts = node.keys if isinstance(node, ast.Dict) else node.elts
                words = [e for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(words) >= 2:
                    dead = [w.value for w in words if w.value.lower() not in haystack]
                    if dead:
                        rows.append({"line": node.lineno, "entries": len(words), "dead": dead})
        report[str(path.relative_to(ROOT))] = rows
    for name in LEXICONS:
        data = json.loads((ROOT / "assistant" / "data" / f"{name}.json").read_text(encoding="utf-8"))
        dead = []

        def walk(value, where):
            if isinstance(value, dict):
                for key, sub in value.items():
                    if key.startswith("_"):
                        continue
                    if not isinstance(sub, (dict, list)) and key.lower() not in haystack:
                        dead.append(f"{where}{key}")
                    walk(sub, f"{where}{key}/")
            elif isinstance(value, list):
                dead.extend(f"{where}{v}" for v in value if isinstance(v, str) and v.lower() not in haystack)

        if name == "glossary":  # read as gloss._pattern reads it: whole words, plurals (subsidy → subsidies)
            joined = "\n".join(texts)
            for term in data["glossary"]:
                body = re.escape(term[:-1]) + "(?:y|ies)" if term.endswith("y") else re.escape(term)
                if not re.search(rf"(?<![A-Za-z])({body})(?:e?s)?(?![A-Za-z])", joined, re.IGNORECASE):
                    dead.append(f"glossary/{term}")
        else:
            walk(data, "")
        report[f"assistant/data/{name}.json"] = [{"dead": dead}] if dead else []
    return report


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    watch_re()
    sys.path.insert(0, str(ROOT))
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    cache = Path(argv[argv.index("--texts") + 1]) if "--texts" in argv else None
    if cache is not None and cache.exists():  # texts collected by an earlier run (same code!)
        texts = json.loads(cache.read_text(encoding="utf-8"))
    else:
        texts = collect_texts(log)
        if cache is not None:
            cache.write_text(json.dumps(texts), encoding="utf-8")
    log(f"{len(texts)} distinct texts")
    corpus = Corpus(texts)
    report = find_dead(corpus)
    words = dead_words(texts)
    for name, rows in report.items():
        for row in rows:
            print(f"{name}:{row['line']}: dead alternative {row['alternative']!r}"
                  + ("" if row["editable"] else "  (not editable: kept)"))
    for name, rows in words.items():
        for row in rows:
            print(f"{name}:{row.get('line', '')}: dead entries {row['dead']}")
    if "--json" in argv:
        out = argv[argv.index("--json") + 1]
        Path(out).write_text(json.dumps({"regex": report, "words": words, "texts": len(texts)}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    if "--apply" in argv:
        print(f"removed {apply(report)} alternatives")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
