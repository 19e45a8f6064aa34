"""Shared fixtures: the real corpus, small 公文 samples, and a temp home for everything
the assistant writes (indexes, feedback), so tests never touch the user's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.ingest.corpus import load_corpus

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(REPO_ROOT / "corpus")


@pytest.fixture(scope="session")
def document(corpus):
    return corpus.document()


@pytest.fixture
def tmp_settings(tmp_path) -> Settings:
    """Settings whose writable paths all live under a fresh temp folder."""
    real = Settings.from_env()
    return Settings(
        corpus_dir=REPO_ROOT / "corpus",
        index_dir=tmp_path / "indexes",
        model_dir=real.model_dir,  # read-only use; the fetch tests use their own
        feedback_path=tmp_path / "feedback" / "feedback.jsonl",
        eval_dir=tmp_path / "eval",
    )


@pytest.fixture(scope="session")
def fake_assistant(tmp_path_factory):
    """An Assistant over the real corpus with the deterministic fake encoder (no model)."""
    from tests.doubles import FakeEncoder
    from assistant.qa import Assistant

    home = tmp_path_factory.mktemp("fake-home")
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=home / "indexes",
                        model_dir=home / "no-model", feedback_path=home / "feedback.jsonl", eval_dir=home / "eval")
    return Assistant.load(settings, encoder=FakeEncoder(64))
