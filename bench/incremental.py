"""Incremental indexing: ``assistant add`` of one document vs a full build, same run.

``python -m bench.incremental [--fake] [--in-process]``

In a temp home (corpus + index dir), with the bundled seed and a second policy typeset
as a 公文 PDF (tests/formats.py):

1. full build of seed + second document from an empty embedding cache
   (``assistant build``), timed;
2. a fresh index dir: build the seed alone (untimed, primes the cache), then
   ``assistant add second.pdf``, timed;
3. ``assistant remove`` of the second document, timed (embeds nothing).

By default each step is a fresh ``python -m assistant`` process with the real model, so
model loading counts on both sides, as a user sees it. ``--in-process`` times the library
calls with one loaded encoder instead; ``--fake`` uses the fake encoder (no model).
Prints the times and the ratio add / full build (the target is <= 0.5).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import REPO_ROOT, Settings

SEED = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
SECOND = REPO_ROOT / "tests" / "samples" / "second_policy.txt"


def _second_pdf(folder: Path) -> Path:
    from assistant.ingest.corpus import load_document
    from tests.formats import paragraphs_of, write_pdf

    return write_pdf(paragraphs_of(load_document(SECOND)), folder / "second_policy.pdf")


def _cli(env: dict, *args: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"assistant {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return elapsed


def run_cli(home: Path, pdf: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ASSISTANT_CORPUS_DIR": str(home / "corpus-full"),
           "ASSISTANT_INDEX_DIR": str(home / "index-full")}
    (home / "corpus-full").mkdir()
    shutil.copy(SEED, home / "corpus-full")
    shutil.copy(pdf, home / "corpus-full")
    full = _cli(env, "build", "--quiet")
    env.update(ASSISTANT_CORPUS_DIR=str(home / "corpus"), ASSISTANT_INDEX_DIR=str(home / "index"))
    (home / "corpus").mkdir()
    shutil.copy(SEED, home / "corpus")
    _cli(env, "build", "--quiet")  # the corpus before the new document arrives
    add = _cli(env, "add", "--quiet", str(pdf))
    remove = _cli(env, "remove", "--quiet", pdf.stem)
    return {"full_build_s": full, "add_s": add, "remove_s": remove}


def run_in_process(home: Path, pdf: Path, encoder) -> dict:
    from assistant.ingest.corpus import load_corpus
    from assistant.ingest.library import add_files, remove_document
    from assistant.retrieval.index import build_index

    full_settings = Settings(corpus_dir=home / "corpus-full", index_dir=home / "index-full")
    full_settings.corpus_dir.mkdir()
    shutil.copy(SEED, full_settings.corpus_dir)
    shutil.copy(pdf, full_settings.corpus_dir)
    started = time.perf_counter()
    build_index(full_settings, load_corpus(full_settings.corpus_dir), encoder)
    full = time.perf_counter() - started

    settings = Settings(corpus_dir=home / "corpus", index_dir=home / "index")
    settings.corpus_dir.mkdir()
    shutil.copy(SEED, settings.corpus_dir)
    build_index(settings, load_corpus(settings.corpus_dir), encoder)
    started = time.perf_counter()
    add_files([pdf], settings.corpus_dir)
    build_index(settings, load_corpus(settings.corpus_dir), encoder)
    add = time.perf_counter() - started
    started = time.perf_counter()
    remove_document(pdf.stem, settings.corpus_dir)
    build_index(settings, load_corpus(settings.corpus_dir), encoder)
    remove = time.perf_counter() - started
    return {"full_build_s": full, "add_s": add, "remove_s": remove}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fake", action="store_true", help="fake encoder (no model; in-process)")
    parser.add_argument("--in-process", action="store_true", help="library calls with one loaded encoder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        home = Path(tmp)
        pdf = _second_pdf(home)
        if args.fake or args.in_process:
            if args.fake:
                from tests.doubles import FakeEncoder

                encoder = FakeEncoder(256)
            else:
                from assistant.embedding.encoder import load_encoder

                encoder = load_encoder(Settings.from_env())
            result = run_in_process(home, pdf, encoder)
            mode = "in-process, " + ("fake encoder" if args.fake else encoder.name)
        else:
            result = run_cli(home, pdf)
            mode = "CLI processes, real model"
    ratio = result["add_s"] / result["full_build_s"]
    print(f"incremental index ({mode}): full build (seed + second, empty cache) {result['full_build_s']:.1f} s; "
          f"add second.pdf {result['add_s']:.1f} s; remove {result['remove_s']:.1f} s; "
          f"add / full = {ratio:.2f} (target <= 0.5)")
    return 0 if ratio <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
