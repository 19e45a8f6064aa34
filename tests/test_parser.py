"""The real document, parsed: structure, titles, departments and metadata, checked
against tables verified by hand against the printed text."""

from __future__ import annotations

import pytest

from assistant.ingest.normalize import clean_line, compact
from assistant.ingest.markers import cn_to_int
from assistant.ingest.parser import split_sentences

P, G = "各有关盟行政公署、市人民政府", "各高新区管委会"
W = "自治区各有关委、办、厅、局"

# clause: (title, departments) — read off the document by hand, prefixes distributed.
EXPECTED = {
    1: ("指导思想", []),
    2: ("发展目标", []),
    3: ("推动国家级高新区提质进位", ["自治区科技厅", "自治区工业和信息化厅", "自治区财政厅", "自治区自然资源厅", P,
                                 "各有关国家高新区和自治区高新区管委会"]),
    4: ("优化自治区高新区布局", ["自治区科技厅", "自治区工业和信息化厅", "自治区财政厅", "自治区自然资源厅",
                              "自治区生态环境厅", P, "各有关高新区管委会"]),
    5: ("创建呼包鄂国家自主创新示范区", ["自治区科技厅", "自治区发展改革委", "自治区工业和信息化厅", "自治区自然资源厅",
                                    "自治区生态环境厅", "呼和浩特市人民政府", "包头市人民政府", "鄂尔多斯市人民政府",
                                    "呼和浩特金山国家级高新区管委会", "包头国家级稀土高新区管委会",
                                    "鄂尔多斯国家级高新区管委会"]),
    6: ("强化创新平台建设", [G, "自治区科技厅", "自治区发展改革委", "自治区工业和信息化厅", "自治区教育厅", "自治区大数据中心"]),
    7: ("吸引和培育创新人才", ["自治区人力资源社会保障厅", "自治区教育厅", "自治区公安厅", "自治区住房城乡建设厅",
                            "自治区卫生健康委", "自治区科技厅", P, G]),
    8: ("加强产业关键核心技术攻关", [G, "自治区科技厅", "自治区发展改革委", "自治区工业和信息化厅", "自治区能源局", "自治区教育厅"]),
    9: ("加速科技成果转移转化", ["自治区科技厅", "自治区教育厅", "自治区人力资源社会保障厅", G]),
    10: ("支持高成长企业梯次化发展", ["自治区科技厅", "自治区财政厅", "内蒙古税务局", G]),
    11: ("加强对科技创新创业的服务支持", ["自治区科技厅", "自治区发展改革委", "自治区市场监管局"]),
    12: ("强化科技金融服务", ["自治区地方金融监管局", "自治区财政厅", "自治区科技厅", "人民银行呼和浩特中心支行",
                          "内蒙古银保监局", "内蒙古证监局"]),
    13: ("做强特色主导产业集群", [P, G, "自治区工业和信息化厅", "自治区科技厅", "自治区发展改革委", "自治区能源局", "自治区大数据中心"]),
    14: ("加快培育新经济业态", ["自治区工业和信息化厅", "自治区科技厅", "自治区发展改革委", "自治区农牧厅", "自治区能源局",
                            "自治区商务厅", "自治区交通运输厅", "自治区文化和旅游厅", "自治区大数据中心", G]),
    15: ("推动创新资源跨区域对接", ["自治区科技厅", "自治区发展改革委", "自治区商务厅", "自治区大数据中心", P, G]),
    16: ("深入推进对外开放合作", ["自治区商务厅", "自治区科技厅", "自治区外事办", P, G]),
    17: ("给予高新区充分放权", [P, W, G]),
    18: ("优化机构人员设置", [P, G, W]),
    19: ("鼓励市场化运营", [P, G, W]),
    20: ("深化放管服改革", ["自治区发展改革委", "自治区市场监管局", "自治区科技厅", "自治区住房城乡建设厅", "自治区自然资源厅",
                        "自治区商务厅", "自治区政务服务局", P, G]),
    21: ("加强组织领导", [P, W, G]),
    22: ("深化高新区绿色生态园区建设", [P, "自治区自然资源厅", "自治区生态环境厅", "自治区住房城乡建设厅", "自治区科技厅", G]),
    23: ("强化高新区动态管理", ["自治区科技厅", "自治区工业和信息化厅", "自治区财政厅", "自治区统计局", P, G]),
}

SECTIONS = ["总体要求", "提升高新区发展能级", "强化高新区创新能力", "激发企业创新发展活力", "推进产业迈向中高端",
            "推动跨区域合作创新", "深化高新区体制机制改革", "加强高新区组织管理"]


def test_sections(document):
    assert [s.title for s in document.sections] == SECTIONS
    assert [s.label for s in document.sections] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    assert [n for s in document.sections for n in s.clauses] == list(range(1, 24))
    assert document.sections[3].clauses == [10, 11, 12]


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_clause_title_and_departments(document, number):
    clause = document.clause(number)
    title, departments = EXPECTED[number]
    assert clause.title == title
    assert clause.departments == departments
    assert clause.number == number


def test_labels_and_headings(document):
    assert [c.label for c in document.clauses][:3] == ["（一）", "（二）", "（三）"]
    assert document.clause(23).label == "（二十三）"
    assert document.clause(12).heading == "第（十二）条 强化科技金融服务"


def test_metadata(document):
    meta = document.meta
    assert meta.title == "内蒙古自治区人民政府关于促进高新技术产业开发区高质量发展的实施意见"
    assert meta.doc_number == "内政发〔2021〕13号"
    assert meta.addressees == "各盟行政公署、市人民政府，自治区各委、办、厅、局，各大企业、事业单位"
    assert meta.issuer == "内蒙古自治区人民政府"
    assert meta.signed_date == "2021年10月15日"
    assert meta.printing_office == "内蒙古自治区人民政府办公厅文电处"
    assert meta.printed_date == "2021年10月28日"
    assert meta.publication == "此件公开发布"
    assert meta.copy_to.startswith("自治区党委各部门，内蒙古军区")
    assert meta.copy_to.endswith("各人民团体，新闻单位。")


def test_pdf_debris_repaired(document):
    text = document.text
    assert "到2025年" in text and "2.5%以上" in text and "45%以上" in text and "5家以上" in text
    assert "5G网络全覆盖" in text
    # Nothing the PDF broke survives: no spaces next to Chinese, no line break mid-clause.
    assert " 2025" not in text and "13 号" not in text
    clause = document.clause(13)
    assert "\n" not in clause.text
    assert "中国（内蒙古）自由贸易试验区" in document.clause(3).text


def test_every_quote_source_is_verbatim(document, corpus):
    raw = open(corpus.documents[0].path, encoding="utf-8").read()
    for clause in document.clauses:
        assert clause.text in document.text
        assert clause.body in clause.text
        for sentence in clause.sentences:
            assert sentence in clause.text
        # The normalised clause is the original with only whitespace removed.
        assert compact(clause.text) in compact(raw)


def test_departments_raw_is_kept(document):
    assert document.clause(12).departments_raw.startswith("自治区地方金融监管局、财政厅、科技厅，人民银行")
    assert document.clause(1).departments_raw == ""


def test_sentences_split_outside_brackets():
    text = "支持高新区发展（以下简称“高新区。”）。加强管理；提高效率！"
    assert split_sentences(text) == ["支持高新区发展（以下简称“高新区。”）。", "加强管理；", "提高效率！"]


def test_document_sentences_of_targets(document):
    sentences = document.clause(2).sentences
    assert sentences[0] == "发展目标。"
    assert sentences[2] == "国家级高新区达到5家以上，自治区级高新区实现盟市全覆盖；"


@pytest.mark.parametrize("text,value", [("一", 1), ("十", 10), ("十二", 12), ("二十三", 23), ("一百零五", 105), ("7", 7)])
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


def test_clean_line():
    assert clean_line("  到 2025年，达到 2.5%以上 ") == "到2025年，达到2.5%以上"
    assert clean_line("各高新区管委会, 自治区") == "各高新区管委会,自治区"
    assert clean_line("EmbeddingGemma model 300m") == "EmbeddingGemma model 300m"
