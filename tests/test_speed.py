"""The speed layer: CPU flags, backend choice, query cache, micro-batcher (fake encoders only),
and — marked integration — the ONNX export against the torch model."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embedding.batching import BatchingEncoder
from assistant.embedding.cache import CachingEncoder, QueryCache, cache_key
from assistant.embedding.cpu import CpuInfo, choose_backend, parse_cpuinfo, preferred_backend
from assistant.errors import ModelError
from tests.doubles import FakeEncoder

AVX2_ONLY = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 avx avx2 fma bmi2
processor\t: 1
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 avx avx2 fma bmi2
"""
SAPPHIRE = """processor\t: 0
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu avx avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
"""
ARM = """processor\t: 0
Features\t: fp asimd evtstrm aes crc32 asimddp
CPU implementer\t: 0x41
"""


# ---------------------------------------------------------------- CPU flags and backends


def test_parse_cpuinfo_avx2_only():
    info = parse_cpuinfo(AVX2_ONLY, cores=2)
    assert info.model == "AMD EPYC 7B12" and info.cores == 2
    assert info.relevant == ["avx2", "fma"]
    assert not info.int8_dot and not info.native_bf16
    assert preferred_backend(info) == "onnx"


def test_parse_cpuinfo_vnni_bf16_amx():
    info = parse_cpuinfo(SAPPHIRE, cores=2)
    assert "avx512_vnni" in info.relevant and "amx_int8" in info.relevant
    assert info.int8_dot and info.native_bf16
    assert preferred_backend(info) == "onnx-int8"
    assert info.to_dict()["flags"] == info.relevant


def test_parse_cpuinfo_arm_and_empty():
    arm = parse_cpuinfo(ARM, cores=1)
    assert "asimd" in arm.flags and arm.relevant == [] and preferred_backend(arm) == "onnx"
    empty = parse_cpuinfo("", cores=1)
    assert empty.flags == frozenset() and empty.model  # never an empty model name


def test_choose_backend_auto_falls_back():
    vnni = parse_cpuinfo(SAPPHIRE, cores=2)
    assert choose_backend("auto", vnni, {"onnx-int8", "onnx", "torch"})[0] == "onnx-int8"
    backend, why = choose_backend("auto", vnni, {"onnx", "torch"})
    assert backend == "onnx" and "not available" in why
    assert choose_backend("auto", vnni, {"torch"})[0] == "torch"
    avx2 = parse_cpuinfo(AVX2_ONLY, cores=2)
    # Never int8 on a CPU without int8 dot products, even when the int8 model exists.
    assert choose_backend("auto", avx2, {"onnx-int8", "onnx", "torch"})[0] == "onnx"


def test_choose_backend_override():
    avx2 = parse_cpuinfo(AVX2_ONLY, cores=2)
    assert choose_backend("torch", avx2, {"onnx", "torch"}) == ("torch", "ASSISTANT_BACKEND")
    assert choose_backend("onnx-int8", avx2, {"onnx-int8", "torch"})[0] == "onnx-int8"
    with pytest.raises(LookupError):
        choose_backend("onnx", avx2, {"torch"})
    with pytest.raises(ValueError, match="ASSISTANT_BACKEND"):
        choose_backend("gpu", avx2, {"torch"})


def test_settings_read_backend_override(monkeypatch):
    monkeypatch.setenv("ASSISTANT_BACKEND", " ONNX ")
    monkeypatch.setenv("ASSISTANT_QUERY_CACHE", "nonsense")
    settings = Settings.from_env()
    assert settings.backend == "onnx" and settings.query_cache == Settings().query_cache


def test_decide_reports_unavailable_override_as_model_error(tmp_path, monkeypatch):
    from assistant.embedding import factory

    settings = Settings(model_dir=tmp_path / "none", backend="onnx")
    with pytest.raises(ModelError, match="ASSISTANT_BACKEND=onnx is not available"):
        factory.decide(settings, parse_cpuinfo(AVX2_ONLY, cores=2))
    bad = Settings(model_dir=tmp_path / "none", backend="cuda")
    with pytest.raises(ModelError, match="must be one of"):
        factory.decide(bad, parse_cpuinfo(AVX2_ONLY, cores=2))
    auto = factory.decide(Settings(model_dir=tmp_path / "none"), parse_cpuinfo(AVX2_ONLY, cores=2))
    assert auto["backend"] == "torch" and auto["dtype"] == "float32"  # no export: torch, no bf16 on AVX2


def test_no_onnx_export_without_model(tmp_path):
    from assistant.embedding.onnx_export import available_models, export_problems

    settings = Settings(model_dir=tmp_path / "m")
    assert available_models(settings) == {}
    assert export_problems(settings, weights_sha256="x")  # no marker: a problem, not a crash


def test_int8_node_selection_keeps_sensitive_layers_float():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from assistant.embedding.onnx_export import int8_nodes

    nodes, inits, previous = [], [], "x"
    shapes = [(8, 8), (8, 4), (8, 4), (8, 8), (8, 16), (8, 16), (16, 8)]  # q k v o gate up down
    for layer in range(6):
        for role, shape in enumerate(shapes):
            name = f"w{layer}_{role}"
            inits.append(helper.make_tensor(name, TensorProto.FLOAT, shape, [0.0] * (shape[0] * shape[1])))
            nodes.append(helper.make_node("MatMul", [previous, name], [f"y{layer}_{role}"], name=f"mm{layer}_{role}"))
    nodes.append(helper.make_node("MatMul", ["a", "b"], ["scores"], name="attention"))  # no weight: never chosen
    graph = helper.make_graph(nodes, "g", [], [], initializer=inits)
    chosen = int8_nodes(helper.make_model(graph))
    assert len(chosen) == 4 * 6  # layers 1..4, six linears each (no down_proj)
    assert not any(n.startswith(("mm0_", "mm5_")) or n.endswith("_6") for n in chosen)
    bad = helper.make_graph(nodes[:-1][::-1], "g", [], [], initializer=inits)  # down_proj not where expected
    with pytest.raises(ModelError, match="unexpected ONNX layout"):
        int8_nodes(helper.make_model(bad))
    assert onnx  # imported for its helper module


# ---------------------------------------------------------------- query cache


class CountingEncoder(FakeEncoder):
    def __init__(self, dim=32, delay=0.0, fail_on=None):
        super().__init__(dim)
        self.calls: list[list[str]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def encode_queries(self, texts):
        with self.lock:
            self.calls.append(list(texts))
        if self.delay:
            time.sleep(self.delay)
        if self.fail_on and any(self.fail_on in t for t in texts):
            raise RuntimeError("encoder broke")
        return super().encode_queries(texts)


def test_cache_key_normalises_width_and_spaces():
    assert cache_key("  孵化器　归谁管？ ") == cache_key("孵化器 归谁管?")
    assert cache_key("a\n\tb") == "a b"
    assert cache_key("孵化器") != cache_key("加速器")


def test_caching_encoder_embeds_each_question_once():
    inner = CountingEncoder()
    encoder = CachingEncoder(inner, size=8)
    first = encoder.encode_queries(["孵化器归谁管？", "人才政策"])
    again = encoder.encode_queries(["孵化器归谁管?", "新问题", "人才政策"])
    assert inner.calls == [["孵化器归谁管？", "人才政策"], ["新问题"]]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[2])
    np.testing.assert_array_equal(again[1], inner.encode_queries(["新问题"])[0])
    assert encoder.cache.hits == 2
    assert encoder.name == inner.name and encoder.dim == inner.dim  # the wrapper is transparent
    assert encoder.encode_queries([]).shape == (0, inner.dim)


def test_caching_encoder_duplicates_in_one_call_and_results_are_private():
    inner = CountingEncoder()
    encoder = CachingEncoder(inner)
    out = encoder.encode_queries(["同一个", "同一个 ", "同一个"])
    assert inner.calls == [["同一个"]]
    out[0] += 1.0  # the caller's array is its own: the cache must not change
    np.testing.assert_array_equal(encoder.encode_queries(["同一个"])[0], inner.encode_queries(["同一个"])[0])


def test_query_cache_evicts_least_recently_used():
    cache = QueryCache(size=2)
    cache.put("a", np.ones(2))
    cache.put("b", np.ones(2))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", np.ones(2))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2
    off = QueryCache(size=0)
    off.put("a", np.ones(2))
    assert off.get("a") is None


# ---------------------------------------------------------------- micro-batcher


def _parallel(fn, args, timeout=30.0):
    results, errors = [None] * len(args), [None] * len(args)
    barrier = threading.Barrier(len(args))

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(args[i])
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(args))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a caller hung"
    return results, errors


def test_batcher_routes_each_result_to_its_caller():
    inner = CountingEncoder(delay=0.05)  # slow enough that concurrent callers queue up
    batcher = BatchingEncoder(inner, max_batch=64)
    questions = [[f"问题{i}", f"第二{i}"] if i % 3 == 0 else [f"问题{i}"] for i in range(20)]
    results, errors = _parallel(batcher.encode_queries, questions)
    assert errors == [None] * 20
    reference = FakeEncoder(32)
    for texts, vectors in zip(questions, results):
        np.testing.assert_allclose(vectors, reference.encode_queries(texts), rtol=1e-6)
    assert len(inner.calls) < 20 and batcher.largest_batch > 2  # callers shared encoder calls
    assert sum(len(c) for c in inner.calls) == sum(len(q) for q in questions)


def test_batcher_respects_max_batch():
    inner = CountingEncoder(delay=0.02)
    batcher = BatchingEncoder(inner, max_batch=4, window=0.05)
    _parallel(batcher.encode_queries, [[f"q{i}"] for i in range(12)])
    assert max(len(c) for c in inner.calls) <= 4


def test_batcher_propagates_errors_to_that_batch_only():
    inner = CountingEncoder(delay=0.05, fail_on="坏")
    batcher = BatchingEncoder(inner, window=0.2, max_batch=2)
    # One request alone in its batch fails; the next batch still works.
    with pytest.raises(RuntimeError, match="encoder broke"):
        batcher.encode_queries(["坏问题"])
    assert batcher.encode_queries(["好问题"]).shape == (1, 32)
    results, errors = _parallel(batcher.encode_queries, [["坏"], ["好"]])
    batch_of = {tuple(c): c for c in inner.calls}
    for texts, result, error in zip([["坏"], ["好"]], results, errors):
        together = any("坏" in c and "好" in c for c in batch_of)
        if texts == ["坏"] or together:
            assert isinstance(error, RuntimeError)
        else:
            assert error is None and result.shape == (1, 32)


def test_batcher_rejects_wrong_row_count_and_passes_documents_through():
    class Short(FakeEncoder):
        def encode_queries(self, texts):
            return super().encode_queries(texts[:-1])

    batcher = BatchingEncoder(Short(16))
    with pytest.raises(RuntimeError, match="returned 1 vectors for 2 texts"):
        batcher.encode_queries(["a", "b"])
    assert batcher.encode_documents(["x"], ["t"]).shape == (1, 16)
    assert batcher.encode_queries([]).shape == (0, 16)


def test_wrap_order_cache_hits_skip_the_batcher():
    from assistant.embedding.factory import unwrap, wrap

    inner = CountingEncoder()
    encoder = wrap(inner, cache_size=4)
    encoder.encode_queries(["一"])
    encoder.encode_queries(["一"])
    assert inner.calls == [["一"]] and unwrap(encoder) is inner
    assert wrap(inner, cache_size=0, batching=False) is inner


# ---------------------------------------------------------------- real model (integration)


@pytest.mark.integration
def test_onnx_export_verifies_and_matches_torch():
    from assistant.embedding.encoder import SentenceTransformerEncoder
    from assistant.embedding.model import require_model, sha256_file
    from assistant.embedding.onnx_encoder import OnnxEncoder
    from assistant.embedding.onnx_export import FP32_FILE, INT8_FILE, export_problems, onnx_dir, read_marker

    settings = Settings.from_env()
    folder = onnx_dir(settings)
    assert export_problems(settings) == [], "run `assistant model fetch` to export the ONNX models"
    marker = read_marker(folder)
    # The cheap check trusts sizes; here the full hashes are checked once.
    for name, digest in marker["sha256"].items():
        assert sha256_file(folder / name) == digest, name
    model_dir = require_model(settings)
    torch_encoder = SentenceTransformerEncoder(model_dir, dtype="float32")
    queries = ["孵化器归谁管", "高新区用地怎么保障？", "How are zones evaluated?"]
    documents = ["高新区建设用地应当优先保障，新增建设用地指标向高新区倾斜。", "财政部门负责年度预算的编制工作。"]
    ref_q, ref_d = torch_encoder.encode_queries(queries), torch_encoder.encode_documents(documents, ["用地", None])
    fp32 = OnnxEncoder(model_dir, folder / FP32_FILE)
    assert np.sum(fp32.encode_queries(queries) * ref_q, axis=1).min() >= 0.999
    assert np.sum(fp32.encode_documents(documents, ["用地", None]) * ref_d, axis=1).min() >= 0.999
    if marker["int8"]["kept"]:
        int8 = OnnxEncoder(model_dir, folder / INT8_FILE, document_model_path=folder / FP32_FILE)
        assert np.sum(int8.encode_queries(queries) * ref_q, axis=1).min() >= 0.99
        # Documents of the int8 encoder come from the float32 model: the same index for all.
        assert np.sum(int8.encode_documents(documents, ["用地", None]) * ref_d, axis=1).min() >= 0.999


def test_caching_encoder_with_a_cache_smaller_than_the_call():
    inner = CountingEncoder()
    encoder = CachingEncoder(inner, size=1)
    out = encoder.encode_queries(["一", "二", "三"])
    np.testing.assert_array_equal(out, inner.encode_queries(["一", "二", "三"]))
    assert len(encoder.cache) == 1


def test_saved_bm25_scores_equal_bm25s(tmp_path):
    from assistant.retrieval.sparse import SavedScores, SparseIndex
    from assistant.retrieval.tokenization import Tokenizer

    texts = ["高新区建设用地优先保障", None, "科技金融服务 高新区 信贷", "人才引进 人才 住房", "孵化器 加速器 建设"]
    built = SparseIndex.build(texts, Tokenizer(["高新区", "孵化器"]))
    built.save(tmp_path / "sparse")
    loaded = SparseIndex.load(tmp_path / "sparse")
    assert isinstance(loaded.bm25, SavedScores)
    for question in ["高新区用地", "人才人才住房", "孵化器建设", "完全无关", "高新区 信贷 科技"]:
        np.testing.assert_allclose(loaded.scores(question), built.scores(question), rtol=1e-6)
    (tmp_path / "sparse" / "params.index.json").write_text('{"method": "bm25l"}', encoding="utf-8")
    with pytest.raises(ValueError):
        SavedScores(tmp_path / "sparse")


def test_doc_system_reports_cpu_and_backend(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from assistant.cli import cli

    monkeypatch.setenv("ASSISTANT_MODEL_DIR", str(tmp_path / "no-model"))
    monkeypatch.setenv("ASSISTANT_BACKEND", "auto")
    result = CliRunner().invoke(cli, ["doc", "--system", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["backend"] == "torch" and "torch" in info["available"]  # no export without a model
    assert set(info["cpu"]) >= {"model", "flags", "cores"} and info["dtype"] in ("float32", "bfloat16")
    text = CliRunner().invoke(cli, ["doc", "--system"])
    assert text.exit_code == 0 and "嵌入后端：torch" in text.output
    monkeypatch.setenv("ASSISTANT_BACKEND", "onnx")
    refused = CliRunner().invoke(cli, ["doc", "--system"])
    assert refused.exit_code == 1 and "ASSISTANT_BACKEND=onnx is not available" in refused.output


def test_batcher_lone_query_does_not_wait_for_the_window():
    batcher = BatchingEncoder(FakeEncoder(16), window=5.0)
    start = time.monotonic()
    for _ in range(3):
        batcher.encode_queries(["一个人在问"])
    assert time.monotonic() - start < 4.0  # three calls, none waited the 5 s window
