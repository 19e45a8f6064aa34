"""Index lifecycle: manifest, staleness, corruption, atomic builds, the build lock."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.config import Settings
from assistant.ingest.corpus import load_corpus
from tests.doubles import FakeEncoder
from assistant.errors import IndexError_
from assistant.retrieval.index import build_index, build_lock, check_index, current_build, load_index

from .conftest import REPO_ROOT


@pytest.fixture
def home(tmp_path):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus_dir)
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "indexes", model_dir=tmp_path / "m",
                        feedback_path=tmp_path / "f.jsonl", eval_dir=tmp_path / "e")
    return settings


def test_build_writes_manifest_and_loads(home):
    corpus, encoder = load_corpus(home.corpus_dir), FakeEncoder(32)
    folder = build_index(home, corpus, encoder)
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in ("corpus_sha256", "model_id", "weights_sha256", "parser_version", "built_at", "files"):
        assert key in manifest
    assert manifest["model_id"] == encoder.name
    assert check_index(home, corpus, encoder) == []
    index = load_index(home, corpus, encoder, rebuild=False)
    assert len(index.units) == manifest["units"]
    assert (home.index_dir / "current").is_symlink()


def test_missing_index_is_built_on_load(home):
    corpus, encoder = load_corpus(home.corpus_dir), FakeEncoder(32)
    with pytest.raises(IndexError_, match="no index"):
        load_index(home, corpus, encoder, rebuild=False)
    assert load_index(home, corpus, encoder).units


def test_stale_index_from_other_model_or_corpus(home):
    corpus = load_corpus(home.corpus_dir)
    build_index(home, corpus, FakeEncoder(32))
    assert any("model_id" in p for p in check_index(home, corpus, FakeEncoder(16)))
    path = next(home.corpus_dir.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8").replace("强化科技金融服务", "强化金融服务"), encoding="utf-8")
    changed = load_corpus(home.corpus_dir)
    assert any("corpus_sha256" in p for p in check_index(home, changed, FakeEncoder(32)))
    index = load_index(home, changed, FakeEncoder(32))  # rebuilt automatically
    assert check_index(home, changed, FakeEncoder(32)) == []
    assert any(u.title == "强化金融服务" for u in index.units)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_corrupt_index_is_detected_and_rebuilt(home, damage):
    corpus, encoder = load_corpus(home.corpus_dir), FakeEncoder(32)
    folder = build_index(home, corpus, encoder)
    target = folder / "dense" / "faiss.index"
    data = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        target.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        target.unlink()
    problems = check_index(home, corpus, encoder)
    assert problems and "faiss.index" in problems[0]
    with pytest.raises(IndexError_):
        load_index(home, corpus, encoder, rebuild=False)
    assert load_index(home, corpus, encoder).units
    assert check_index(home, corpus, encoder) == []


def test_failed_build_keeps_previous_index(home):
    corpus, encoder = load_corpus(home.corpus_dir), FakeEncoder(32)
    first = build_index(home, corpus, encoder)

    class Exploding(FakeEncoder):
        fingerprint = "exploding"  # another model: the embedding cache has none of its vectors

        def encode_documents(self, texts, titles=None):
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        build_index(home, corpus, Exploding(32))
    assert current_build(home) == first.resolve()
    assert check_index(home, corpus, encoder) == []
    # The half-written build is cleaned up by the next build.
    assert list(home.index_dir.glob(".tmp-*"))
    build_index(home, corpus, encoder)
    assert not list(home.index_dir.glob(".tmp-*"))


def test_lock_makes_second_builder_wait(home):
    with build_lock(home.index_dir):
        with pytest.raises(IndexError_, match="another build"):
            with build_lock(home.index_dir, timeout=0.3):
                pass


def test_dense_scores_are_cosines(home):
    corpus, encoder = load_corpus(home.corpus_dir), FakeEncoder(32)
    index = load_index(home, corpus, encoder)
    vector = encoder.encode_queries(["人才公寓"])[0]
    hits = index.dense.search(vector, 5)
    assert len(hits) == 5
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(-1.0001 <= s <= 1.0001 for s in scores)
    assert np.isfinite(scores).all()
