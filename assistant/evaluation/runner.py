"""Running the assistant on gold questions, once, and keeping what it said.

One pass per question: ``ask`` (the answer dict) and ``search`` per retrieval mode (the
ranked (doc_id, clause) list). Everything the metrics need is in the returned
:class:`QuestionRun` records, so scoring never calls the assistant again.

The multi-document run copies the corpus and ``eval/docs/*`` into a temporary folder and
loads a second :class:`~assistant.qa.Assistant` over it, with its index in a temporary
folder (never the repo's ``indexes/``) and the already loaded encoder.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.quotes import SourceTexts


@dataclass
class QuestionRun:
    qid: str
    answer: dict
    ranked: dict[str, list[tuple]] = field(default_factory=dict)  # mode -> [(doc_id, clause)]
    seconds: float = 0.0


def run_questions(assistant, gold, modes=("hybrid",), k: int = 5, progress=None) -> dict[str, QuestionRun]:
    """Ask and search every gold question. An exception on one question is recorded as that
    answer's ``error`` (and scored as a failure) instead of stopping the evaluation."""
    runs = {}
    for number, g in enumerate(gold, 1):
        started = time.perf_counter()
        try:
            answer = assistant.ask(g.question).to_dict()
        except Exception as exc:  # noqa: BLE001 - one crash is a failed question, not a lost run
            answer = {"question": g.question, "answer": "", "refused": False, "citations": [],
                      "error": f"{type(exc).__name__}: {exc}"}
        seconds = time.perf_counter() - started
        ranked = {}
        for mode in modes:
            try:
                ranked[mode] = [(h.doc_id, h.clause) for h in assistant.search(g.question, k=k, mode=mode)]
            except Exception:  # noqa: BLE001
                ranked[mode] = []
        runs[g.qid] = QuestionRun(g.qid, answer, ranked, seconds)
        if progress and number % 50 == 0:
            progress(f"{number}/{len(gold)}")
    return runs


def clause_text_lookup(corpus):
    """``(doc_id, clause) -> Clause.text`` for the offsets check (None when unknown)."""
    def lookup(doc_id, number):
        try:
            return corpus.document(doc_id).clause(number).text
        except Exception:  # noqa: BLE001 - an unknown clause is reported by the quote check
            return None
    return lookup


def source_texts(assistant, folders) -> SourceTexts:
    """Source files of ``folders``; the loaded documents' text only for non-text formats."""
    def fallback(doc_id):
        try:
            return assistant.corpus.document(doc_id).text
        except Exception:  # noqa: BLE001
            return None
    return SourceTexts(folders, fallback=fallback)


@contextmanager
def corpus_with_extra_docs(assistant, docs_dir: Path, log=None):
    """An Assistant over the corpus plus every file of ``docs_dir`` (temp corpus and index),
    or None when there are no extra documents."""
    extra = sorted(p for p in Path(docs_dir).glob("*") if p.is_file() and not p.name.startswith("."))
    if not extra:
        yield None, []
        return
    from assistant.qa import Assistant

    with tempfile.TemporaryDirectory(prefix="eval-multidoc-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        for path in sorted(Path(assistant.settings.corpus_dir).iterdir()) + extra:
            if path.is_file():
                shutil.copy2(path, corpus_dir / path.name)
        settings = assistant.settings.with_(corpus_dir=corpus_dir, index_dir=Path(tmp) / "indexes")
        yield Assistant.load(settings, encoder=assistant.encoder, log=log), extra
