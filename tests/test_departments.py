"""责任单位 parsing rules and department lookups by full name, short name and alias."""

from __future__ import annotations

import pytest

from assistant import lexicons
from assistant.ingest.departments import core_name, parse_departments
from assistant.errors import DepartmentNotFound


def test_prefix_distributes_over_list():
    assert parse_departments("（责任单位：自治区科技厅、工业和信息化厅、财政厅，各有关盟行政公署、市人民政府）"[1:-1]) == [
        "自治区科技厅", "自治区工业和信息化厅", "自治区财政厅", "各有关盟行政公署、市人民政府"]


def test_suffix_distributes_back_over_places():
    assert parse_departments("呼和浩特市、包头市、鄂尔多斯市人民政府") == [
        "呼和浩特市人民政府", "包头市人民政府", "鄂尔多斯市人民政府"]


@pytest.mark.parametrize("unit", ["自治区各有关委、办、厅、局", "各高新区管委会", "各有关盟行政公署、市人民政府"])
def test_collective_units_stay_whole(unit):
    assert parse_departments(f"自治区科技厅，{unit}") == ["自治区科技厅", unit]


@pytest.mark.parametrize("raw", ["责任单位:市科技局、财政局", "责任单位，市科技局、财政局", "市科技局、财政局"])
def test_half_width_colon_and_comma(raw):
    assert parse_departments(raw) == ["市科技局", "财政局"]


def test_names_with_own_jurisdiction_do_not_inherit():
    assert parse_departments("自治区地方金融监管局、财政厅，人民银行呼和浩特中心支行、内蒙古银保监局") == [
        "自治区地方金融监管局", "自治区财政厅", "人民银行呼和浩特中心支行", "内蒙古银保监局"]
    # 市场监管局 begins with 市 but is an organ of the 自治区 list it stands in.
    assert parse_departments("自治区科技厅、发展改革委、市场监管局")[-1] == "自治区市场监管局"


def test_empty_note():
    assert parse_departments("") == []


def test_core_name():
    assert core_name("自治区科技厅") == "科技厅"
    assert core_name("内蒙古税务局") == "内蒙古税务局"


@pytest.mark.parametrize(
    "alias,expected",
    [("发改委", "自治区发展改革委"), ("人社厅", "自治区人力资源社会保障厅"), ("工信厅", "自治区工业和信息化厅"),
     ("住建厅", "自治区住房城乡建设厅"), ("卫健委", "自治区卫生健康委"), ("文旅厅", "自治区文化和旅游厅"),
     ("外办", "自治区外事办"), ("金融局", "自治区地方金融监管局"), ("市场监管局", "自治区市场监管局"),
     ("税务局", "内蒙古税务局"), ("自治区科技厅", "自治区科技厅"), ("科技厅", "自治区科技厅"),
     ("Department of Commerce", "自治区商务厅"), ("银保监局", "内蒙古银保监局")],
)
def test_aliases_resolve(document, alias, expected):
    assert document.departments.resolve(alias) == [expected]


def test_every_alias_targets_a_known_core_or_is_harmless(document):
    cores = {core_name(n) for n in document.departments.names} | set(document.departments.names)
    unknown = {target for target in lexicons.aliases().values() if target not in cores}
    # Targets this document lacks must at least be plausible organ names (the lexicon is
    # general, for every jurisdiction's documents).
    assert all(t.endswith(("厅", "委", "局", "办", "中心", "会", "行", "府", "署", "部", "联", "协", "关", "部"))
               for t in unknown), sorted(unknown)


def test_department_index(document):
    index = document.departments
    names, clauses = index.clauses_for("商务厅")
    assert names == ["自治区商务厅"] and clauses == [14, 15, 16, 20]
    assert index.clauses_for("各高新区管委会")[1] == [6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]
    assert index.clauses_for("自治区各有关委、办、厅、局")[1] == [17, 18, 19, 21]
    assert index.clauses_for("科技厅")[1] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 22, 23]


def test_unknown_department_suggests_close_names(document):
    with pytest.raises(DepartmentNotFound) as info:
        document.departments.clauses_for("商务局厅")
    assert "自治区商务厅" in info.value.suggestions
    assert "商务局厅" in str(info.value)


def test_find_departments_in_question(document):
    index = document.departments
    assert index.find_in("发改委负责哪些工作？") == ["自治区发展改革委"]
    assert index.find_in("人力资源社会保障厅和教育厅要做什么") == ["自治区人力资源社会保障厅", "自治区教育厅"]
    assert index.find_in("孵化器建设归哪个部门管？") == []
