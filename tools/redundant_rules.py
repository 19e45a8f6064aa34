"""Redundant rules of the answer layer: regex alternatives whose removal changes no match.

``python -m tools.redundant_rules --texts CACHE.json [--apply] [--json OUT] [--runtime]``

``--runtime`` (run with a fixed ``PYTHONHASHSEED``) records a full run first (as
``tools.dead_rules`` does, every string under the full pattern applied to it) and reads the
pieces of patterns built at run time (``re.escape(title) + r"…"``, ``_NEGATOR + …``): a removal
inside a piece is checked on every recorded pattern holding the piece (finditer, fullmatch and
``match`` at every position, on the strings that pattern was applied to; for a piece in at most
30 patterns also on the collected texts).

The texts are those of ``tools.dead_rules`` (collected once with ``python -m tools.dead_rules
--texts CACHE.json``, from the code as it was before any removal). For every regex literal of
``assistant/answering/*.py`` that is the *whole* pattern of an ``re.*`` call (a string constant
passed directly; pieces of concatenations and f-strings are not touched), each alternative at
every group level (outside lookarounds and conditionals, never the last one of a group) is
tried: the pattern is compiled without it (same flags) and compared with the current pattern
on every text where the alternative alone finds a match (on any other text the alternative can
never take part in a match, so removing it changes nothing there). Compared per text:

* ``[(m.span(), m.groups(), m.lastindex) for m in finditer(text)]`` — covers ``search``,
  ``match``, ``findall``, ``finditer``, ``sub``, ``split``;
* ``fullmatch(text)`` (span and groups).

``match(text, pos)`` (only ``negated`` in compose.py, a concatenation) is not compared, so
concatenations are left alone; so is a literal whose compiled pattern's ``.pattern`` is pasted
into another pattern (``PREAMBLE_WORDS``).

An alternative that does not compile alone (a back-reference) is kept. Removals are greedy, one
at a time, each checked against the pattern as already reduced (removals interact). Since every
pattern gives the same results on every text it sees, the run sees the same texts and gives the
same answers; prove it anyway with ``tools/answer_snapshot.py`` (before/after identical).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tools.dead_rules import ANSWERING, ROOT, _string_pieces, parse_groups, regex_literals


def _flags_exact(node) -> int | None:
    if node is None:
        return 0
    import ast
    try:
        return int(eval(compile(ast.Expression(node), "<flags>", "eval"), {"re": re}))  # noqa: S307 - our own source
    except Exception:  # noqa: BLE001
        return None


def _results(compiled, text: str):
    found = [(m.span(), m.groups(), m.lastindex) for m in compiled.finditer(text)]
    full = compiled.fullmatch(text)
    full = (full.span(), full.groups()) if full else None
    return found, full


class Texts:
    def __init__(self, texts: list[str]):
        self.texts = texts
        self._hits: dict[tuple[str, int], list[int] | None] = {}

    def hits(self, source: str, flags: int) -> list[int] | None:
        """Indices of texts where ``source`` alone finds a match; None if it does not compile."""
        key = (source, flags)
        if key not in self._hits:
            try:
                compiled = re.compile(source, flags)
            except re.error:
                self._hits[key] = None
            else:
                self._hits[key] = [i for i, t in enumerate(self.texts) if compiled.search(t)]
        return self._hits[key]


def candidates(pattern: str, root_alternatives: bool = True) -> list[tuple[int, int, int]]:
    """(start, end, pipe) of every removable alternative of the pattern, deepest groups first;
    without ``root_alternatives`` only those inside complete groups (a piece of a pattern)."""
    root = parse_groups(pattern)
    out = []

    def visit(group, depth):
        if group.kind in ("look", "cond", "comment"):
            return
        for child in group.children:
            visit(child, depth + 1)
        whole = group.end is not None or (root_alternatives and group.kind == "root")
        if len(group.alts) > 1 and whole and (root_alternatives or group.kind != "root"):
            for n, (s, e) in enumerate(group.alts):
                out.append((depth, s, e, s - 1 if n > 0 else e))

    visit(root, 0)
    # longer alternatives first within the same depth: the specific forms go before the general
    out.sort(key=lambda r: (-r[0], -(r[2] - r[1]), r[1]))
    return [(s, e, pipe) for _, s, e, pipe in out]


def reduce(pattern: str, flags: int, texts: Texts, allowed=None) -> tuple[str, list[tuple[int, int]], list[str]]:
    """The reduced pattern, the removed ranges (in original offsets) and the removed alternatives.
    ``allowed(first, last)`` (original offsets of a removal) may forbid a removal."""
    original_index = list(range(len(pattern)))  # current char -> original offset
    current = pattern
    removed_ranges, removed = [], []
    tried: set[tuple[int, int]] = set()  # original (start, end) already tried
    while True:
        progress = False
        for s, e, pipe in candidates(current):
            orig = lambda i: original_index[i] if i < len(original_index) else len(pattern)  # noqa: E731
            key = (orig(s), orig(e), current[s:e])
            if key in tried:
                continue
            tried.add(key)
            alternative = current[s:e]
            lo, hi = min(s, pipe), max(e, pipe + 1)
            if allowed is not None and not allowed(original_index[lo], original_index[hi - 1]):
                continue
            reduced = current[:lo] + current[hi:]
            try:
                new = re.compile(reduced, flags)
                old = re.compile(current, flags)
            except re.error:
                continue
            if new.groups != old.groups or new.groupindex != old.groupindex:
                continue
            hits = texts.hits(alternative, flags) if alternative else None
            if hits is None:
                continue
            if all(_results(old, texts.texts[i]) == _results(new, texts.texts[i]) for i in hits):
                removed_ranges.append((original_index[lo], original_index[hi - 1]))
                removed.append(alternative)
                del original_index[lo:hi]
                current = reduced
                progress = True
                break  # offsets changed: re-parse
        if not progress:
            return current, removed_ranges, removed


def find(texts: Texts, only: str | None = None, log=print) -> dict:
    import ast
    report = {}
    pasted = set()  # NAME of NAME.pattern pasted into another pattern
    for path in sorted(ANSWERING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "pattern" and isinstance(node.value, ast.Name):
                pasted.add(node.value.id)
    for path in sorted(ANSWERING.glob("*.py")):
        if only and only not in path.name:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.split("\n")
        rows = []
        tree = ast.parse(source)
        flag_of, skip = {}, set()
        for node in ast.walk(tree):
            if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in pasted and isinstance(node.value, ast.Call) and node.value.args):
                skip.add((node.value.args[0].lineno, node.value.args[0].col_offset))
        for node in ast.walk(tree):  # exact flags of each whole literal
            if (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
                attr = node.func.attr
                flag_node = None
                if attr == "compile" and len(node.args) > 1:
                    flag_node = node.args[1]
                elif attr in ("search", "match", "fullmatch", "findall", "finditer", "split") and len(node.args) > 2:
                    flag_node = node.args[2]
                elif attr in ("sub", "subn") and len(node.args) > 4:
                    flag_node = node.args[4]
                for keyword in node.keywords:
                    if keyword.arg == "flags":
                        flag_node = keyword.value
                flag_of[(node.args[0].lineno, node.args[0].col_offset)] = _flags_exact(flag_node)
        for node, _flags, whole in regex_literals(path):
            if whole is not True:
                continue
            flags = flag_of.get((node.lineno, node.col_offset))
            if flags is None or "|" not in node.value or (node.lineno, node.col_offset) in skip:
                continue
            if re.search(r"\(\?(?:[aiLmsux-]|>|P=)", node.value):  # inline flags, atomic groups, back-references
                continue
                continue
            positions = _string_pieces(lines, node)
            if not positions or None in positions or len(positions) != len(node.value):
                continue
            reduced, ranges, removed = reduce(node.value, flags, texts)
            if removed:
                cols = [positions[k] for a, b in ranges for k in range(a, b + 1)]
                rows.append({"line": node.lineno, "pattern": node.value, "reduced": reduced,
                             "removed": removed, "positions": cols})
                log(f"{path.name}:{node.lineno}: {removed}")
        rows.extend(_concatenations(path, tree, lines, flag_of, skip, texts, log))
        report[str(path.relative_to(ROOT))] = rows
    return report


def _concatenations(path, tree, lines, flag_of, skip, texts, log) -> list[dict]:
    """Patterns concatenated (``+``) from string constants and module-level string constants.
    Only the constants written in the call, and the named constants read once in the module
    (and imported nowhere), are edited; a removal must lie inside one of them."""
    import ast
    assigned, reads = {}, {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            assigned[node.targets[0].id] = node.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
    elsewhere = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.joinpath("assistant").rglob("*.py") if p != path)
    elsewhere += "\n".join(p.read_text(encoding="utf-8") for p in ROOT.joinpath("tests").glob("*.py"))
    rows = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and isinstance(node.args[0], ast.BinOp)):
            continue
        first = node.args[0]
        flags = flag_of.get((first.lineno, first.col_offset))
        leaves, ok = [], True

        def walk(n):
            nonlocal ok
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
                walk(n.left)
                walk(n.right)
            elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                leaves.append((n, True))
            elif isinstance(n, ast.Name) and n.id in assigned:
                editable = reads.get(n.id) == 1 and not re.search(rf"\b{n.id}\b", elsewhere)
                leaves.append((assigned[n.id], editable))
            else:
                ok = False

        walk(first)
        if not ok or flags is None or (first.lineno, first.col_offset) in skip:
            continue
        full = "".join(leaf.value for leaf, _ in leaves)
        if "|" not in full or re.search(r"\(\?(?:[aiLmsux-]|>|P=)", full):
            continue
        owner = []  # original offset -> (leaf number, index in the leaf)
        for k, (leaf, _) in enumerate(leaves):
            owner.extend((k, i) for i in range(len(leaf.value)))
        positions = [_string_pieces(lines, leaf) if editable else None for leaf, editable in leaves]

        def allowed(a, b):
            k = owner[a][0]
            return (owner[b][0] == k and positions[k] is not None and None not in positions[k]
                    and len(positions[k]) == len(leaves[k][0].value))

        try:
            reduced, ranges, removed = reduce(full, flags, texts, allowed)
        except (ValueError, IndexError):
            continue
        if removed:
            cols = [positions[owner[o][0]][owner[o][1]] for a, b in ranges for o in range(a, b + 1)]
            rows.append({"line": first.lineno, "pattern": full, "reduced": reduced, "removed": removed,
                         "positions": cols})
            log(f"{path.name}:{first.lineno} (concatenation): {removed}")
    return rows


def apply(report: dict) -> int:
    count = 0
    for name, rows in report.items():
        path = ROOT / name
        lines = path.read_text(encoding="utf-8").split("\n")
        drop: dict[int, set[int]] = {}
        for row in rows:
            for line, col in row["positions"]:
                drop.setdefault(line - 1, set()).add(col)
            count += len(row["removed"])
        for index, cols in drop.items():
            lines[index] = "".join(ch for k, ch in enumerate(lines[index]) if k not in cols)
        path.write_text("\n".join(lines), encoding="utf-8")
    return count


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--runtime" in argv:  # pieces of patterns built at run time (records a full run first)
        watch_patterns()
        sys.path.insert(0, str(ROOT))
        from tools.dead_rules import collect_texts
        collect_texts(lambda m: print(m, file=sys.stderr, flush=True))
        collected = Texts(json.loads(Path(argv[argv.index("--texts") + 1]).read_text(encoding="utf-8")))
        report = runtime_pieces(_BY_PATTERN, lambda m: print(m, file=sys.stderr, flush=True), collected)
        if "--json" in argv:
            Path(argv[argv.index("--json") + 1]).write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                                            encoding="utf-8")
        print(f"{sum(len(r['removed']) for rows in report.values() for r in rows)} redundant alternatives (run time)")
        if "--apply" in argv:
            print(f"removed {apply(report)} alternatives")
        return 0
    texts = Texts(json.loads(Path(argv[argv.index("--texts") + 1]).read_text(encoding="utf-8")))
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    report = find(texts, only, log=lambda m: print(m, file=sys.stderr, flush=True))
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                                        encoding="utf-8")
    print(f"{sum(len(r['removed']) for rows in report.values() for r in rows)} redundant alternatives")
    if "--apply" in argv:
        print(f"removed {apply(report)} alternatives")
    return 0



# ---------------------------------------------------------------- patterns built at run time

_BY_PATTERN: dict[tuple[str, int], set[str]] = {}


def watch_patterns() -> None:
    """Like ``dead_rules.watch_re``, but each string is recorded under the full pattern (source,
    flags) of the answering regex applied to it — patterns built at run time included."""
    from tools.dead_rules import watch_re

    def note(compiled, string):
        if isinstance(string, str) and isinstance(compiled.pattern, str):
            _BY_PATTERN.setdefault((compiled.pattern, compiled.flags), set()).add(string)

    watch_re(note)


def _at(compiled, text: str):
    """``match(text, pos)`` at every position (``negated.match(phrase, start)`` in compose.py)."""
    return [(pos, m.end(), m.groups()) for pos in range(len(text)) if (m := compiled.match(text, pos))]


def _piece_candidates(piece: str) -> list[tuple[int, int, int]]:
    """Removable alternatives of the complete groups inside a piece of a pattern."""
    from tools.dead_rules import _unbalanced

    return [] if _unbalanced(piece) else candidates(piece, root_alternatives=False)


def runtime_pieces(recorded: dict, texts_log=print, collected: Texts | None = None) -> dict:
    """Pieces of patterns built at run time: each removal inside a piece is checked on every
    recorded full pattern holding the piece, on the strings that pattern was applied to (and,
    where the piece is in at most 30 patterns, also on the ``collected`` texts where the
    alternative alone matches: finditer and fullmatch)."""
    from tools.dead_rules import _string_pieces
    report = {}
    patterns = {(p, f): sorted(t) for (p, f), t in recorded.items()}
    for path in sorted(ANSWERING.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.split("\n")
        rows = []
        for node, _flags, whole in regex_literals(path):
            if whole is True or "|" not in node.value:
                continue
            positions = _string_pieces(lines, node)
            if not positions or None in positions or len(positions) != len(node.value):
                continue
            piece = node.value
            users = [key for key in patterns if piece in key[0]]
            if not users:
                continue
            original_index = list(range(len(piece)))
            removed, ranges, tried = [], [], set()
            while True:
                progress = False
                for s, e, pipe in _piece_candidates(piece):
                    key = (original_index[s] if s < len(original_index) else -1, piece[s:e])
                    if key in tried:
                        continue
                    tried.add(key)
                    lo, hi = min(s, pipe), max(e, pipe + 1)
                    reduced = piece[:lo] + piece[hi:]
                    same = True
                    for (p, f) in users:
                        q = p.replace(piece, reduced)
                        try:
                            old, new = re.compile(p, f), re.compile(q, f)
                        except re.error:
                            same = False
                            break
                        if old.groups != new.groups or old.groupindex != new.groupindex or any(
                                _results(old, t) != _results(new, t) or _at(old, t) != _at(new, t)
                                for t in patterns[(p, f)]):
                            same = False
                            break
                        if collected is not None and len(users) <= 30:
                            hits = collected.hits(piece[s:e], f)
                            if hits is None or any(_results(old, collected.texts[i]) != _results(new, collected.texts[i])
                                                   for i in hits):
                                same = False
                                break
                    if same:
                        ranges.append((original_index[lo], original_index[hi - 1]))
                        removed.append(piece[s:e])
                        del original_index[lo:hi]
                        patterns = {((p.replace(piece, reduced), f) if (p, f) in users else (p, f)): t
                                    for (p, f), t in patterns.items()}
                        users = [(p.replace(piece, reduced), f) for p, f in users]
                        piece = reduced
                        progress = True
                        break
                if not progress:
                    break
            if removed:
                cols = [positions[k] for a, b in ranges for k in range(a, b + 1)]
                rows.append({"line": node.lineno, "pattern": node.value, "reduced": piece, "removed": removed,
                             "positions": cols, "users": len(users)})
                texts_log(f"{path.name}:{node.lineno} (run time, {len(users)} patterns): {removed}")
        report[str(path.relative_to(ROOT))] = rows
    return report


if __name__ == "__main__":
    raise SystemExit(main())
