"""``python bench/int8_quality.py``: is the int8 query model good enough? (run once per export)

Top-1 agreement and Recall@1 on the gold set: int8-ONNX queries vs float32-ONNX queries
(float32 ONNX = sentence-transformers float32 to cosine 0.9999998), against one float32
index built in a temp folder; plus the queries' cosine and identical answer texts.
The bar: top-1 agreement ≥ 99 % and R@1 within 0.5 point.
"""
import json, tempfile
from pathlib import Path
import numpy as np
from assistant.config import Settings
from assistant.qa import Assistant
from assistant.embedding.onnx_encoder import OnnxEncoder
from assistant.embedding.onnx_export import onnx_dir, FP32_FILE, INT8_FILE
from assistant.embedding.model import require_model, weights_hash
from assistant.evaluation.metrics import load_gold, retrieval_metrics
s = Settings.from_env()
tmp = tempfile.mkdtemp(prefix="speedq-")
s = s.with_(index_dir=Path(tmp))
md = require_model(s); od = onnx_dir(s)
fp32 = OnnxEncoder(md, od / FP32_FILE); fp32.fingerprint = weights_hash(s)
int8 = OnnxEncoder(md, od / INT8_FILE, document_model_path=od / FP32_FILE, precision="int8"); int8.fingerprint = weights_hash(s)
a32 = Assistant.load(s, encoder=fp32, rebuild=True)
a8 = Assistant.load(s, encoder=int8, rebuild=False)
gold = load_gold(Path("eval/questions.jsonl"))
print("gold", len(gold))
res = {}
for mode in ("dense", "hybrid"):
    r32, r8 = {}, {}
    for g in gold:
        r32[g.qid] = [h.clause for h in a32.search(g.question, k=5, mode=mode)]
        r8[g.qid] = [h.clause for h in a8.search(g.question, k=5, mode=mode)]
    agree = np.mean([ (r32[q][:1] == r8[q][:1]) for q in r32])
    relevant = {g.qid: set(g.clauses) for g in gold if g.clauses and not g.out_of_scope}
    m32 = retrieval_metrics(r32, relevant)["recall@1"]; m8 = retrieval_metrics(r8, relevant)["recall@1"]
    res[mode] = {"top1_agreement": float(agree), "R@1_fp32": m32, "R@1_int8": m8, "n": len(r32), "n_relevant": len(relevant)}
q = [g.question for g in gold]
v32 = fp32.encode_queries(q); v8 = int8.encode_queries(q)
cos = (v32 * v8).sum(1)
res["query_cos_int8_vs_fp32"] = {"min": float(cos.min()), "mean": float(cos.mean())}
# answers agree?
ans = np.mean([a32.ask(x).answer == a8.ask(x).answer for x in q[:80]])
res["answer_text_identical_first80"] = float(ans)
print(json.dumps(res, indent=1))
