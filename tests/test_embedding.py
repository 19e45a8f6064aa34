"""Encoders: the fake one in detail (fast), the real one in one integration test."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from assistant.config import EMBEDDING_DIM, REPO_ROOT, Settings
from assistant.embedding.encoder import Encoder, load_encoder
from tests.doubles import FakeEncoder
from assistant.errors import ModelError

TEXTS = [
    "高新区建设用地应当优先保障。",
    "高新区的建设用地要优先保障供应。",
    "财政部门负责年度预算的编制工作。",
]


def _assert_unit_rows(matrix: np.ndarray):
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-5)


def test_fake_encoder_shapes_dtype_and_normalisation():
    enc = FakeEncoder(dim=64)
    assert isinstance(enc, Encoder)
    queries = enc.encode_queries(TEXTS)
    docs = enc.encode_documents(TEXTS, titles=["用地", None, ""])
    for matrix in (queries, docs):
        assert matrix.shape == (3, 64) and matrix.dtype == np.float32
        _assert_unit_rows(matrix)


def test_fake_encoder_empty_input_and_empty_text():
    enc = FakeEncoder(dim=32)
    assert enc.encode_queries([]).shape == (0, 32)
    assert enc.encode_documents([]).shape == (0, 32)
    assert enc.encode_documents([], titles=[]).shape == (0, 32)
    _assert_unit_rows(enc.encode_queries(["", "   "]))


def test_fake_encoder_is_deterministic_across_processes():
    vector = FakeEncoder(dim=64).encode_queries(TEXTS[:1])[0]
    assert np.array_equal(vector, FakeEncoder(dim=64).encode_queries(TEXTS[:1])[0])
    # Python's hash() is salted per process; the fake must not depend on it.
    code = (
        "from tests.doubles import FakeEncoder;"
        f"print(FakeEncoder(dim=64).encode_queries([{TEXTS[0]!r}])[0].tobytes().hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=REPO_ROOT, env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert other == vector.tobytes().hex()


def test_fake_encoder_similar_beats_dissimilar():
    vectors = FakeEncoder(dim=256).encode_documents(TEXTS)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2


def test_fake_encoder_titles_must_match_texts():
    with pytest.raises(ValueError, match="2 titles for 3 texts"):
        FakeEncoder().encode_documents(TEXTS, titles=["a", "b"])


def test_load_encoder_without_model_says_how_to_fetch(tmp_path):
    settings = Settings(model_dir=tmp_path / "no-model")
    with pytest.raises(ModelError, match="assistant model fetch"):
        load_encoder(settings)


@pytest.mark.integration
def test_real_encoder_end_to_end():
    settings = Settings.from_env()
    try:
        encoder = load_encoder(settings)
    except ModelError as exc:
        # Fail, not skip: CI fetches the model first, so absence is a real problem.
        pytest.fail(f"real embedding model unavailable — run `assistant model fetch` first: {exc}")

    assert encoder.dim == EMBEDDING_DIM and isinstance(encoder, Encoder)
    docs = [
        "高新区建设用地应当优先保障，新增建设用地指标向高新区倾斜。",
        "财政部门负责年度预算的编制工作。",
    ]
    doc_vectors = encoder.encode_documents(docs, titles=["用地保障", None])
    query_vectors = encoder.encode_queries(["高新区用地怎么保障？"])
    for matrix, n in ((doc_vectors, 2), (query_vectors, 1)):
        assert matrix.shape == (n, EMBEDDING_DIM) and matrix.dtype == np.float32
        _assert_unit_rows(matrix)
    sims = (query_vectors @ doc_vectors.T)[0]
    assert sims[0] > sims[1]
    assert encoder.encode_queries([]).shape == (0, EMBEDDING_DIM)

    # Without titles our own formatting must equal the model's built-in document prompt
    # (bfloat16 rounds differently per call, hence the looser tolerance there).
    from assistant.embedding.factory import unwrap

    inner = unwrap(encoder)
    if hasattr(inner, "model"):
        builtin = inner.model.encode_document(docs, normalize_embeddings=True)
        tolerance = 1e-5 if encoder.name.endswith("300m") else 2e-2
    else:  # the ONNX backend: documents in float32, checked against the torch float32 model
        from assistant.embedding.encoder import SentenceTransformerEncoder
        from assistant.embedding.model import require_model

        reference = SentenceTransformerEncoder(require_model(settings), dtype="float32")
        builtin = reference.model.encode_document(docs, normalize_embeddings=True)
        tolerance = 2e-3
    np.testing.assert_allclose(encoder.encode_documents(docs), builtin, atol=tolerance)
