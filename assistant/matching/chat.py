"""The matcher in the chat: an eligibility question that states who asks (我们是…，能享受什么 /
可以申请哪些) is answered with the measures that apply, as a numbered list, each with its
clause and departments, and a citation card per clause (the quotes are the matched sentences)."""

from __future__ import annotations

import re

from assistant import lexicons


def is_match_question(text: str) -> bool:
    """An eligibility question asking what applies in general, not about one need."""
    from assistant.answering.intent import need_of
    from assistant.matching.profile import parse_profile

    cues = lexicons.matching()["eligibility_cues"]
    if not any(c in text for c in cues) or not re.search(r"我们|我是|我司|本公司|本单位|我单位|咱们|我想|我在", text):
        return False
    if re.search(r"第[一二三四五六七八九十\d]+条|哪个部门|归谁|谁负责|多少|什么时候|截止|材料", text):
        return False
    need = need_of(text) or ""
    need = re.sub(r"[，,。？?！!\s]|能享受|可以享受|可以申请|能申请|哪些|什么|政策|支持|扶持|补贴|奖励|优惠|有|的|吗|呢|我们|可以|能|那|还|再|也|另外|都|申请", "", need)
    if len(need) > 1:  # 想贷款扩大生产 / 融资方面: a need of its own, answered by ``ask``
        return False
    return not parse_profile(text).empty


def match_answer(assistant, question: str, doc_ids=None):
    from assistant.answering.records import Answer, Citation, Quote

    if not is_match_question(question):
        return None
    outcome = assistant.match(question, doc_ids=doc_ids or None)
    # The measures naming the applicant's own kind first (外资企业 → 跨国企业…), then the
    # ones for any enterprise; the document and clause order otherwise.
    outcome.results = sorted(outcome.results, key=lambda r: -r.specific)
    citations = []
    for r in outcome.results:
        document = assistant.corpus.select([r.doc_id])[0]
        quotes = [Quote(**q) for q in r.quotes]
        citations.append(Citation(
            doc_id=r.doc_id, doc_title=r.doc_title, clause=r.clause, label=r.label,
            title=document.clause(r.clause).title, quote="……".join(q.text for q in quotes),
            departments=r.departments, score=1.0, heading=r.heading, sentences=[q.text for q in quotes],
            quotes=quotes, doc_number=document.meta.doc_number, section=document.clause(r.clause).section_title))
    lines = [outcome.message, ""]
    for n, r in enumerate(outcome.results, 1):
        gives = "；".join(dict.fromkeys(r.gives))
        lines.append(f"{n}. 《{r.doc_title}》{r.heading}：{gives}（联系部门：{'、'.join(r.departments) or '未列明'}）")
        open_conditions = [c for c in r.conditions if c.status != "met"]
        if open_conditions:
            lines.append("   条件：" + "；".join(f"{c.text}（{c.label()}）" for c in open_conditions[:4]))
    direct = outcome.message
    answer = Answer(question=question, answer="\n".join(lines).strip(), refused=outcome.empty,
                    intent="eligibility", citations=citations, direct=direct,
                    analysis={"kind": "eligibility", "matcher": True, "profile": outcome.profile.to_dict()})
    answer.notice = outcome.profile.understood
    return answer
