"""The Python API: :class:`Assistant` ties corpus, model, indexes and answers together.

``Assistant.load()`` reads the corpus, loads the encoder (the real model unless one is
passed in — tests pass a fake) and loads the indexes, rebuilding them when missing or
stale. ``search`` returns ranked :class:`~assistant.retrieval.hybrid.Hit` records; ``ask``
returns a grounded :class:`~assistant.answering.compose.Answer`.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field, fields

from assistant.config import Settings
from assistant.retrieval.hybrid import FusionConfig, HybridRetriever

MAX_HITS = 50


@dataclass
class Assistant:
    settings: Settings
    corpus: object
    encoder: object
    index: object
    retriever: HybridRetriever
    load_seconds: float = 0.0
    # Held by every answer and by every swap of the corpus (upload, a CLI add/remove seen by
    # the app): an answer sees either the old corpus with the old indexes or the new with the new.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def load(cls, settings: Settings | None = None, *, encoder=None, rebuild: bool = True,
             progress: bool = False, log=None, config: FusionConfig | None = None) -> "Assistant":
        from assistant.ingest.corpus import load_corpus
        from assistant.retrieval.index import load_index

        started = time.perf_counter()
        settings = settings or Settings.from_env()
        corpus = load_corpus(settings.corpus_dir)
        if log:
            for problem in corpus.problems:
                log(f"跳过 {problem}")
        if encoder is None:
            from assistant.embedding.encoder import load_encoder

            encoder = load_encoder(settings)
        index = load_index(settings, corpus, encoder, rebuild=rebuild, progress=progress, log=log)
        retriever = HybridRetriever(index.documents, index.units, index.sparse, index.dense, encoder, config)
        return cls(settings, corpus, encoder, index, retriever, time.perf_counter() - started)

    def swap_from(self, fresh: "Assistant") -> None:
        """Become ``fresh`` (a newly loaded assistant) as one step under :attr:`lock`."""
        with self.lock:
            for f in fields(self):
                if f.name != "lock":
                    setattr(self, f.name, getattr(fresh, f.name))

    def reload(self) -> "Assistant":
        """Load the corpus and index as they now are on disk (keeping the encoder), then swap
        them in under the lock; the slow part runs outside it, so answers go on meanwhile."""
        fresh = type(self).load(self.settings, encoder=self.encoder)
        self.swap_from(fresh)
        return self

    def index_signature(self) -> str:
        """What the current index build is (its ``current`` link target): it changes when a
        build (``assistant add`` / ``remove`` / ``build``, an upload) completes."""
        try:
            return os.readlink(self.settings.index_dir / "current")
        except OSError:
            return ""

    @property
    def document(self):
        """The first document (single-document callers); see ``corpus`` for all of them."""
        return self.corpus.document()

    def search(self, question: str, k: int = 5, mode: str = "hybrid", timings: dict | None = None,
               doc_ids=None):
        from assistant.answering.questions import clean_question

        # Same cleaning as ``ask`` (control characters, lone surrogates, length cap), so no
        # caller can hand the encoder text it cannot encode or of unbounded length.
        if doc_ids:
            self.corpus.select(doc_ids)  # unknown ids: a clear error
        return self.retriever.search(clean_question(question).text, k=k, mode=mode, timings=timings,
                                     doc_ids=doc_ids)

    def ask(self, question: str, timings: dict | None = None, doc_ids=None):
        """A grounded :class:`~assistant.answering.records.Answer`; ``doc_ids`` restricts the
        documents answered from (default: the ones the question names, else all)."""
        from assistant.answering.analysis import analyze, normalize_numbers
        from assistant.answering.compose import compose_answer
        from assistant.answering.gloss import gloss
        from assistant.answering.intent import without_self_introduction
        from assistant.answering.questions import clean_question
        from assistant.answering.records import Answer
        from assistant.answering.routing import route
        from assistant.answering.typos import apply, lexicon_for
        from assistant.retrieval.tokenization import base_jieba, to_simplified

        cleaned = clean_question(question)
        if cleaned.error:
            return Answer(question=cleaned.text, answer=cleaned.error, refused=True, intent="invalid",
                          error=cleaned.error, direct=cleaned.error)
        if doc_ids:
            self.corpus.select(doc_ids)
        started = time.perf_counter()
        text = to_simplified(cleaned.text)
        tokenizer = self.retriever.sparse.tokenizer
        lexicon = lexicon_for(self.corpus, base_jieba())
        fixes = lexicon.correct(text)
        # Everyday words (高企) are read as the document's terms for the analysis and the quoted
        # phrase; the search keeps them (BM25 folds them already; the embedding knows them).
        folds = lexicon.everyday_words(apply(text, fixes), fixes)
        search_text = gloss(normalize_numbers(apply(text, fixes)))
        text = gloss(normalize_numbers(apply(apply(text, fixes), folds)))
        routed = route(text, self.corpus)
        analysis = analyze(text, self.corpus, doc_ids=list(doc_ids or routed.doc_ids))
        analysis.corrections = {**fixes, **folds}
        analysis.preferred = list(dict.fromkeys(list(analysis.doc_ids) + routed.leaning
                                                + [d.doc_id for d in self.corpus.documents]))
        if timings is not None:
            timings["analysis"] = timings.get("analysis", 0.0) + time.perf_counter() - started
        # Enough clauses to order eligibility answers and offer related ones; not the whole
        # corpus, which may have thousands.
        # "孵化器建设是财政厅负责吗": the department is the candidate answer, not the topic,
        # so it is left out of the retrieval query.
        query = _without_departments(search_text, analysis) if analysis.kind == "responsibility" else search_text
        query = _without_own_places(query, analysis, self.corpus)
        if analysis.asked in ("number", "date"):  # the asked number is about the question, not the asker
            query = without_self_introduction(query)
        if analysis.kind == "eligibility" and analysis.need:
            # Applicant and need: the need weighs twice, so its clause outranks the clauses
            # that merely name the applicant (searching the need alone loses who asks).
            query = f"{search_text} {analysis.need}"
        hits = self.retriever.search(query, k=min(len(self.corpus.clauses), MAX_HITS), timings=timings,
                                     doc_ids=analysis.doc_ids or None, leaning=routed.leaning, bonus=routed.bonus)
        started = time.perf_counter()
        answer = compose_answer(cleaned.text, analysis, hits, self.corpus, tokenizer(text))
        answer.notice = cleaned.notice
        if fixes or folds:
            note = "；".join(f"“{a}”按“{b}”理解" for a, b in {**fixes, **folds}.items())
            answer.notice = "；".join(n for n in (answer.notice, note) if n)
        if timings is not None:
            timings["compose"] = timings.get("compose", 0.0) + time.perf_counter() - started
        if self.settings.llm_url:  # optional LLM rephrasing, off unless ASSISTANT_LLM_URL is set
            from assistant.integrations.llm_rephrase import rephrase

            answer = rephrase(answer, self.settings, self.corpus, timings=timings)
        return answer

    def match(self, profile_text: str, doc_ids=None, *, types=(), city: str = "", zone: str = "", industries=()):
        """The support matcher (:mod:`assistant.matching`): every measure of the corpus that
        applies to the applicant ``profile_text`` describes, as a ``MatchOutcome``
        (``.to_dict()``: ``{"profile", "measures", "message"}``). The keyword selectors
        (types, city, zone, industries) override what the text says."""
        from assistant.matching.matcher import match_profile
        from assistant.matching.profile import parse_profile, with_selection

        if doc_ids:
            self.corpus.select(doc_ids)  # unknown ids: a clear error
        profile = with_selection(parse_profile(profile_text), types=types, city=city, zone=zone,
                                 industries=industries)
        return match_profile(profile, self.corpus.documents, doc_ids=list(doc_ids or []))

    def _match_answer(self, question: str, doc_ids=None):
        """An eligibility question that states a profile (我们是…，能享受什么), answered by the
        matcher as a numbered list with a citation per clause; None when it is not one."""
        from assistant.matching.chat import match_answer

        return match_answer(self, question, doc_ids)

    def chat(self, question: str, conversation=None, timings: dict | None = None):
        """Answer ``question`` as a turn of ``conversation``: (Answer, updated Conversation).

        A follow-up (这一条 / 下一条 / 那能源局呢 …) is rewritten into a standalone question
        first (:mod:`assistant.answering.conversation`); the answer says how it was understood.
        The conversation passed in is not modified.
        """
        from assistant.answering.records import Answer
        from assistant.answering.conversation import Conversation, resolve, update
        from assistant.answering.questions import clean_question

        conversation = conversation.copy() if conversation is not None else Conversation()
        cleaned = clean_question(question)
        if cleaned.error:
            return self.ask(question, timings=timings), conversation
        resolved = resolve(cleaned.text, conversation, self.corpus)
        if resolved.needs:
            answer = Answer(question=cleaned.text, answer=resolved.needs, refused=True, intent="followup",
                            notice=cleaned.notice)
        else:
            # A follow-up about a clause of one document is answered from that document.
            several = len(getattr(self.corpus, "documents", [])) > 1
            scope = conversation.doc_scope or ([resolved.doc_id] if resolved.doc_id and several else [])
            # 我们是…，能享受什么 (or a profile said earlier, put in front by ``resolve``): the matcher.
            answer = self._match_answer(resolved.text, scope) or self._ask_in(resolved.text, scope, timings)
            answer.question = cleaned.text
            answer.understood_as = resolved.understood_as
            if cleaned.notice and not answer.notice:
                answer.notice = cleaned.notice
        return answer, update(conversation, cleaned.text, resolved, answer, self.corpus)

    def _ask_in(self, question: str, doc_ids, timings):
        """``ask`` restricted to ``doc_ids`` when given and when ``ask`` supports it."""
        import inspect

        if doc_ids and "doc_ids" in inspect.signature(self.ask).parameters:
            return self.ask(question, timings=timings, doc_ids=list(doc_ids))
        return self.ask(question, timings=timings)


def _without_departments(text: str, analysis) -> str:
    from assistant.ingest.departments import core_name

    out = text
    for name in sorted(analysis.departments, key=len, reverse=True):
        out = out.replace(name, " ").replace(core_name(name), " ")
    return out if out.strip() else text


def _without_own_places(text: str, analysis, corpus) -> str:
    """The query without the place every searched document governs (内蒙古 in a question
    to an Inner Mongolia document): it names the documents' scope, not a topic, and would
    pull up the one clause that happens to spell it out (中国（内蒙古）自由贸易试验区)."""
    from assistant import lexicons
    from assistant.answering.places import jurisdiction

    documents = corpus.select(analysis.doc_ids) if analysis.doc_ids else list(corpus.documents)
    own = set.intersection(*(set(jurisdiction(d)) for d in documents)) if documents else set()
    named = [p for p in analysis.places if p in own]
    if not named:
        return text
    out = text
    forms = sorted({f for p in lexicons.places() if p.short in named for f in p.forms()}, key=len, reverse=True)
    for form in forms:
        out = re.sub(re.escape(form) + "(?:自治区)?", " ", out, flags=re.IGNORECASE)
    return out if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", out)) >= 4 else text

