"""Benchmark commands, outside the installed package: ``python -m bench [bench|loadtest]``.

``make bench`` runs ``python -m bench bench --load``. Results go to ``eval/bench.md``.
"""

from __future__ import annotations

import sys

import click

from assistant.cli import _Group, _settings, emit_json
from assistant.errors import AssistantError


@click.group(cls=_Group)
def cli():
    """Speed, memory, scale and load benchmarks of the policy assistant."""


@cli.command()
@click.option("--quick", is_flag=True, help="Small run (growth 10x only, fewer questions).")
@click.option("--growth", default="10,100,1000", show_default=True, help="Synthetic corpus sizes (x clause count).")
@click.option("--load/--no-load", default=False, help="Also run the 50-client load test and add it to bench.md.")
def bench(quick, growth, load):
    """Speed, memory and scale benchmark; writes eval/bench.md."""
    from bench.run import run_bench

    try:
        factors = tuple(int(x) for x in growth.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter("--growth takes comma-separated integers, e.g. 10,100,1000") from None
    settings = _settings()
    run_bench(settings, growth=factors, quick=quick, echo=click.echo)
    if load:
        from assistant.evaluation.metrics import load_gold
        from bench.loadtest import run_loadtest, to_markdown

        questions = [g.question for g in load_gold(settings.eval_dir / "questions.jsonl")]
        result = run_loadtest(questions, clients=50, seconds=60, echo=lambda m: click.echo(m, err=True))
        with open(settings.eval_dir / "bench.md", "a", encoding="utf-8") as handle:
            handle.write("\n" + to_markdown(result))
        click.echo(to_markdown(result))
        if result["errors"] or not result["app_alive_after"]:
            sys.exit(1)


@cli.command("answer-latency")
@click.option("--against", default="HEAD~1", show_default=True, help="Git revision to compare with.")
@click.option("--questions", default=150, show_default=True, type=click.IntRange(10, 1000))
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--real", is_flag=True, help="Use the installed model (warm answer latency as users see it).")
def answer_latency(against, questions, rounds, real):
    """Warm answer latency of this tree vs a git revision, as ratios (fake encoder unless --real)."""
    from bench.answer_latency import dev_questions, measure

    result = measure(against, dev_questions(questions), rounds, echo=lambda m: click.echo(m, err=True), real=real)
    emit_json(result)


@cli.command("match-latency")
@click.option("--questions", default=60, show_default=True, type=click.IntRange(10, 1000))
@click.option("--rounds", default=2, show_default=True, type=click.IntRange(1, 20))
@click.option("--real", is_flag=True, help="Use the installed model (warm ask latency as users see it).")
def match_latency(questions, rounds, real):
    """Support matcher p95 vs warm ask p95 (issue 20 target: ratio <= 1.5), fake encoder unless --real."""
    from bench.match_latency import main

    emit_json(main(questions, rounds, real))


@cli.command()
@click.option("--clients", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(1, 3600))
@click.option("--url", default=None, help="A running app on loopback; default: start app.py on a free port.")
@click.option("--json", "as_json", is_flag=True)
def loadtest(clients, seconds, url, as_json):
    """Bounded load test of the app's ask API on 127.0.0.1 (starts the app itself)."""
    from assistant.evaluation.metrics import load_gold
    from bench.loadtest import run_loadtest

    questions = [g.question for g in load_gold(_settings().eval_dir / "questions.jsonl")]
    try:
        result = run_loadtest(questions, clients=clients, seconds=seconds, url=url,
                              echo=lambda m: click.echo(m, err=True))
    except (ValueError, RuntimeError) as exc:
        raise AssistantError(str(exc)) from exc
    if as_json:
        emit_json(result)
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")
    sys.exit(0 if result["errors"] == 0 and result["app_alive_after"] else 1)


@cli.command()
@click.option("--repeats", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--questions", default=60, show_default=True, type=click.IntRange(5, 1000))
@click.option("--json", "as_json", is_flag=True)
def coldstart(repeats, questions, as_json):
    """One-shot ask vs `import sentence_transformers`; warm p95 vs ST float32 encode_query p50."""
    from bench.coldstart import run_coldstart

    result = run_coldstart(_settings(), repeats=repeats, n_questions=questions,
                           echo=(lambda m: click.echo(m, err=True)) if as_json else click.echo)
    if as_json:
        emit_json(result)


@cli.command()
@click.option("--url", required=True, help="OpenAI-compatible server, base URL with /v1 (e.g. http://127.0.0.1:11434/v1).")
@click.option("--model", default="default", show_default=True, help="Model name the server knows.")
@click.option("--questions", default=40, show_default=True, type=click.IntRange(1, 1000))
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(1, 600))
@click.option("--json", "as_json", is_flag=True)
def llm(url, model, questions, timeout, as_json):
    """Latency of the optional LLM rephrasing and the share of its answers kept (ASSISTANT_LLM_KEY for a key)."""
    from assistant.qa import Assistant
    from bench.answer_latency import dev_questions
    from bench.llm import measure_llm

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("--url takes an http(s) base URL, e.g. http://127.0.0.1:11434/v1")
    assistant = Assistant.load(_settings())
    result = measure_llm(assistant, dev_questions(questions), url=url, model=model, timeout=timeout,
                         echo=lambda m: click.echo(m, err=True))
    if as_json:
        emit_json(result)
        return
    lat = result["llm_latency_ms"]
    click.echo(f"{result['llm_answers']} of {result['questions']} answers went to the LLM ({model} at {url})")
    click.echo(f"kept {result['kept']} ({100 * result['kept_share']:.0f}%); latency p50 {lat['p50']:.0f} ms, "
               f"p95 {lat['p95']:.0f} ms, max {lat['max']:.0f} ms")
    for reason, count in result["fallback_reasons"].items():
        click.echo(f"  fallback {count}×: {reason}")


if __name__ == "__main__":
    cli(prog_name="python -m bench")
