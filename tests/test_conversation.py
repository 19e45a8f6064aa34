"""Conversations: follow-up rewriting, the Conversation record, sessions, the dialogue
scorer and the CLI's chat protocols — all on the fake encoder."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.answering.conversation import Conversation, resolve, update
from assistant.answering.sessions import NOTICE_MALFORMED, NOTICE_UNKNOWN, SessionStore, chat_turn
from assistant.evaluation.dialogues import check_turn, evaluate_dialogues
from assistant.ingest.records import ClauseRef

DOC = "neimenggu-gaoxinqu-2021"


def _conv(clause=None, departments=(), last="", intent="", profile=""):
    conv = Conversation(departments=list(departments), last_question=last, last_intent=intent, profile=profile)
    if clause:
        conv.clauses = [ClauseRef(DOC, clause)]
        conv.doc_ids = [DOC]
    return conv


# ------------------------------------------------------------------------------ resolve


@pytest.mark.parametrize("question, clause, expected", [
    ("这一条还支持什么？", 11, "第十一条还支持什么？"),
    ("该条的责任单位有哪些？", 9, "第九条的责任单位有哪些？"),
    ("它由哪些单位负责？", 12, "第十二条由哪些单位负责？"),
    ("这条呢？", 3, "第三条讲什么？"),
    ("再下一条呢？", 5, "第六条讲什么？"),
    ("下一条讲什么？", 11, "第十二条讲什么？"),
    ("上一条呢", 12, "第十一条讲什么？"),
    ("还有呢？", 7, "第七条讲什么？"),
])
def test_clause_references_become_clause_numbers(corpus, question, clause, expected):
    resolved = resolve(question, _conv(clause), corpus)
    assert resolved.text == expected and not resolved.needs
    assert resolved.understood_as.startswith("理解为：第（")


def test_understood_as_names_the_clause_heading(corpus):
    resolved = resolve("它的责任单位是谁？", _conv(12), corpus)
    assert resolved.understood_as == "理解为：第（十二）条 强化科技金融服务 的责任单位是谁？"


@pytest.mark.parametrize("question, conv, expected", [
    ("那能源局呢？", _conv(7, ["自治区人力资源社会保障厅"], "人社厅负责哪些？", "department"), "能源局负责哪些？"),
    ("那2035年呢？", _conv(2, [], "到2025年研发投入强度要达到多少？", "general"), "到2035年研发投入强度要达到多少？"),
    ("那自治区级的呢？", _conv(2, [], "国家级高新区研发投入强度要达到多少？", "general"),
     "自治区级高新区研发投入强度要达到多少？"),
    ("那初创企业呢？", _conv(12, [], "高新技术企业融资有什么支持？", "eligibility"), "初创企业融资有什么支持？"),
    ("那能源局呢？", Conversation(), "能源局负责哪些工作？"),
])
def test_ellipsis_keeps_the_question_and_replaces_the_changed_part(corpus, question, conv, expected):
    resolved = resolve(question, conv, corpus)
    assert resolved.text == expected
    assert resolved.understood_as == "理解为：" + expected


def test_department_reference(corpus):
    resolved = resolve("这个部门还负责什么？", _conv(16, ["自治区外事办"], "外事办负责什么？", "department"), corpus)
    assert resolved.text == "自治区外事办还负责什么？"


@pytest.mark.parametrize("question, needs", [
    ("这一条的责任单位是谁？", "请先说明是哪一条"),
    ("下一条呢？", "请先说明是哪一条"),
    ("这个部门负责哪些？", "请先说明是哪个部门"),
    ("那2035年呢？", "请先说明要问的内容"),
])
def test_follow_up_with_nothing_to_refer_to_says_what_it_needs(corpus, question, needs):
    assert resolve(question, Conversation(), corpus).needs.startswith(needs)


def test_no_clause_after_the_last(corpus):
    resolved = resolve("下一条呢？", _conv(23), corpus)
    assert "已是本文件最后一条" in resolved.needs and "第（二十三）条" in resolved.needs


@pytest.mark.parametrize("question", ["文件的文号是什么？", "人才公寓有什么规定？", "第二十条呢？",
                                      "那个人住房公积金怎么提取？", "孵化器建设归哪个部门管？"])
def test_standalone_questions_are_not_rewritten(corpus, question):
    resolved = resolve(question, _conv(12, ["自治区地方金融监管局"], "第十二条讲什么？", "clause",
                                       profile="我们公司是高新技术企业"), corpus)
    assert resolved.text == question and resolved.understood_as == "" and not resolved.needs


def test_profile_is_remembered_and_used_for_eligibility_questions(corpus):
    conv = Conversation()
    stated = resolve("我们公司是做新材料的高新技术企业。", conv, corpus)
    assert stated.profile == "我们公司是做新材料的高新技术企业"
    assert "可以享受哪些支持" in stated.text
    conv.profile = stated.profile
    later = resolve("我们能享受哪些政策支持？", conv, corpus)
    assert later.text.startswith("我们公司是做新材料的高新技术企业，") and "按您前面说的情况" in later.understood_as
    assert resolve("孵化器建设归哪个部门管？", conv, corpus).text == "孵化器建设归哪个部门管？"


# ------------------------------------------------------------------------------ the record


def test_conversation_round_trips_through_json_and_stays_bounded(corpus):
    conv = Conversation(max_turns=3)

    class FakeAnswer:
        intent, refused, error = "clause", False, ""
        citations = []

    for i in range(10):
        update(conv, f"问题{i}", resolve(f"第{i + 1}条讲什么？", conv, corpus), FakeAnswer(), corpus)
    assert len(conv.turns) == 3 and conv.turns[-1]["question"] == "问题9"
    conv.clauses = [ClauseRef(DOC, 4)]
    again = Conversation.from_dict(json.loads(json.dumps(conv.to_dict())))
    assert again == conv and isinstance(again.clauses[0], ClauseRef)
    for bad in (None, [], {"clauses": [["x"]]}, {"clauses": [[DOC, "not a number"]]}):
        with pytest.raises(ValueError):
            Conversation.from_dict(bad)


# ------------------------------------------------------------------------------ Assistant.chat


def test_chat_two_turns(fake_assistant):
    first, conv = fake_assistant.chat("第五条讲什么？")
    assert [c.clause for c in first.citations] == [5] and first.understood_as == ""
    second, conv2 = fake_assistant.chat("再下一条呢？", conv)
    assert [c.clause for c in second.citations] == [6]
    assert second.question == "再下一条呢？"
    assert second.understood_as == "理解为：第（六）条 强化创新平台建设 讲什么？"
    assert len(conv.turns) == 1 and len(conv2.turns) == 2  # the conversation passed in is not changed
    assert conv2.clauses == [ClauseRef(DOC, 6)]


def test_chat_follow_up_without_context_is_a_refusal_saying_what_is_needed(fake_assistant):
    answer, conv = fake_assistant.chat("这一条的责任单位是谁？")
    assert answer.refused and answer.intent == "followup" and answer.answer.startswith("请先说明是哪一条")
    assert not answer.citations and len(conv.turns) == 1


def test_chat_refusal_does_not_move_the_focus(fake_assistant):
    _, conv = fake_assistant.chat("第十二条讲什么？")
    answer, conv = fake_assistant.chat("今天呼和浩特天气怎么样？", conv)
    assert answer.refused
    nxt, _ = fake_assistant.chat("下一条呢？", conv)
    assert [c.clause for c in nxt.citations] == [13]


# ------------------------------------------------------------------------------ sessions


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_sessions_lru_ttl_and_bad_ids():
    clock = Clock()
    store = SessionStore(max_sessions=2, ttl_seconds=10, clock=clock)
    sid, conv, notice = store.open(None)
    assert notice == "" and conv.empty
    conv.profile = "我们是银行"
    store.save(sid, conv)
    assert store.open(sid)[1].profile == "我们是银行" and store.open(sid)[0] == sid
    for bad in ("../../etc/passwd", "x" * 65, {"a": 1}, 3.5, "含中文"):
        new_id, new_conv, notice = store.open(bad)
        assert notice == NOTICE_MALFORMED and new_conv.empty and new_id != bad
    assert store.open("never-seen")[2] == NOTICE_UNKNOWN
    store.save("b", Conversation())
    store.save("c", Conversation())  # evicts the least recently used (sid)
    assert len(store) == 2 and store.open(sid)[2] == NOTICE_UNKNOWN
    clock.now = 11
    assert len(store) == 0
    new_id, _, notice = store.open("b")
    assert notice and new_id != "b"


def test_cli_sessions_adopt_client_ids(fake_assistant):
    store = SessionStore(adopt_unknown=True)
    first = chat_turn(fake_assistant, store, "第五条讲什么？", "s1")
    second = chat_turn(fake_assistant, store, "下一条呢？", "s1")
    other = chat_turn(fake_assistant, store, "下一条呢？", "s2")
    assert (first.session, second.session, other.session) == ("s1", "s1", "s2") and not first.notice
    assert [c.clause for c in second.citations] == [6]
    assert other.refused and other.answer.startswith("请先说明")


def test_long_conversation_stays_bounded(fake_assistant):
    store = SessionStore(adopt_unknown=True)
    for _ in range(60):
        chat_turn(fake_assistant, store, "第一条讲什么？", "long")
    assert len(store.open("long")[1].turns) <= Conversation().max_turns


# ------------------------------------------------------------------------------ scoring


def test_check_turn_catches_each_kind_of_mistake():
    answer = {"answer": "第（二）条 …2035年…", "refused": False,
              "citations": [{"doc_id": DOC, "clause": 2, "departments": ["自治区科技厅"]}]}
    assert check_turn(answer, {"clauses": [2], "facts": ["2035"], "refused": False}) == []
    assert check_turn(answer, {"clauses": [3]})
    assert check_turn(answer, {"facts": ["1.5%"]})
    assert check_turn(answer, {"refused": True})
    assert check_turn(answer, {"departments": ["自治区能源局"]})
    assert check_turn(answer, {"clauses": [2], "doc_id": "other"})


def test_evaluate_dialogues_scores_the_last_turn(fake_assistant, tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [
        {"id": "ok", "category": "next", "turns": [{"question": "第五条讲什么？"},
                                                   {"question": "下一条呢？", "expect": {"clauses": [6]}}]},
        {"id": "must-fail", "category": "next", "turns": [{"question": "第五条讲什么？"},
                                                          {"question": "下一条呢？", "expect": {"clauses": [9]}}]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    details = []
    metrics = evaluate_dialogues(fake_assistant, path, details)
    assert metrics["dialogues"] == 2 and metrics["last_turn_accuracy"] == 0.5
    assert [d["ok"] for d in details] == [True, False]


def test_dialogue_files_are_well_formed():
    from assistant.config import REPO_ROOT
    from assistant.evaluation.dialogues import load_dialogues

    dev = load_dialogues(REPO_ROOT / "eval" / "dialogues" / "dev.jsonl")
    test = load_dialogues(REPO_ROOT / "eval" / "dialogues" / "test.jsonl")
    assert len(dev) >= 40 and len(test) >= 24
    assert not {d["id"] for d in dev} & {d["id"] for d in test}
    assert not {tuple(t["question"] for t in d["turns"]) for d in dev} & {
        tuple(t["question"] for t in d["turns"]) for d in test}


# ------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli_run(fake_assistant, monkeypatch):
    import assistant.cli as cli_module

    monkeypatch.setattr(cli_module, "_load_assistant", lambda quiet=False: fake_assistant)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(cli_module.cli, list(args), input=input, catch_exceptions=False)


def test_ask_json_lines_with_sessions(cli_run):
    lines = [{"session": "a", "question": "第五条讲什么？"}, {"session": "b", "question": "第十二条讲什么？"},
             {"session": "a", "question": "下一条呢？"}, {"session": "b", "question": "上一条呢？"}]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n第五条讲什么？\n下一条呢？\n"
    result = cli_run("ask", "--json", "-", input=stdin)
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["session"] for o in out[:4]] == ["a", "b", "a", "b"]
    assert [[c["clause"] for c in o["citations"]] for o in out[2:4]] == [[6], [11]]
    assert out[2]["understood_as"].startswith("理解为：第（六）条")
    assert out[4]["session"] == "" and out[5]["session"] == ""  # plain lines stay independent
    assert out[5]["intent"] != "clause" or [c["clause"] for c in out[5]["citations"]] != [6]


def test_ask_json_line_without_question_is_an_error_for_that_line(cli_run):
    result = cli_run("ask", "--json", "-", input='{"session": "a"}\n第五条讲什么？\n')
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0]["error"] and out[1]["citations"][0]["clause"] == 5
    assert result.exit_code == 1


def test_chat_command(cli_run):
    result = cli_run("chat", input="第五条讲什么？\n下一条呢？\n/json\n上一条呢？\n/new\n下一条呢？\n/doc nope\n/quit\n")
    assert "理解为：第（六）条 强化创新平台建设 讲什么？" in result.output
    json_lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert json_lines[0]["citations"][0]["clause"] == 5
    assert json_lines[1]["answer"].startswith("请先说明是哪一条")  # after /new nothing to refer to
    assert "没有文档 nope" in result.output


def test_several_documents_name_the_document(tmp_path):
    import shutil

    from assistant.config import REPO_ROOT
    from assistant.ingest.corpus import load_corpus

    source = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
    shutil.copy(source, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text(source.read_text(encoding="utf-8").replace("13 号", "14 号"), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.documents) == 2
    second = corpus.documents[1]
    conv = Conversation(clauses=[ClauseRef(second.doc_id, 5)], doc_ids=[second.doc_id])
    resolved = resolve("下一条呢？", conv, corpus)
    assert resolved.text == f"《{second.meta.title}》第六条讲什么？" and resolved.doc_id == second.doc_id
    resolved = resolve("这一条由谁负责？", conv, corpus)
    assert resolved.text.startswith(f"《{second.meta.title}》第五条") and resolved.doc_id == second.doc_id


def test_a_topicless_turn_with_a_demonstrative_points_at_the_clause_in_focus(corpus):
    """这件事归哪几个部门 carries no words of the documents' own: it is about the clause in focus;
    a topicless turn opening with 那 (a switch) and a turn with a topic of its own are not rewritten."""
    from assistant.answering.conversation import Conversation, resolve
    from assistant.ingest.records import ClauseRef

    conv = Conversation(clauses=[ClauseRef(corpus.documents[0].doc_id, 11)])
    resolved = resolve("这件事归哪几个部门？", conv, corpus)
    assert resolved.text.startswith("第十一条") and "（十一）" in resolved.understood_as
    assert resolve("那明天会下雨吗？", conv, corpus).text == "那明天会下雨吗？"
    assert resolve("这个孵化器建设归谁管？", conv, corpus).text == "这个孵化器建设归谁管？"
