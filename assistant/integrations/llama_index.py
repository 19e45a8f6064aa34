"""The assistant as llama-index components: a 公文-aware reader, a grounded retriever and a
query engine, for people who build RAG pipelines with llama-index.

* :class:`PolicyReader` — ``load_data(path)``: one ``Document`` per clause (and the
  preamble) of a policy file or of every policy file in a folder, through this project's
  loaders (PDF, Word, HTML, text) and 公文 parser.
* :class:`PolicyRetriever` — ``retrieve(query)``: ``NodeWithScore`` per clause, scored by
  the hybrid (BM25 + embedding) retriever.
* :class:`PolicyQueryEngine` — ``query(q)``: a ``Response`` whose text is the grounded
  answer and whose ``source_nodes`` are its citations.

Every node carries the metadata ``doc_id, doc_title, doc_number, clause, label, heading,
section, departments`` and has the stable id ``"{doc_id}:{clause}"`` (the preamble is
clause 0, labelled 前言). Only llama-index-core is needed; no LLM is involved unless
ASSISTANT_LLM_URL is set (see :mod:`assistant.integrations.llm_rephrase`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document as LlamaDocument
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

__all__ = ["PolicyReader", "PolicyRetriever", "PolicyQueryEngine", "clause_metadata", "node_id"]


def node_id(doc_id: str, clause: int) -> str:
    """The id every component gives a clause's node or document: ``doc_id:clause``."""
    return f"{doc_id}:{clause}"


def _section(doc, clause) -> str:
    """The section a clause stands in, as printed: ``四、激发企业创新发展活力``."""
    if clause.section is None:
        return ""
    match = next((s for s in doc.sections if s.number == clause.section), None)
    return f"{match.label}{match.title}" if match else clause.section_title


def clause_metadata(doc, clause) -> dict[str, Any]:
    """The metadata shared by reader documents, retrieved nodes and source nodes."""
    return {
        "doc_id": doc.doc_id,
        "doc_title": doc.meta.title,
        "doc_number": doc.meta.doc_number,
        "clause": clause.number,
        "label": clause.label,
        "heading": clause.heading if clause.number else "前言",
        "section": _section(doc, clause),
        "departments": list(clause.departments),
    }


# Keys that identify rather than describe: kept out of the text an embedding model sees.
_EMBED_EXCLUDED = ["doc_id", "clause", "label", "departments"]


def _parts(doc):
    """The preamble (part 0) when there is one, then every clause."""
    preamble = doc.preamble_part
    return ([preamble] if preamble is not None else []) + list(doc.clauses)


class PolicyReader(BaseReader):
    """Policy files → one llama-index ``Document`` per clause, plus the preamble.

    ``load_data(path)`` takes a file (.txt/.md/.pdf/.docx/.html) or a folder of them; a
    folder's unreadable files are skipped (``problems`` lists them), a single bad file
    raises :class:`~assistant.errors.CorpusError`.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def load_data(self, path, *args: Any, **load_kwargs: Any) -> list[LlamaDocument]:
        from assistant.ingest.corpus import load_corpus, load_document

        path = Path(path)
        if path.is_dir():
            corpus = load_corpus(path)
            self.problems = list(corpus.problems)
            documents = list(corpus.documents)
        else:
            self.problems = []
            documents = [load_document(path)]
        out: list[LlamaDocument] = []
        for doc in documents:
            for part in _parts(doc):
                out.append(LlamaDocument(
                    id_=node_id(doc.doc_id, part.number), text=part.text,
                    metadata=clause_metadata(doc, part) | {"file_path": doc.path},
                    excluded_embed_metadata_keys=_EMBED_EXCLUDED + ["file_path"],
                    excluded_llm_metadata_keys=["file_path"]))
        return out


def _clause_node(assistant, doc_id: str, clause_number: int) -> TextNode:
    doc = assistant.corpus.document(doc_id)
    clause = doc.clause(clause_number)
    return TextNode(id_=node_id(doc_id, clause_number), text=clause.text,
                    metadata=clause_metadata(doc, clause), excluded_embed_metadata_keys=list(_EMBED_EXCLUDED))


def _load_assistant(assistant):
    if assistant is not None:
        return assistant
    from assistant.qa import Assistant

    return Assistant.load()


class PolicyRetriever(BaseRetriever):
    """Clauses for a query, ranked by the assistant's hybrid retriever.

    ``assistant``: a loaded :class:`~assistant.qa.Assistant` (default: ``Assistant.load()``
    with the settings from the environment); ``k``: how many clauses; ``doc_ids``: restrict
    to these documents. Each node's text is the whole clause (including its 责任单位 note);
    ``metadata["sentences"]`` holds its best-matching sentences.
    """

    def __init__(self, assistant=None, k: int = 5, doc_ids=None, **kwargs: Any) -> None:
        if k < 1:
            raise ValueError("k must be at least 1")
        self.assistant = _load_assistant(assistant)
        self.k = k
        self.doc_ids = list(doc_ids) if doc_ids else None
        super().__init__(**kwargs)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.assistant.search(query_bundle.query_str, k=self.k, doc_ids=self.doc_ids)
        out = []
        for hit in hits:
            node = _clause_node(self.assistant, hit.doc_id, hit.clause)
            node.metadata["sentences"] = list(hit.sentences)
            node.excluded_embed_metadata_keys.append("sentences")
            node.excluded_llm_metadata_keys.append("sentences")
            out.append(NodeWithScore(node=node, score=float(hit.score)))
        return out


class PolicyQueryEngine(BaseQueryEngine):
    """Grounded answers as llama-index ``Response`` objects.

    ``response`` is the answer's Markdown (direct answer first, then the quoted evidence);
    ``source_nodes`` are its citations in order, each the whole clause with
    ``metadata["quote"]`` (the quoted spans joined with ……) and ``metadata["quotes"]``
    (each span with its offsets into the clause text); ``metadata`` carries ``refused``,
    ``analysis``, ``direct``, ``intent`` and ``notice``. Refusals have no source nodes.
    """

    def __init__(self, assistant=None, doc_ids=None, callback_manager=None) -> None:
        self.assistant = _load_assistant(assistant)
        self.doc_ids = list(doc_ids) if doc_ids else None
        super().__init__(callback_manager)

    def _get_prompt_modules(self) -> dict:
        return {}

    def _answer(self, question: str):
        return self.assistant.ask(question, doc_ids=self.doc_ids) if self.doc_ids else self.assistant.ask(question)

    def _query(self, query_bundle: QueryBundle) -> Response:
        answer = self._answer(query_bundle.query_str)
        nodes = []
        for citation in answer.citations:
            node = _clause_node(self.assistant, citation.doc_id, citation.clause)
            node.metadata["quote"] = citation.quote
            node.metadata["quotes"] = [{"text": q.text, "start": q.start, "end": q.end} for q in citation.quotes]
            node.excluded_embed_metadata_keys += ["quote", "quotes"]
            node.excluded_llm_metadata_keys.append("quotes")
            nodes.append(NodeWithScore(node=node, score=float(citation.score)))
        return Response(response=answer.answer, source_nodes=nodes,
                        metadata={"refused": answer.refused, "analysis": answer.analysis, "direct": answer.direct,
                                  "intent": answer.intent, "notice": answer.notice})

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self._query(query_bundle)

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """The clauses the answer would be drawn from (hybrid ranking, top 5)."""
        bundle = QueryBundle(query_bundle) if isinstance(query_bundle, str) else query_bundle
        return PolicyRetriever(self.assistant, k=5, doc_ids=self.doc_ids).retrieve(bundle)
