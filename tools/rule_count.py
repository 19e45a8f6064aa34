"""The rule budget: how many question-reading rules the answer layer holds.

``python -m tools.rule_count [--json]`` prints, for ``assistant/answering/`` (every module)
and the lexicon files those modules load:

* ``regex_alternatives`` — every alternative of every regular expression written in the
  code: a group (or the whole pattern) with k ``|`` holds k+1 alternatives, a pattern with
  no ``|`` counts 1. A pattern is a string literal passed to ``re.*`` or bound to a name
  that is; f-strings count their literal parts.
* ``word_list_entries`` — string entries of tuple/list/set/dict literals with two or more
  strings (word lists written in code), plus the entries of the question lexicons in
  ``assistant/data/`` that answering reads (``followups``, ``glossary``, ``applicants``,
  ``synonyms``).
* ``branches`` — ``if``/``elif`` statements and conditional expressions.

The document side's grammar (``assistant/ingest/provisions.py``) is counted apart, under
``document_side``, so it can be kept small too. The number to hold down is ``total``
(alternatives + word-list entries of the question side).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION_SIDE = [ROOT / "assistant" / "answering"]
DOCUMENT_SIDE = [ROOT / "assistant" / "ingest" / "provisions.py"]
# The data files the answer layer reads questions with (lexicons.py is their one reader).
QUESTION_LEXICONS = ("followups", "glossary", "applicants", "synonyms")
_RE_FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}


def structure(pattern: str):
    """The regex source's structural characters — ``(``, ``)``, ``|`` outside escapes and
    character classes — as they come (shared with ``tools.dead_rules``)."""
    escaped, in_class = False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()|":
            yield char


def alternatives(pattern: str) -> int:
    """Alternatives in a regex source: per group level, k pipes are k+1 alternatives."""
    stack, total = [0], 0
    for char in structure(pattern):
        if char == "(":
            stack.append(0)
        elif char == ")" and len(stack) > 1:
            pipes = stack.pop()
            total += pipes + 1 if pipes else 0
        elif char == "|":
            stack[-1] += 1
    total += stack[0] + 1 if stack[0] else 0
    return max(total, 1)


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return (left or "") + (right or "") if left is not None or right is not None else None
    return None


def _strings(node) -> list[str]:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [v for v in (_literal(e) for e in node.elts) if v is not None]
    if isinstance(node, ast.Dict):
        return [v for v in (_literal(k) for k in node.keys if k is not None) if v is not None]
    return []


def count_module(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            text = _literal(node.value)
            if text is not None:
                named[node.targets[0].id] = text
    patterns: dict[int, str] = {}
    used_names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _RE_FUNCS and isinstance(func.value, ast.Name) and func.value.id == "re":
            first = node.args[0]
            text = _literal(first)
            if text is not None:
                patterns[id(first)] = text
            for sub in ast.walk(first):  # names concatenated into the pattern
                if isinstance(sub, ast.Name) and sub.id in named:
                    used_names.add(sub.id)
    for name in used_names:
        patterns[hash(name)] = named[name]
    regex = sum(alternatives(p) for p in patterns.values())
    words = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            found = _strings(node)
            if len(found) >= 2:
                words += len(found)
    branches = sum(isinstance(n, (ast.If, ast.IfExp)) for n in ast.walk(tree))
    return {"regexes": len(patterns), "regex_alternatives": regex, "word_list_entries": words, "branches": branches}


def _lexicon_entries(name: str) -> int:
    data = json.loads((ROOT / "assistant" / "data" / f"{name}.json").read_text(encoding="utf-8"))

    def count(value) -> int:
        if isinstance(value, dict):
            return sum(1 + count(v) if not isinstance(v, (dict, list)) else count(v) for k, v in value.items()
                       if not k.startswith("_"))
        if isinstance(value, list):
            return sum(count(v) if isinstance(v, (dict, list)) else 1 for v in value)
        return 0

    return count({k: v for k, v in data.items() if not k.startswith("_")})


def _files(roots) -> list[Path]:
    out = []
    for root in roots:
        out.extend(sorted(root.rglob("*.py")) if root.is_dir() else ([root] if root.exists() else []))
    return out


def rule_count() -> dict:
    """The flat figures printed by the script (``total`` is the budgeted number)."""
    modules = {str(p.relative_to(ROOT)): count_module(p) for p in _files(QUESTION_SIDE)}
    lexicons = {name: _lexicon_entries(name) for name in QUESTION_LEXICONS}
    sums = {key: sum(m[key] for m in modules.values()) for key in ("regexes", "regex_alternatives",
                                                                    "word_list_entries", "branches")}
    sums["word_list_entries"] += sum(lexicons.values())
    document = {str(p.relative_to(ROOT)): count_module(p) for p in _files(DOCUMENT_SIDE)}
    return {**sums, "total": sums["regex_alternatives"] + sums["word_list_entries"],
            "lexicons": lexicons, "modules": modules,
            "document_side": {"regex_alternatives": sum(m["regex_alternatives"] for m in document.values()),
                              "word_list_entries": sum(m["word_list_entries"] for m in document.values())}}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    result = rule_count()
    if "--json" in argv:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for name, figures in sorted(result["modules"].items(), key=lambda kv: -kv[1]["regex_alternatives"]):
        print(f"{name:45s} alternatives {figures['regex_alternatives']:5d}  words {figures['word_list_entries']:5d}"
              f"  branches {figures['branches']:4d}")
    for name, entries in result["lexicons"].items():
        print(f"assistant/data/{name}.json{'':<{24 - len(name)}} words {entries:5d}")
    print(f"regex alternatives {result['regex_alternatives']}, word-list entries {result['word_list_entries']}, "
          f"branches {result['branches']}; total {result['total']}")
    doc = result["document_side"]
    print(f"document side (provisions): alternatives {doc['regex_alternatives']}, words {doc['word_list_entries']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
