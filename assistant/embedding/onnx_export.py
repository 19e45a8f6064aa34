"""Export EmbeddingGemma to ONNX (float32 + int8 query model), verify it, cache it beside the model.

Run once, at ``assistant model fetch`` time (``make model``): 3–5 minutes on 2 cores, and
it needs torch + onnxscript — which the query path then never imports again.

What is exported: the whole sentence-transformers pipeline (transformer, mean pooling,
the two Dense projections, L2 normalisation) as one graph taking ``input_ids`` and
``attention_mask`` and returning unit vectors, so the runtime needs only onnxruntime
and the ``tokenizers`` library (:mod:`assistant.embedding.onnx_encoder`).

The int8 model is for queries only (documents stay float32, so one index serves every
backend). Naive int8 on every Linear gives cosine ≈ 0.98 to float32; here the sensitive
layers stay float: the first and last transformer layer, every MLP ``down_proj`` (its
inputs after GELU have the widest range), attention score MatMuls and the Dense head.
Weights are quantised per output channel. Both models are checked against torch float32
before the marker is written; int8 is kept only if its worst cosine passes
:data:`INT8_MIN_COSINE`.

Layout, built in a temp folder and renamed into place in one step (like the model)::

    <model_dir>-onnx/model.onnx (+ .data)       float32
    <model_dir>-onnx/model_int8.onnx (+ .data)  int8 query model (when it passed)
    <model_dir>-onnx/.verified.json             source weights hash, sha256 + size of each file,
                                                the measured cosines, versions
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import MODEL_ID, Settings
from assistant.embedding.model import MARKER_NAME, read_marker
from assistant.errors import ModelError

log = logging.getLogger(__name__)

FP32_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"
FORMAT_VERSION = 1
FP32_MIN_COSINE = 0.999
INT8_MIN_COSINE = 0.99
# Transformer layout of EmbeddingGemma-300m: 24 layers × (q, k, v, o, gate, up, down).
LINEARS_PER_LAYER = 7
DOWN_PROJ = 6

_SAMPLE_QUERIES = ["孵化器归谁管", "高新区的科技金融服务有哪些措施？", "人才引进有什么政策", "文号是什么",
                   "研发投入占比要达到多少", "How are high-tech zones evaluated?", "稀土高新区", "今天天气怎么样"]


def onnx_dir(settings: Settings) -> Path:
    """Where the export lives: beside the model folder (same filesystem, same owner)."""
    model_dir = Path(settings.model_dir)
    return model_dir.with_name(model_dir.name + "-onnx")


def export_problems(settings: Settings, weights_sha256: str | None = None) -> list[str]:
    """Cheap check (no hashing, like the model's): marker for these weights, files at their sizes."""
    folder = onnx_dir(settings)
    marker = read_marker(folder)
    if marker is None:
        return [f"no verified ONNX export at {folder} (run `assistant model fetch`)"]
    problems = []
    if marker.get("format") != FORMAT_VERSION or marker.get("model_id") != MODEL_ID:
        problems.append(f"ONNX export at {folder} is from another model or format")
    if weights_sha256 is None:
        from assistant.embedding.model import weights_hash

        weights_sha256 = weights_hash(settings)
    if marker.get("weights_sha256") != weights_sha256:
        problems.append(f"ONNX export at {folder} was made from other weights")
    sizes = marker.get("sizes") if isinstance(marker.get("sizes"), dict) else {}
    for name, size in sizes.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            problems.append(f"{path} is missing or has the wrong size")
    if FP32_FILE not in sizes:
        problems.append(f"marker in {folder} lists no {FP32_FILE}")
    return problems


def available_models(settings: Settings) -> dict[str, Path]:
    """{"onnx": path, "onnx-int8": path} for the verified export's models (empty if none)."""
    try:
        if export_problems(settings):
            return {}
    except ModelError:  # the model itself is missing
        return {}
    folder = onnx_dir(settings)
    marker = read_marker(folder) or {}
    found = {"onnx": folder / FP32_FILE}
    if marker.get("int8", {}).get("kept"):
        found["onnx-int8"] = folder / INT8_FILE
    return found


# ---------------------------------------------------------------------------- export


def ensure_export(settings: Settings, *, echo=None, force: bool = False) -> Path:
    """Export, check and cache the ONNX models unless a verified export exists; return its folder."""
    from assistant.embedding.model import _exclusive_lock, require_model, sha256_file, weights_hash

    model_dir = require_model(settings)
    weights = weights_hash(settings)
    folder = onnx_dir(settings)
    if not force and not export_problems(settings, weights):
        return folder
    with _exclusive_lock(folder):
        if not force and not export_problems(settings, weights):
            return folder
        for stale in folder.parent.glob(f".{folder.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
        try:
            started = time.monotonic()
            say = echo or (lambda message: log.info(message))
            say("正在导出 ONNX 模型（一次性，约 3–5 分钟）… / exporting the embedding model to ONNX (once)")
            torch_model = _load_torch(model_dir)
            _export_fp32(torch_model, work / FP32_FILE)
            say("正在量化（int8）… / quantising the query model to int8")
            _quantize(work / FP32_FILE, work / INT8_FILE)
            checks = _check(torch_model, model_dir, work, _sample_texts(settings))
            if checks["fp32"]["min_cosine"] < FP32_MIN_COSINE:
                raise ModelError(f"ONNX export differs from the torch model (cosine {checks['fp32']['min_cosine']:.4f}); "
                                 "set ASSISTANT_BACKEND=torch")
            int8 = {**checks["int8"], "kept": checks["int8"]["min_cosine"] >= INT8_MIN_COSINE}
            if not int8["kept"]:
                for path in work.glob(INT8_FILE + "*"):
                    path.unlink()
            files = sorted(p.name for p in work.iterdir() if p.is_file())
            import onnxruntime
            import torch

            marker = {"format": FORMAT_VERSION, "model_id": MODEL_ID, "weights_sha256": weights,
                      "sha256": {name: sha256_file(work / name) for name in files},
                      "sizes": {name: (work / name).stat().st_size for name in files},
                      "fp32": checks["fp32"], "int8": int8, "onnxruntime": onnxruntime.__version__,
                      "torch": torch.__version__, "export_seconds": round(time.monotonic() - started, 1)}
            (work / MARKER_NAME).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
            os.chmod(work, 0o755)  # mkdtemp (and the quantiser) made them private; the model is not
            for path in work.iterdir():
                os.chmod(path, 0o644)
            if folder.exists():
                shutil.rmtree(folder)
            os.rename(work, folder)  # atomic: readers see no export or a verified one
            say(f"ONNX 模型已就绪: {folder} ({marker['export_seconds']:.0f} s; int8 "
                f"{'kept' if int8['kept'] else 'dropped'}, min cosine {int8['min_cosine']:.4f})")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return folder


def _load_torch(model_dir: Path):
    from assistant.embedding.encoder import _prepare_env, _quiet_transformers

    _prepare_env()
    from sentence_transformers import SentenceTransformer

    with _quiet_transformers():
        model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    return model.eval()


def _export_fp32(model, path: Path) -> None:
    import torch

    class Pipeline(torch.nn.Module):  # transformer → pooling → Dense → Dense → normalise
        def __init__(self, st):
            super().__init__()
            self.st = st

        def forward(self, input_ids, attention_mask):
            return self.st({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    sample = model.tokenizer(["task: search result | query: 孵化器归谁管", "title: none | text: 一段更长一些的示例文字"],
                             padding=True, return_tensors="pt")
    batch, seq = torch.export.Dim("batch", min=1, max=4096), torch.export.Dim("seq", min=2, max=2048)
    with torch.no_grad():
        program = torch.onnx.export(Pipeline(model).eval(), (sample["input_ids"], sample["attention_mask"]),
                                    dynamo=True, input_names=["input_ids", "attention_mask"],
                                    output_names=["sentence_embedding"], verbose=False,
                                    dynamic_shapes={"input_ids": {0: batch, 1: seq},
                                                    "attention_mask": {0: batch, 1: seq}})
    program.save(str(path), external_data=True)


def int8_nodes(model) -> list[str]:
    """The MatMuls to quantise: Linear weights of layers 1 … n-2, except each ``down_proj``.

    Found by structure, not by name: MatMuls whose second input is a weight, in graph
    order (the transformer's 7 per layer, then possibly the 2 Dense heads). The shapes are checked
    so that a different export layout fails loudly instead of quantising the wrong layers.
    """
    weights = {init.name: list(init.dims) for init in model.graph.initializer}
    linears = [n for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    if len(linears) % LINEARS_PER_LAYER == 2:  # the Dense heads, when exported as weight MatMuls
        linears = linears[:-2]
    n_layers, rest = divmod(len(linears), LINEARS_PER_LAYER)
    if rest or n_layers < 4:
        raise ModelError(f"unexpected ONNX layout: {len(linears)} weight MatMuls")
    chosen = []
    for index, node in enumerate(linears[: n_layers * LINEARS_PER_LAYER]):
        layer, role = divmod(index, LINEARS_PER_LAYER)
        shape = weights[node.input[1]]
        if role == DOWN_PROJ and not shape[0] > shape[1]:  # down_proj maps the wide MLP back
            raise ModelError(f"unexpected ONNX layout: {node.name} is not a down projection ({shape})")
        if 1 <= layer <= n_layers - 2 and role != DOWN_PROJ:
            chosen.append(node.name)
    return chosen


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = int8_nodes(onnx.load(str(source), load_external_data=False))
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_quantize=nodes, op_types_to_quantize=["MatMul"], use_external_data_format=True,
                     extra_options={"MatMulConstBOnly": True})


def _sample_texts(settings: Settings) -> tuple[list[str], list[str]]:
    """Queries (the gold questions when present) and documents, one longer than the 512-token
    sliding window, to compare the export against torch."""
    queries = list(_SAMPLE_QUERIES)
    gold = Path(settings.eval_dir) / "questions.jsonl"
    if gold.is_file():
        for line in gold.read_text(encoding="utf-8").splitlines()[:60]:
            try:
                queries.append(json.loads(line)["question"])
            except (ValueError, KeyError, TypeError):
                continue
    text = ""
    for path in sorted(Path(settings.corpus_dir).glob("*.txt"))[:1]:
        text = path.read_text(encoding="utf-8", errors="replace")
    text = text or "。".join(_SAMPLE_QUERIES) * 40
    documents = [text[:60], text[200:500], text[:1500]]  # the last one is > 512 tokens
    return queries, documents


def _check(torch_model, model_dir: Path, folder: Path, texts) -> dict:
    """Worst cosine of the ONNX models against torch float32 (queries; documents for fp32)."""
    from assistant.embedding.onnx_encoder import OnnxEncoder

    queries, documents = texts
    reference_q = torch_model.encode_query(queries, normalize_embeddings=True, convert_to_numpy=True)
    reference_d = torch_model.encode_document(documents, normalize_embeddings=True, convert_to_numpy=True)
    out = {}
    fp32 = OnnxEncoder(model_dir, folder / FP32_FILE)
    cos_q = np.sum(fp32.encode_queries(queries) * reference_q, axis=1)
    cos_d = np.sum(fp32.encode_documents(documents) * reference_d, axis=1)
    out["fp32"] = {"min_cosine": float(min(cos_q.min(), cos_d.min())), "texts": len(queries) + len(documents)}
    del fp32
    int8 = OnnxEncoder(model_dir, folder / INT8_FILE)
    cos_8 = np.sum(int8.encode_queries(queries) * reference_q, axis=1)
    out["int8"] = {"min_cosine": float(cos_8.min()), "mean_cosine": float(cos_8.mean()), "texts": len(queries),
                   "nodes": "layers 1..n-2 without down_proj, per-channel"}
    return out
