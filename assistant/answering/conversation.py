"""Conversations: follow-up questions resolved by rewriting them into standalone ones.

A :class:`Conversation` is plain data (``to_dict``/``from_dict`` round-trip through JSON):
the last few turns and the *focus* — the documents, clauses (:class:`ClauseRef`) and
departments the last answer was about, the last standalone question and the applicant
profile the user stated ("我们公司是做新材料的高新技术企业").

:func:`resolve` turns a follow-up into a question the ordinary ``ask`` pipeline answers on
its own, and says how it understood it:

* references — 这一条/该条/它 → 第N条, 这个部门 → the department's name;
* 下一条/上一条 → 第N±1条;
* ellipsis — "那能源局呢" / "那自治区级的呢" / "那2035年呢" → the previous question with the
  changed part replaced;
* a profile said earlier is put in front of later eligibility questions.

A question that names its own subject has no cue and is left as it is, so a change of
topic is never contaminated by the previous turn. When a follow-up has nothing to refer
to, :attr:`Resolved.needs` says what is missing. The cue lists live in
``assistant/data/followups.json``; nothing here knows particular questions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from assistant.ingest.markers import clause_references, int_to_cn
from assistant.ingest.records import ClauseRef

MAX_TURNS = 20  # turns kept per conversation; older ones are dropped
MAX_FOCUS_CLAUSES = 8
MAX_PROFILE_CHARS = 120


@lru_cache(maxsize=1)
def cues() -> dict:
    """The cue lists (``followups.json``, read through :mod:`assistant.lexicons`), compiled once."""
    from assistant import lexicons

    data = lexicons.load("followups")
    compiled = dict(data)
    for key in ("next_clause", "previous_clause", "clause_reference", "department_reference", "more", "ellipsis",
                "years", "profile", "eligibility"):
        compiled[key] = re.compile(data[key])
    compiled["levels_re"] = re.compile("|".join(map(re.escape, sorted(data["levels"], key=len, reverse=True))))
    return compiled


@dataclass
class Conversation:
    """What a chat remembers between turns; JSON-serialisable via ``to_dict``."""

    turns: list[dict] = field(default_factory=list)  # {question, resolved, understood_as, intent, refused, clauses}
    doc_ids: list[str] = field(default_factory=list)  # documents of the clauses in focus
    doc_scope: list[str] = field(default_factory=list)  # documents the user pinned (/doc): answers come from these
    clauses: list[ClauseRef] = field(default_factory=list)  # first = the clause "这一条" means
    departments: list[str] = field(default_factory=list)  # first = the department "这个部门" means
    profile: str = ""  # the applicant as the user described it
    last_question: str = ""  # the last turn as a standalone question (for ellipsis)
    last_intent: str = ""
    max_turns: int = MAX_TURNS

    def to_dict(self) -> dict:
        data = asdict(self)
        data["clauses"] = [list(ref) for ref in self.clauses]
        return data

    @classmethod
    def from_dict(cls, data) -> "Conversation":
        """Rebuild from ``to_dict``; raises ValueError on anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("conversation must be an object")
        try:
            conv = cls(
                turns=[dict(t) for t in data.get("turns", []) if isinstance(t, dict)],
                doc_ids=[str(d) for d in data.get("doc_ids", [])],
                doc_scope=[str(d) for d in data.get("doc_scope", [])],
                clauses=[ClauseRef(str(d), int(n)) for d, n in data.get("clauses", [])],
                departments=[str(d) for d in data.get("departments", [])],
                profile=str(data.get("profile", ""))[:MAX_PROFILE_CHARS],
                last_question=str(data.get("last_question", "")),
                last_intent=str(data.get("last_intent", "")),
                max_turns=max(1, min(int(data.get("max_turns", MAX_TURNS)), 200)),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"malformed conversation: {exc}") from None
        conv.turns = conv.turns[-conv.max_turns:]
        return conv

    def copy(self) -> "Conversation":
        return Conversation.from_dict(self.to_dict())

    @property
    def empty(self) -> bool:
        return not (self.turns or self.profile or self.clauses or self.departments)


@dataclass
class Resolved:
    text: str  # the standalone question to answer
    understood_as: str = ""  # "理解为：…" when the question was rewritten, else ""
    needs: str = ""  # non-empty: the follow-up cannot be answered; this says what is missing
    profile: str = ""  # a profile stated in this question, to remember
    doc_id: str | None = None  # the document the rewritten question is about, if known


# --------------------------------------------------------------------------- resolving


def _clause_name(number: int) -> str:
    return f"第{int_to_cn(number)}条"


def _document(corpus, doc_id):
    try:
        return corpus.document(doc_id)
    except Exception:  # noqa: BLE001 - a focus on a document since removed: treat as no focus
        return None


def _clause_words(corpus, ref: ClauseRef) -> tuple[str, str] | None:
    """(text for the pipeline, text for the user) naming clause ``ref``; None if it is gone."""
    doc = _document(corpus, ref.doc_id)
    if doc is None or not any(c.number == ref.clause for c in doc.clauses):
        return None
    heading = doc.clause(ref.clause).heading
    name = _clause_name(ref.clause)
    if len(getattr(corpus, "documents", [])) > 1:  # several documents: say which one
        title = doc.meta.title or doc.doc_id
        return f"《{title}》{name}", f"《{title}》{heading} "
    return name, heading + " "  # the space ends the title before the rest of the question


def _find_departments(corpus, conversation, text: str) -> list[str]:
    names: list[str] = []
    for doc in getattr(corpus, "documents", []):
        names += [n for n in doc.departments.find_in(text) if n not in names]
    return names


def _surface_of(corpus, text: str, names: list[str]) -> str | None:
    """The longest substring of ``text`` that names one of ``names``."""
    for doc in getattr(corpus, "documents", []):
        forms = doc.departments.surface_forms()
        for form in sorted(forms, key=len, reverse=True):
            if len(form) >= 2 and form in text and any(n in names for n in forms[form]):
                return form
    return None


def _finish(text: str) -> str:
    text = re.sub(r"\s+(?=[？?。！，,])", "", text.strip())
    return text if text.endswith(("？", "?", "。", "！")) else text + "？"


def resolve(question: str, conversation: Conversation | None, corpus) -> Resolved:
    """The standalone form of ``question`` given ``conversation``; see the module docstring."""
    from assistant.answering.intent import find_applicants
    from assistant.retrieval.tokenization import to_simplified

    conv = conversation or Conversation()
    c = cues()
    original = (question or "").strip()
    text = to_simplified(original)
    profile = _profile_in(text)

    # A question that names its clause explicitly is standalone ("第二十条呢？").
    if clause_references(text):
        return Resolved(original, profile=profile)

    # 下一条 / 上一条
    step = 1 if c["next_clause"].search(text) else -1 if c["previous_clause"].search(text) else 0
    if step:
        if not conv.clauses:
            return Resolved(original, needs=c["needs"]["clause"])
        ref = conv.clauses[0]
        doc = _document(corpus, ref.doc_id)
        if doc is None:
            return Resolved(original, needs=c["needs"]["clause"])
        target = ref.clause + step
        if not any(cl.number == target for cl in doc.clauses):
            key = "last_clause" if step > 0 else "first_clause"
            return Resolved(original, needs=c["needs"][key].format(heading=doc.clause(ref.clause).heading))
        words = _clause_words(corpus, ClauseRef(ref.doc_id, target))
        pattern = c["next_clause"] if step > 0 else c["previous_clause"]
        machine = pattern.sub(words[0], text, count=1)
        shown = pattern.sub(words[1], text, count=1)
        if _bare(machine, words[0]):
            machine, shown = c["templates"]["clause"].format(x=words[0]), c["templates"]["clause"].format(x=words[1])
        return Resolved(_finish(machine), "理解为：" + _finish(shown), doc_id=ref.doc_id)

    machine, shown, changed = text, text, False

    # 这个部门 → the department in focus
    if c["department_reference"].search(machine):
        if not conv.departments:
            return Resolved(original, needs=c["needs"]["department"])
        name = conv.departments[0]
        machine = c["department_reference"].sub(name, machine)
        shown = c["department_reference"].sub(name, shown)
        changed = True

    # 这一条 / 该条 / 它 → the clause in focus ("它" after a department answer means the department)
    reference = _clause_reference(machine)
    if reference and reference.group(0) != "它" and _describes(machine[:reference.start()], corpus):
        # 呼包鄂自创区那条讲的啥: the words just before 那条 name the clause by its topic — a
        # description to search for, not a pointer to the clause in focus.
        return Resolved(original, profile=profile)
    if reference:
        if conv.last_intent == "department" and conv.departments and reference.group(0) == "它":
            name = conv.departments[0]
            machine, shown = machine.replace("它", name), shown.replace("它", name)
            changed = True
        elif not conv.clauses:
            return Resolved(original, needs=c["needs"]["clause"])
        else:
            words = _clause_words(corpus, conv.clauses[0])
            if words is None:
                return Resolved(original, needs=c["needs"]["clause"])
            machine = _sub_reference(machine, words[0])
            shown = _sub_reference(shown, words[1])
            changed = True
            if _bare(machine, words[0]):
                machine, shown = (c["templates"]["clause"].format(x=words[0]),
                                  c["templates"]["clause"].format(x=words[1]))

    if changed:
        return Resolved(_finish(machine), "理解为：" + _finish(shown), profile=profile,
                        doc_id=conv.clauses[0].doc_id if conv.clauses else None)

    # 还有呢 / 具体说说 → the clause in focus in full
    if c["more"].match(text):
        if not conv.clauses:
            return Resolved(original, needs=c["needs"]["clause"])
        words = _clause_words(corpus, conv.clauses[0])
        if words is None:
            return Resolved(original, needs=c["needs"]["clause"])
        return Resolved(c["templates"]["clause_more"].format(x=words[0]),
                        "理解为：" + c["templates"]["clause_more"].format(x=words[1]), doc_id=conv.clauses[0].doc_id)

    # 那能源局呢 / 那自治区级的呢 / 那2035年呢
    ellipsis = c["ellipsis"].match(text)
    if ellipsis and not profile:
        return _ellipsis(ellipsis.group("x").strip(), text, conv, corpus, find_applicants)

    # A profile: remember it; a bare statement of it is asked as "what can we get?"
    if profile:
        if _is_statement(text, profile):
            rewritten = c["templates"]["profile_only"].format(x=profile)
            return Resolved(rewritten, "理解为：" + rewritten, profile=profile)
        return Resolved(original, profile=profile)
    if conv.profile and not find_applicants(text) and c["eligibility"].search(text) and not _find_departments(
            corpus, conv, text):
        rewritten = f"{conv.profile}，{text.rstrip('？?')}？"
        return Resolved(rewritten, f"理解为：{rewritten}（按您前面说的情况）")
    # 这事有哪些单位一起负责 / 这个是哪条: a demonstrative and no topic of its own (none of the
    # documents' distinctive words): it points at the clause in focus.
    if conv.clauses and _DEMONSTRATIVE.search(text) and not _has_topic(text, corpus):
        words = _clause_words(corpus, conv.clauses[0])
        if words is not None:
            return Resolved(_finish(f"{words[0]} {text}"), "理解为：" + _finish(f"{words[1]} {text}"), profile=profile,
                            doc_id=conv.clauses[0].doc_id)
    return Resolved(original)


# Chinese near demonstratives and pronouns (这/它/该/此): a closed class of the language, not a list of
# phrasings. 那 is left out: a turn opening with 那 (“那养老保险怎么交”) switches topic as often as not.
_DEMONSTRATIVE = re.compile(r"[这它该此]")


def _has_topic(text: str, corpus) -> bool:
    """Does ``text`` carry a topic of its own: two or more bigrams that some, but not most,
    clauses of the corpus contain?"""
    from assistant.answering.spans import bigrams, clause_frequency

    frequency, clauses = clause_frequency(corpus.documents)
    return sum(1 for g in bigrams(text) if 0 < frequency(g) <= 0.5 * clauses) >= 2


def _describes(before: str, corpus) -> bool:
    """Do the characters just before a clause reference (人才|那条, 放管服改革|那条) hold a
    word some, but not most, clauses contain: a topic naming the clause, not a verb (也是|这条)?"""
    from assistant.answering.spans import bigrams, clause_frequency

    if len(before) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]{2}", before[-2:]):
        return False
    frequency, clauses = clause_frequency(corpus.documents)
    return any(0 < frequency(g) <= 0.5 * clauses for g in bigrams(before[-4:]))


def _clause_reference(text: str):
    for match in cues()["clause_reference"].finditer(text):
        if match.group(0) == "它" and match.start() > 0 and text[match.start() - 1] in cues()["pronoun_not_after"]:
            continue
        return match
    return None


def _sub_reference(text: str, words: str) -> str:
    match = _clause_reference(text)
    return text if match is None else text[:match.start()] + words + text[match.end():]


def _bare(text: str, words: str) -> bool:
    """True when nothing but the clause name (and 呢/再/是什么) is left: ask for the clause."""
    rest = text.replace(words, "")
    return not re.sub(r"[再那呢吗么？?。.!！\s]|是什么|是啥|讲的?什么|内容", "", rest)


def _profile_in(text: str) -> str:
    """The sentence in which the user describes themselves as an applicant type, if any."""
    from assistant.answering.intent import find_applicants

    for sentence in re.split(r"[，,。！!？?；;]", text):
        if cues()["profile"].search(sentence) and find_applicants(sentence):
            return sentence.strip()[:MAX_PROFILE_CHARS]
    return ""


def _is_statement(text: str, profile: str) -> bool:
    """Only the profile was said (no question of its own)."""
    rest = re.sub(r"[，,。！!？?；;\s]", "", text.replace(profile, ""))
    return len(rest) <= 8 and not re.search(r"吗|么|什么|哪|怎|谁|多少|几", rest)


def _ellipsis(x: str, text: str, conv: Conversation, corpus, find_applicants) -> Resolved:
    c = cues()
    templates = c["templates"]
    previous = conv.last_question
    named = _find_departments(corpus, conv, x)
    if named:
        if previous:
            before = _surface_of(corpus, previous, conv.departments) or _surface_of(
                corpus, previous, _find_departments(corpus, conv, previous))
            if before:
                rewritten = previous.replace(before, x, 1)
                return Resolved(_finish(rewritten), "理解为：" + _finish(rewritten))
        rewritten = templates["department"].format(x=x)
        return Resolved(rewritten, "理解为：" + rewritten)
    if not previous:
        return Resolved(text, needs=c["needs"]["topic"])
    for pattern in (c["years"], c["levels_re"]):
        new = pattern.search(x)
        if new:
            old = pattern.search(previous)
            value = new.group(0) if pattern is c["levels_re"] or new.group(0).endswith("年") else new.group(0) + "年"
            rewritten = (previous[:old.start()] + value + previous[old.end():]) if old else f"{value}{previous}"
            return Resolved(_finish(rewritten), "理解为：" + _finish(rewritten))
    # 那鄂尔多斯呢 after 呼和浩特金山高新区重点打造哪些产业集群: the new place (with its zone, when
    # the previous question named one) takes the old one's place.
    from assistant.answering.places import places_named

    if places_named(x):
        for old in places_named(previous):
            span = re.search(re.escape(old) + r"[\u4e00-\u9fff]{0,6}?高新区", previous) or re.search(re.escape(old), previous)
            if span:
                rewritten = previous[:span.start()] + x.rstrip("的") + previous[span.end():]
                return Resolved(_finish(rewritten), "理解为：" + _finish(rewritten))
    applicants = find_applicants(x)
    if applicants:
        from assistant import lexicons

        for key in find_applicants(previous):
            for form in sorted(lexicons.applicants()[key]["forms"], key=len, reverse=True):
                if form in previous:
                    rewritten = previous.replace(form, x, 1)
                    return Resolved(_finish(rewritten), "理解为：" + _finish(rewritten))
        rewritten = templates["eligibility"].format(x=x)
        return Resolved(rewritten, "理解为：" + rewritten)
    template = templates.get(conv.last_intent) or templates["general"]
    if conv.last_intent == "department":
        template = templates["general"]
    rewritten = template.format(x=x)
    return Resolved(rewritten, "理解为：" + rewritten)


# --------------------------------------------------------------------------- remembering


def update(conversation: Conversation, question: str, resolved: Resolved, answer, corpus=None) -> Conversation:
    """Record the turn and move the focus to what ``answer`` was about (in place; returned)."""
    conv = conversation
    citations = list(getattr(answer, "citations", None) or [])
    refs = [ClauseRef(str(getattr(ci, "doc_id", "")), int(getattr(ci, "clause", 0))) for ci in citations]
    conv.turns.append({"question": str(question)[:500], "resolved": resolved.text[:600],
                       "understood_as": resolved.understood_as[:600], "intent": getattr(answer, "intent", ""),
                       "refused": bool(getattr(answer, "refused", False)), "clauses": [list(r) for r in refs]})
    del conv.turns[:-conv.max_turns]
    if resolved.profile:
        conv.profile = resolved.profile
    if resolved.needs or getattr(answer, "error", ""):
        return conv  # nothing was answered: keep the focus for the next try
    conv.last_question = resolved.text[:600]
    conv.last_intent = getattr(answer, "intent", "")
    if getattr(answer, "refused", False):
        return conv  # an off-topic question does not move the focus away from the document
    if refs:
        conv.clauses = list(dict.fromkeys(refs))[:MAX_FOCUS_CLAUSES]
        conv.doc_ids = list(dict.fromkeys(r.doc_id for r in conv.clauses))
    named = _find_departments(corpus, conv, resolved.text) if corpus is not None else []
    if named:
        conv.departments = named[:MAX_FOCUS_CLAUSES]
    elif citations and getattr(citations[0], "departments", None):
        conv.departments = list(citations[0].departments)[:MAX_FOCUS_CLAUSES]
    return conv
