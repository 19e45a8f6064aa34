"""The leak check: wording only the frozen test split uses must not be in code, tests or docs."""

from __future__ import annotations

import json
import subprocess

import pytest

from assistant.config import REPO_ROOT
from assistant.evaluation import leaks


def _row(qid, question):
    return json.dumps({"qid": qid, "question": question}, ensure_ascii=False)


@pytest.fixture
def tiny_repo(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "eval" / "gold").mkdir(parents=True)
    (tmp_path / "eval" / "docs").mkdir()
    (tmp_path / "corpus" / "doc.txt").write_text("科技企业孵化器建设。科技金融服务。", encoding="utf-8")
    (tmp_path / "eval" / "gold" / "seed_dev.jsonl").write_text(_row("seed-dev-0001", "孵化器归谁管？") + "\n",
                                                              encoding="utf-8")
    (tmp_path / "eval" / "gold" / "seed_test.jsonl").write_text(
        _row("seed-test-0001", "孵话器归谁管？") + "\n" + _row("seed-test-0002", "Who is in charge of incubators?")
        + "\n", encoding="utf-8")
    (tmp_path / "code.py").write_text("# 孵话器 is a typo\n# 孵化器归谁管 is a dev question\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("Ask: who is IN CHARGE of incubators\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def test_finds_distinctive_cjk_and_latin_strings_outside_the_splits(tiny_repo):
    found = leaks.find_leaks(tiny_repo)
    # 孵话器 (not in the documents nor in dev) leaks; 孵化器归谁管 is dev wording and does not;
    # the split file itself is never reported.
    assert ("code.py", 1, "孵话器", "seed-test-0001") in found
    assert not any(path == "code.py" and line == 2 for path, line, _, _ in found)
    assert not any(path.startswith("eval/gold/") for path, _, _, _ in found)
    assert any(path == "notes.md" and qid == "seed-test-0002" for path, _, _, qid in found)


def test_no_test_split_wording_in_code_tests_or_docs():
    found = leaks.find_leaks(REPO_ROOT)
    assert found == [], "\n".join(f"{p}:{n}: {s!r} ({q})" for p, n, s, q in found[:20])


def test_the_repaired_typos_are_gone():
    # The three homophone typos that had leaked (their test questions moved to dev).
    for path in leaks.scanned_files(REPO_ROOT):
        if path == "tests/test_leaks.py":
            continue
        text = (REPO_ROOT / path).read_text(encoding="utf-8", errors="replace")
        for typo in ("福化器", "科技今融", "人设厅"):
            assert typo not in text, (path, typo)
