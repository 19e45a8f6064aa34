"""The ``assistant`` command: a thin click layer over the library.

Every command prints readable Chinese text by default and one JSON document with
``--json``. Errors the user can fix (:class:`~assistant.errors.AssistantError`) become one
line on stderr and a non-zero exit code, never a traceback; set ``ASSISTANT_DEBUG=1`` to
see tracebacks of unexpected errors.
"""

from __future__ import annotations

import json
import os
import sys

import click

from assistant.config import Settings
from assistant.errors import AssistantError, ClauseNotFound


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=None))


class _Group(click.Group):
    """Turns expected errors into one-line messages and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as exc:
            click.echo(f"错误: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `assistant clauses | head`: the reader left; not an error
            sys.stderr.close()
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - last line of defence for the user
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            click.echo(f"内部错误: {type(exc).__name__}: {exc} (ASSISTANT_DEBUG=1 shows details)", err=True)
            ctx.exit(2)


def _settings() -> Settings:
    return Settings.from_env()


def _corpus():
    from assistant.ingest.corpus import load_corpus

    corpus = load_corpus(_settings().corpus_dir)
    for problem in corpus.problems:
        click.echo(f"警告: 跳过 {problem}", err=True)
    return corpus


def parse_clause_number(value: str, count: int | None = None) -> int:
    """``12``, ``十二``, ``（十二）``, ``第十二条`` → 12; anything else is a clear error."""
    from assistant.ingest.markers import cn_to_int

    text = (value or "").strip().strip("（）()第条")
    try:
        number = cn_to_int(text) if text and not text.lstrip("-").isdigit() else int(text)
    except ValueError:
        raise ClauseNotFound(f"“{value}”不是条款编号；请输入数字，如 12 或 十二。") from None
    if number < 1 or (count is not None and number > count):
        raise ClauseNotFound(f"没有第{number}条" + (f"；共有 {count} 条，编号为 1–{count}。" if count else "。"))
    return number


_DOC_OPTION = click.option("--doc", "doc_ids", multiple=True, metavar="ID",
                           help="Only this document (repeatable); see `assistant docs`.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-assistant")
def cli():
    """政策文件问答助手 — grounded answers from Chinese policy documents, offline."""


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def docs(as_json):
    """Every document of the corpus: doc_id, title, 文号, issuer, dates, clauses, file, format."""
    corpus = _corpus()
    rows = [d.summary() for d in corpus.documents]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['doc_id']}  {row['doc_number'] or '（无文号）'}  《{row['title']}》\n"
                   f"    {row['issuer']}  成文 {row['signed_date'] or '—'}  印发 {row['printed_date'] or '—'}  "
                   f"{row['clauses']} 条  {row['format']}  {row['file']}")


@cli.command()
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array (one object per document).")
@click.option("--system", is_flag=True, help="Instead: CPU, its flags, the embedding backend and dtype.")
def doc(doc_ids, as_json, system):
    """Each document's metadata (文号, 发文机关, 成文日期 …) and outline; --system: this machine's set-up."""
    from dataclasses import asdict

    from assistant.ingest.records import META_FIELDS

    if system:
        return _system_report(as_json)
    documents = _corpus().select(doc_ids)
    if as_json:
        emit_json([{"doc_id": d.doc_id, **asdict(d.meta), "sections": [asdict(s) for s in d.sections],
                    "clauses": len(d.clauses)} for d in documents])
        return
    for document in documents:
        click.echo(f"[{document.doc_id}]")
        for key, label in META_FIELDS.items():
            click.echo(f"{label}：{getattr(document.meta, key) or '（文件未载明）'}")
        click.echo("结构：")
        for section in document.sections:
            numbers = "、".join(document.clause(n).label for n in section.clauses)
            click.echo(f"  {section.label}{section.title}  {numbers}")
        click.echo()


def _system_report(as_json: bool) -> None:
    from assistant.embedding.factory import describe

    info = describe(_settings())
    if as_json:
        emit_json(info)
        return
    cpu = info["cpu"]
    click.echo(f"CPU：{cpu['model']}（{cpu['cores']} 核可用）")
    click.echo(f"指令集：{' '.join(cpu['flags']) or '（未识别）'}")
    click.echo(f"嵌入后端：{info['backend']}（{info['why']}；ASSISTANT_BACKEND={info['setting']}）")
    click.echo(f"精度：{info['dtype']}")
    click.echo(f"onnxruntime：{info.get('onnxruntime') or '未安装'}；可用后端：{', '.join(info['available'])}")


@cli.command()
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def clauses(doc_ids, as_json):
    """Every clause of every document (or of --doc) with its title and departments."""
    documents = _corpus().select(doc_ids)
    if as_json:
        emit_json([c.to_dict() for d in documents for c in d.clauses])
        return
    for document in documents:
        click.echo(f"[{document.doc_id}] {document.name}")
        for c in document.clauses:
            click.echo(f"{c.heading}\n  责任单位：{'、'.join(c.departments) or '（未列明）'}")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("number")
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (an array when several documents match).")
@click.option("--provisions", "show_provisions", is_flag=True,
              help="Instead: the clause's provisions (measure, modality, for whom, amounts, years, exceptions).")
def clause(number, doc_ids, as_json, show_provisions):
    """One clause in full: NUMBER is 12, 十二 or （十二）; with several documents, each one's."""
    from assistant.ingest.provisions import clause_provisions, provision_dict

    documents = _corpus().select(doc_ids)
    counts = "；".join(f"{d.doc_id} 共 {len(d.clauses)} 条，编号为 1–{len(d.clauses)}" for d in documents)
    try:
        n = parse_clause_number(number)
    except ClauseNotFound as exc:
        raise ClauseNotFound(f"{exc}（{counts}）") from None
    found = [(d, d.clause(n)) for d in documents if any(c.number == n for c in d.clauses)]
    if not found:
        raise ClauseNotFound(f"没有第{n}条（{counts}）。")
    provisions = [[provision_dict(p) for p in clause_provisions(d, n)] for d, _ in found]
    if as_json:
        rows = [{"doc_id": c.doc_id, "clause": c.number, "provisions": ps} if show_provisions
                else {**c.to_dict(), "provisions": ps} for (_, c), ps in zip(found, provisions)]
        emit_json(rows[0] if len(rows) == 1 else rows)
        return
    for (_, c), ps in zip(found, provisions):
        prefix = f"[{c.doc_id}] " if len(documents) > 1 else ""
        section = f"（{c.section_title}）" if c.section_title and c.section_title != c.title else ""
        if show_provisions:
            click.echo(f"{prefix}{c.heading}{section}\n")
            for p in ps:
                click.echo(_provision_text(p))
            continue
        click.echo(f"{prefix}{c.heading}{section}\n\n{c.label}{c.text}\n\n责任单位：{'、'.join(c.departments) or '（未列明）'}\n")


_MODALITY_NAMES = {"support": "支持", "encourage": "鼓励", "require": "要求", "forbid": "禁止", "restrict": "限制",
                   "goal": "目标", "state": "陈述"}


def _provision_text(p: dict) -> str:
    """One provision as a block: the measure first, then only the fields it has."""
    joined = lambda values: "、".join(str(v) for v in values)  # noqa: E731
    lines = [f"[{p['sentence']}] {p['measure']}",
             f"    情态：{_MODALITY_NAMES.get(p['modality'], p['modality'])}（{p['verb'] or '—'}）"]
    fields = [("对象", joined(p["beneficiaries"])), ("层级", joined(p["levels"])), ("地区", joined(p["places"])),
              ("数量", "；".join(f"{q['text']}（{q['comparator']} {q['value']:g}{q['unit']}；{q['phrase']}）"
                               for q in p["quantities"])),
              ("年份", joined(p["years"])), ("例外", "；".join(p["exceptions"])), ("责任单位", joined(p["departments"]))]
    lines += [f"    {label}：{value}" for label, value in fields if value]
    return "\n".join(lines) + "\n"


@cli.command()
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the duty table (责任分工) as an Excel file: one row per (document, clause, department).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="The same duty table as CSV (UTF-8 with BOM).")
def departments(doc_ids, as_json, xlsx_path, csv_path):
    """Every responsible department with the clauses (of each document) it is responsible for.

    With --xlsx / --csv: the duty table (责任分工) instead — columns 文件, 文号, 条款, 标题,
    责任单位, 顺序 (as the clause's 责任单位 note lists them), 角色 (牵头/配合 where stated),
    所属部分; documents widest jurisdiction first."""
    corpus = _corpus()
    if xlsx_path or csv_path:
        from assistant.ingest.duties import duty_rows, widest_first, write_csv, write_xlsx

        rows = duty_rows(widest_first(corpus.select(doc_ids)))
        for path, write in ((xlsx_path, write_xlsx), (csv_path, write_csv)):
            if path:
                try:
                    write(rows, path)
                except OSError as exc:
                    raise AssistantError(f"无法写入 {path}：{exc.strerror or exc}") from None
                click.echo(f"已写入 {path}：{len(rows)} 行（{len({(r.doc_id, r.clause) for r in rows})} 条条款）")
        return
    wanted = {d.doc_id for d in corpus.select(doc_ids)}
    rows = []
    for name, refs in corpus.departments.clauses_by_department.items():
        refs = [r for r in refs if r.doc_id in wanted]
        if refs:
            rows.append({"department": name, "clauses": [{"doc_id": r.doc_id, "clause": r.clause} for r in refs]})
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        by_doc: dict[str, list[str]] = {}
        for r in row["clauses"]:
            by_doc.setdefault(r["doc_id"], []).append(str(r["clause"]))
        where = "；".join(f"{d} 第 {', '.join(ns)} 条" for d, ns in by_doc.items())
        click.echo(f"{row['department']}：{where}")


@cli.command()
@click.argument("name", nargs=-1, required=True)
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def department(name, doc_ids, as_json):
    """What one department is responsible for, grouped by document (full or short name: 发改委, 人社厅 …)."""
    corpus = _corpus()
    query = " ".join(name)
    names, refs = corpus.departments.clauses_for(query, [d.doc_id for d in corpus.select(doc_ids)])
    items = [corpus.get(r) for r in refs]
    if as_json:
        emit_json({"query": query, "departments": names,
                   "clauses": [{"doc_id": c.doc_id, "clause": c.number, "label": c.label, "title": c.title,
                                "heading": c.heading, "departments": c.departments} for c in items]})
        return
    click.echo(f"{'、'.join(names)} 是以下 {len(items)} 条的责任单位：")
    current = None
    for c in items:
        if c.doc_id != current and len(corpus.documents) > 1:
            current = c.doc_id
            click.echo(f"[{c.doc_id}] {corpus.document(c.doc_id).name}")
        click.echo(f"  {c.heading}")


@cli.group()
def model():
    """The embedding model (EmbeddingGemma-300m): fetch and check."""


@model.command("fetch")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--onnx/--no-onnx", default=True, show_default=True,
              help="Also export the ONNX models the fast query path uses (once, 3–5 minutes).")
def model_fetch(quiet, onnx):
    """Fetch, verify (SHA-256) and cache the model; does nothing if already there."""
    from assistant.embedding.model import fetch_model

    settings = _settings()
    path = fetch_model(settings, progress=not quiet)
    click.echo(f"模型已就绪: {path}")
    if onnx:
        from assistant.embedding.onnx_export import ensure_export

        try:
            click.echo(f"ONNX 模型已就绪: {ensure_export(settings, echo=lambda m: click.echo(m, err=True))}")
        except Exception as exc:  # noqa: BLE001 - the torch backend still works without it
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            click.echo(f"警告: ONNX 导出失败，将使用 torch 后端 (ONNX export failed: {type(exc).__name__}: {exc})",
                       err=True)


@model.command("status")
@click.option("--json", "as_json", is_flag=True)
def model_status_cmd(as_json):
    """Is the model present and verified?"""
    from assistant.embedding.model import model_status

    status = model_status(_settings())
    if as_json:
        emit_json({k: str(v) if k == "path" else v for k, v in status.items()})
        return
    click.echo(("已就绪" if status["present"] else "缺失") + f": {status['path']}")
    for problem in status.get("problems", []):
        click.echo(f"  {problem}")
    sys.exit(0 if status["present"] else 1)


def _load_assistant(quiet: bool = False):
    from assistant.qa import Assistant

    log = None if quiet else (lambda message: click.echo(message, err=True))
    if not quiet:
        click.echo("正在加载模型和索引…", err=True)
    return Assistant.load(_settings(), progress=not quiet, log=log)


def read_stdin_questions():
    """(line number, question or None, error) for each stdin line; invalid UTF-8 is an error
    for that line only, so one bad line never loses the others."""
    stream = click.get_binary_stream("stdin")
    for number, raw in enumerate(stream, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None, f"第 {number} 行不是有效的 UTF-8 文本 (invalid UTF-8 on line {number})"
            continue
        text = text.rstrip("\r\n")
        if text.strip():
            yield number, text, ""


def run_questions(question: str, run, as_json: bool) -> bool:
    """Run ``run`` on QUESTION, or on each stdin line when QUESTION is '-'. One bad line
    (invalid UTF-8, empty) is reported and skipped; True when every question succeeded."""
    if question != "-":
        return run(question)
    ok = True
    for number, text, error in read_stdin_questions():
        if error:
            ok = False
            emit_json({"line": number, "error": error}) if as_json else click.echo(f"错误: {error}", err=True)
        elif not run(text):
            ok = False
    return ok


@cli.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--reuse-embeddings", is_flag=True,
              help="Embed only units not in the embedding cache (default: re-embed every unit).")
def build(quiet, reuse_embeddings):
    """Build the BM25 and FAISS indexes (atomically; the old index stays usable)."""
    from assistant.ingest.corpus import load_corpus
    from assistant.embedding.encoder import load_encoder
    from assistant.retrieval.embedding_cache import cache_mode
    from assistant.retrieval.index import build_index

    settings = _settings()
    corpus = load_corpus(settings.corpus_dir)
    with cache_mode("on" if reuse_embeddings else "refresh"):  # an explicit build starts from scratch
        path = build_index(settings, corpus, load_encoder(settings), progress=not quiet)
    click.echo(f"索引已建立: {path}")


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="How many clauses.")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense", "weighted", "rrf"]), default="hybrid",
              show_default=True)
@_DOC_OPTION
def search(question, as_json, k, mode, doc_ids):
    """Ranked clauses for QUESTION; QUESTION '-' reads one question per line from stdin."""
    if not question:
        raise click.UsageError("请给出问题，或用 - 从标准输入逐行读取。")
    from assistant.answering.questions import clean_question

    def invalid(cleaned) -> bool:  # empty / control characters only: an error, like `ask`
        if cleaned.error:
            emit_json({"question": cleaned.text, "error": cleaned.error}) if as_json else click.echo(
                f"错误: {cleaned.error}", err=True)
        return bool(cleaned.error)

    if question != "-" and invalid(clean_question(question)):  # fail fast, before loading the model
        sys.exit(1)
    assistant = _load_assistant(quiet=as_json)

    def run(text) -> bool:
        cleaned = clean_question(text)
        if invalid(cleaned):
            return False
        hits = assistant.search(cleaned.text, k=k, mode=mode, doc_ids=list(doc_ids))
        if as_json:
            data = {"question": cleaned.text, "hits": [h.to_dict() for h in hits]}
            emit_json({**data, "notice": cleaned.notice} if cleaned.notice else data)
        else:
            if cleaned.notice:
                click.echo(f"注意: {cleaned.notice}", err=True)
            for rank, h in enumerate(hits, 1):
                clause = assistant.corpus.get(h.ref)
                where = f"[{h.doc_id}] " if len(assistant.corpus.documents) > 1 else ""
                click.echo(f"{rank}. {where}{clause.heading}  ({h.score:.3f}, {'+'.join(h.found_by) or '-'})")
                for sentence in h.sentences:
                    click.echo(f"     “{sentence}”")
        return True

    sys.exit(0 if run_questions(question, run, as_json) else 1)


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@_DOC_OPTION
def ask(question, as_json, doc_ids):
    """A grounded answer to QUESTION; QUESTION '-' reads one question per line from stdin."""
    if question is None:
        raise click.UsageError("请给出问题，或用 - 从标准输入逐行读取。")
    from assistant.answering.questions import clean_question
    from assistant.answering.records import Answer

    cleaned = clean_question(question) if question != "-" else None
    if cleaned and cleaned.error:  # fail fast, before loading the model
        if as_json:
            emit_json(Answer(cleaned.text, cleaned.error, True, "invalid", error=cleaned.error).to_dict())
        else:
            click.echo(f"错误: {cleaned.error}", err=True)
        sys.exit(1)
    assistant = _load_assistant(quiet=as_json)
    from assistant.answering.sessions import SessionStore, chat_turn

    # stdin lines that are JSON objects {"session": ID, "question": Q} are turns of a chat;
    # the client names its sessions, so an unseen id starts one under that id.
    sessions = SessionStore(adopt_unknown=True)

    def run(text) -> bool:
        turn = session_turn(text) if question == "-" else None
        if isinstance(turn, str):  # a JSON object that is not a valid turn
            emit_json({"question": "", "error": turn}) if as_json else click.echo(f"错误: {turn}", err=True)
            return False
        answer = (chat_turn(assistant, sessions, turn[1], turn[0], doc_scope=list(doc_ids)) if turn
                  else assistant.ask(text, doc_ids=list(doc_ids)))
        if as_json:
            emit_json(answer.to_dict())
        elif answer.error:
            click.echo(f"错误: {answer.error}", err=True)
        else:
            if answer.notice:
                click.echo(f"注意: {answer.notice}", err=True)
            if answer.understood_as:
                click.echo(answer.understood_as)
            click.echo(answer.answer)
        return not answer.error

    sys.exit(0 if run_questions(question, run, as_json) else 1)


def session_turn(line: str):
    """None for a plain question; (session, question) for a JSON turn; a message if malformed."""
    if not line.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None  # a question that happens to start with "{"
    if not isinstance(data, dict):
        return None
    if not isinstance(data.get("question"), str):
        return "JSON 行需要字符串字段 question（如 {\"session\": \"s1\", \"question\": \"第五条讲什么？\"}）。"
    return data.get("session"), data["question"]


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print each answer as one JSON object.")
@_DOC_OPTION
def chat(as_json, doc_ids):
    """An interactive conversation: follow-ups (这一条、下一条、那能源局呢) refer to earlier turns.

    Commands: /new starts over, /doc ID focuses a document, /json toggles JSON output, /quit.
    """
    from assistant.chat_cli import run_chat

    run_chat(_load_assistant(quiet=False), as_json=as_json, doc_ids=list(doc_ids))


@cli.command("match")
@click.argument("profile")
@_DOC_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object: {profile, measures, message}.")
def match_cmd(profile, doc_ids, as_json):
    """The support matcher: every measure that applies to the applicant PROFILE describes
    (我们是包头一家高新技术企业…); needs no model."""
    from assistant.answering.questions import clean_question
    from assistant.matching.matcher import match_profile
    from assistant.matching.profile import parse_profile

    cleaned = clean_question(profile)
    if cleaned.error:
        raise click.UsageError(cleaned.error)
    corpus = _corpus()
    documents = corpus.select(doc_ids) if doc_ids else list(corpus.documents)
    outcome = match_profile(parse_profile(cleaned.text), documents)
    if as_json:
        emit_json(outcome.to_dict())
    else:
        click.echo(outcome.markdown())


@cli.command("eval")
@click.option("--gate", is_flag=True, help="Exit 1 if a test-split metric is under its floor (CI).")
@click.option("--split", "split", type=click.Choice(["dev", "test", "both"]), default="both", show_default=True,
              help="Which gold split to run; the gate needs test.")
@click.option("--questions", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="One gold file, run as the dev split (default: eval/gold/*_{dev,test}.jsonl).")
@click.option("--modes", default="hybrid,bm25", show_default=True,
              help="Retrieval methods to compare (hybrid,bm25,dense,rrf,weighted).")
@click.option("--calibrate/--no-calibrate", default=True, show_default=True,
              help="The dev refusal-threshold table (one more pass over dev).")
@click.option("--out", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Folder for report.md and report.png (default: eval/).")
@click.option("--leaks", is_flag=True,
              help="Only list test-split wording found in tracked code, tests or docs (no model); exit 1 if any.")
def eval_cmd(gate, split, questions, modes, calibrate, out, leaks):
    """Evaluate on the frozen gold splits (dev | test side by side); write eval/report.md."""
    from pathlib import Path

    if leaks:
        from assistant.config import REPO_ROOT
        from assistant.evaluation.leaks import main as leaks_main

        sys.exit(leaks_main([str(REPO_ROOT)]))

    from assistant.evaluation.evaluate import ALL_MODES, evaluate
    from assistant.evaluation.gate import gate_failures
    from assistant.evaluation.gold import GoldError, load_gold_set
    from assistant.evaluation.report import write_report

    chosen = tuple(dict.fromkeys(["hybrid"] + [m.strip() for m in modes.split(",") if m.strip()]))
    unknown = [m for m in chosen if m not in ALL_MODES]
    if unknown:
        raise click.UsageError(f"未知的检索方式 (unknown mode): {', '.join(unknown)}")
    settings = _settings()
    gold = load_gold_set(settings.eval_dir, questions=Path(questions) if questions else None)
    splits = ("dev", "test") if split == "both" else (split,)
    if not any(s in gold.seed for s in splits):
        raise GoldError(f"没有 {'/'.join(splits)} 金标准问题 (no gold questions for split {split}; "
                        f"--questions runs one file as dev)")
    assistant = _load_assistant(quiet=True)
    result = evaluate(assistant, gold, splits=splits, modes=chosen, docs_dir=settings.eval_dir / "docs",
                      calibrate=calibrate, log=lambda message: click.echo(message, err=True))
    if gate:
        test = result.splits.get("test")
        result.gate = (gate_failures(test.metrics, leaks=result.info["leaks"]) if test
                       else ["no test split was evaluated (run with --split test or both)"])
    path = write_report(result, Path(out) if out else settings.eval_dir)
    click.echo(path.read_text(encoding="utf-8"))
    if gate and result.gate:
        for failure in result.gate:
            click.echo(f"GATE FAILED: {failure}", err=True)
        sys.exit(1)


def _update_index(settings, encoder, quiet: bool) -> None:
    """Rebuild the index for the corpus as it now is; only new units are embedded."""
    import time

    from assistant.retrieval.incremental import update_index

    started = time.perf_counter()
    update_index(settings, encoder, progress=not quiet)
    click.echo(f"索引已更新（{time.perf_counter() - started:.1f} 秒）", err=True)


@cli.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--no-index", is_flag=True, help="Only add the files; the index is updated at the next load or build.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of the added documents.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def add_cmd(paths, no_index, as_json, quiet):
    """Add policy files (.txt .md .pdf .docx .html) to the corpus and update the index.

    Every file is checked first (it must parse to clauses and must not duplicate a
    document already there, by content or 文号); on any problem nothing is copied."""
    from pathlib import Path

    from assistant.ingest.library import check_new, copy_in, summary
    from assistant.retrieval.incremental import indexed_encoder

    settings = _settings()
    if quiet or as_json:  # no OCR progress bar for scanned pages either
        os.environ["ASSISTANT_OCR_PROGRESS"] = "off"
    # The model loads in the background while the files are checked and BM25 is rebuilt.
    encoder = None if no_index else indexed_encoder(settings, preload=True)
    planned = check_new([Path(p) for p in paths], settings.corpus_dir)
    if not no_index and encoder is None:  # no index yet: the model must load before anything changes
        from assistant.embedding.encoder import load_encoder

        encoder = load_encoder(settings)
    added = copy_in(planned, settings.corpus_dir)
    if not no_index:
        try:
            _update_index(settings, encoder, quiet or as_json)
        except BaseException:  # the index could not take them: leave the corpus as it was
            for _, name, _ in planned:
                (Path(settings.corpus_dir) / name).unlink(missing_ok=True)
            raise
    rows = [summary(doc) for doc in added]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        departments = "、".join(row["departments"]) or "（未列明）"
        click.echo(f"已添加 {row['doc_id']}（{row['file']}，{row['format'].upper()}）\n"
                   f"  标题：{row['title'] or '（文件未载明）'}\n  文号：{row['doc_number'] or '（文件未载明）'}\n"
                   f"  条款：{row['clauses']} 条\n  责任单位（{len(row['departments'])}）：{departments}")
        if row.get("ocr"):
            click.echo(ocr_line(row["ocr"]))


def ocr_line(report: dict) -> str:
    """What ``add`` says about a scanned PDF: pages recognised, confidence, time."""
    doubtful = report.get("low_confidence_lines", 0)
    return (f"  文字识别（OCR）：{len(report['pages'])}/{report['total_pages']} 页为扫描图像，"
            f"平均置信度 {report['mean_confidence']:.3f}，低置信度 {doubtful}/{report['lines']} 行，"
            f"用时 {report['seconds']:.1f} 秒；引用这些条款时标注“文字识别”，请以原件为准")


@cli.command("remove")
@click.argument("doc_id")
@click.option("--no-index", is_flag=True, help="Only delete the file; the index is updated at the next load or build.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def remove_cmd(doc_id, no_index, quiet):
    """Remove document DOC_ID from the corpus and the index (nothing is re-embedded)."""
    from assistant.ingest.library import remove_document

    settings = _settings()
    path = remove_document(doc_id, settings.corpus_dir)
    click.echo(f"已删除 {doc_id}（{path}）")
    if not no_index:  # if this fails, the next load rebuilds without the document anyway
        _update_index(settings, None, quiet)


def main():  # console-script entry point
    cli(prog_name="assistant")
