"""Three verdicts (是 / 否 / 文件未明确): the evidence model and the 否 detectors that decide first."""

from __future__ import annotations

import pytest

from assistant.answering import verdicts
from assistant.answering.verdicts import Evidence, claim_core, decide, evidence


def test_claim_core_is_the_asked_part_grown_back_to_content():
    known = {"高新", "新区", "搬进", "进高", "注销", "简易"}.__contains__
    # Context first, the ask last: the claim is the last part, grown back until it has content.
    assert claim_core("我们是一家化工厂，员工两百人，想整体搬进高新区，按这个文件能进吗", known) == \
        "想整体搬进高新区，按这个文件能进吗"
    assert claim_core("高新区能走简易注销吗？", known) == "高新区能走简易注销吗"
    assert claim_core("", known) == ""


def _evidence(**changes) -> Evidence:
    base = dict(sentence_coverage=1.0, clause_coverage=1.0, unknown_nouns=0, unknown_words=0, missing_nouns=0,
                missing_entities=0, score=0.6)
    return Evidence(**{**base, **changes})


def test_fitted_model_says_stated_only_on_strong_evidence():
    covered = verdicts.probability(_evidence())
    unknown = verdicts.probability(_evidence(sentence_coverage=0.3, clause_coverage=0.3, unknown_nouns=2,
                                             unknown_words=2, missing_entities=2))
    assert covered > unknown
    assert decide(covered) == "stated"
    assert decide(unknown) == "undecided"


def test_evidence_counts_unknown_content_and_missing_entities():
    frequency = {"质押": 1, "融资": 2, "贴息": 0, "政府": 3}.get
    found = evidence("质押融资政府会给贴息吗", "支持开展知识产权质押融资业务。", ["支持开展知识产权质押融资业务。"],
                     lambda g: frequency(g, 0), 23, "支持开展知识产权质押融资业务。政府", 0.5, ["财政厅"])
    assert found.unknown_words >= 1  # 贴息: no document uses it
    assert found.missing_entities == 1  # 财政厅 is not in the sentence
    assert found.sentence_coverage > 0.5


@pytest.fixture()
def bot(fake_assistant):
    return fake_assistant


def _direct(bot, question: str) -> str:
    return bot.ask(question).direct


def test_exclusive_claim_denied_by_an_enumeration(bot):
    # 只/仅/必须 with a place or a level the text names among others is 否, with that phrase.
    assert _direct(bot, "文件重点支持的科技企业孵化器仅限国家级的吗？").startswith("否")
    assert _direct(bot, "人才飞地必须建在北京吗？").startswith("否")


def test_question_stating_the_exception_itself_is_not_denied_by_it(bot):
    direct = _direct(bot, "高新区管委会里面，公务员之外的人是不是都实行聘任制？")
    assert not direct.startswith("否")


def test_unknown_content_is_never_a_yes(bot):
    answer = bot.ask("高新区里的企业用电是不是能享受电价优惠？")
    assert not answer.direct.startswith("是")
    assert answer.analysis["verdict"]["decision"] == "undecided"
    assert answer.direct.startswith("文件未明确") and not answer.refused  # with what the clause does say


def test_an_item_of_another_list_in_the_clause_is_not_on_the_asked_list(bot):
    # Clause 13 lists each zone's industry clusters: 石油化工 is 金山's, not 包头's.
    assert _direct(bot, "包头稀土高新区的重点产业里有没有石油化工？").startswith("否")
    assert not _direct(bot, "金山高新区的重点产业里有没有石油化工？").startswith("否")
