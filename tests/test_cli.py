"""The CLI through click's runner: output, JSON shape, exit codes and error messages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_help_lists_commands(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("clauses", "clause", "departments", "department", "doc"):
        assert command in result.output


def test_clauses_json(run):
    result = run("clauses", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 23
    row = rows[11]
    for key in ("doc_id", "clause", "label", "section", "title", "text", "departments", "departments_raw"):
        assert key in row
    assert (row["clause"], row["label"], row["title"]) == (12, "（十二）", "强化科技金融服务")
    assert "人民银行呼和浩特中心支行" in row["departments"]


@pytest.mark.parametrize("arg", ["12", "十二", "（十二）", "第十二条"])
def test_clause_by_number_forms(run, arg):
    result = run("clause", arg, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "强化科技金融服务"


@pytest.mark.parametrize("arg", ["0", "24", "-1", "abc"])
def test_clause_out_of_range(run, arg):
    result = run("clause", arg)
    assert result.exit_code == 1
    assert "1–23" in result.output
    assert "Traceback" not in result.output


def test_departments_json(run):
    rows = json.loads(run("departments", "--json").output)
    by_name = {r["department"]: r["clauses"] for r in rows}
    assert [c["clause"] for c in by_name["自治区外事办"]] == [16]
    assert by_name["自治区统计局"] == [{"doc_id": "neimenggu-gaoxinqu-2021", "clause": 23}]


def test_department_alias_and_unknown(run):
    result = run("department", "发改委", "--json")
    data = json.loads(result.output)
    assert data["departments"] == ["自治区发展改革委"]
    assert [c["clause"] for c in data["clauses"]] == [5, 6, 8, 11, 13, 14, 15, 20]
    unknown = run("department", "外交部")
    assert unknown.exit_code == 1
    assert "未找到部门“外交部”" in unknown.output and "您是否要找" in unknown.output


def test_doc(run):
    [data] = json.loads(run("doc", "--json").output)  # one object per document
    assert data["doc_number"] == "内政发〔2021〕13号"
    assert data["signed_date"] == "2021年10月15日"
    assert run("doc").output.splitlines()[1].startswith("标题：内蒙古自治区人民政府关于促进")


def test_missing_corpus_dir_is_a_clear_error(run, monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "nowhere"))
    result = run("clauses")
    assert result.exit_code == 1
    assert "语料目录不存在" in result.output


def test_clause_provisions_json(run):
    result = run("clause", "2", "--provisions", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["doc_id"], data["clause"]) == ("neimenggu-gaoxinqu-2021", 2)
    quantities = [q for p in data["provisions"] for q in p["quantities"]]
    five = next(q for q in quantities if q["text"] == "5家以上")
    assert (five["value"], five["unit"], five["comparator"], five["phrase"]) == (5, "家", ">=", "国家级高新区达到5家以上")
    assert {p["modality"] for p in data["provisions"]} >= {"goal"}
    assert "provisions" in json.loads(run("clause", "2", "--json").output)


def test_clause_provisions_text(run):
    output = run("clause", "22", "--provisions").output
    assert "严格控制高污染、高耗能、高排放企业入驻" in output and "情态：限制（严格控制）" in output
