"""Milvus: Milvus Lite (embedded, a folder inside the build) on one machine, or a Milvus
server / cluster by URI — the same pymilvus ``MilvusClient`` code for both.

One collection per build: ``id`` (unit id, primary key), ``doc_id``, ``clause``, ``kind``,
``departments`` (array) as scalar fields, so a filter by document or 责任单位 runs in the
engine; ``vector`` with inner-product metric (cosine on unit vectors), ``FLAT`` (exact, the
same ranking as FAISS ``Flat``) or ``HNSW``. Unit texts stay in the build's unit store.

Lite: the database is ``<build>/dense/milvus.db``, written, flushed and closed before the
build folder is renamed into place (a closed Lite database survives the rename unchanged,
so the manifest's checksums hold). Lite locks its folder for one process; a second process
opening the same index gets a private copy. Server: ``ASSISTANT_MILVUS_URI`` (token from
``ASSISTANT_MILVUS_TOKEN``); the collection is named after the build id and dropped when the
build is removed; ``milvus.json`` in the build records which collection it is.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.errors import IndexError_
from assistant.retrieval.stores import clause_departments

INFO = "milvus.json"
LITE_DB = "milvus.db"
LITE_COLLECTION = "units"
INSERT_BATCH = 2000
EF_SEARCH = 128  # as the FAISS store's HNSW
MAX_DEPARTMENTS = 64


def _token() -> str:
    return os.environ.get("ASSISTANT_MILVUS_TOKEN", "").strip()


def _connect(uri: str):
    from pymilvus import MilvusClient

    try:
        return MilvusClient(uri=uri, token=_token()) if _token() else MilvusClient(uri=uri)
    except Exception as exc:  # pymilvus raises several types; all mean "cannot reach it"
        where = uri if "://" in uri else f"Milvus Lite 数据库 {uri}"
        raise IndexError_(f"无法连接 Milvus（cannot connect to {where}: {exc}）") from exc


def _release_lite(db: Path) -> None:
    """Stop this process's Lite server for ``db``: flushes it and frees its folder lock."""
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(db))


def _open_lite(db: Path):
    """A client on the Lite database ``db``; on a private copy if another process holds it."""
    from milvus_lite.server_manager import server_manager_instance

    if os.path.abspath(db) in server_manager_instance._servers or not _locked_elsewhere(db):
        return _connect(str(db))
    copy = Path(tempfile.mkdtemp(prefix="milvus-lite-")) / LITE_DB
    shutil.copytree(db, copy, ignore=shutil.ignore_patterns("LOCK"))
    atexit.register(shutil.rmtree, copy.parent, True)
    return _connect(str(copy))


def _locked_elsewhere(db: Path) -> bool:
    import fcntl

    try:
        fd = os.open(db / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _quoted(values) -> str:
    return json.dumps([str(v) for v in values], ensure_ascii=False)


class MilvusStore:
    kind = "milvus"

    def __init__(self, factory: str = "Flat", uri: str = "", collection: str = LITE_COLLECTION, client=None,
                 size: int = 0):
        self.factory, self.uri, self.collection = factory, uri, collection
        self.client, self.size = client, size
        self._pending: tuple[list, np.ndarray] | None = None

    @staticmethod
    def collection_name(build_id: str) -> str:
        return "policy_units_" + (re.sub(r"[^0-9A-Za-z_]", "_", build_id) or "default")

    # -- build -------------------------------------------------------------------
    def build(self, units: list, vectors: np.ndarray) -> None:
        if len(units) != len(vectors):
            raise ValueError(f"{len(units)} units but {len(vectors)} vectors")
        self._pending, self.size = (list(units), np.asarray(vectors, dtype=np.float32)), len(units)

    def save(self, folder: Path) -> None:
        """Create the collection and insert the units (nothing is written before this)."""
        units, vectors = self._pending
        folder.mkdir(parents=True, exist_ok=True)
        lite = not self.uri
        if lite:
            self.collection = LITE_COLLECTION
        client = _connect(str(folder / LITE_DB) if lite else self.uri)
        if client.has_collection(self.collection):
            client.drop_collection(self.collection)
        client.create_collection(self.collection, schema=self._schema(client, vectors.shape[1]),
                                 index_params=self._index_params(client))
        departments = clause_departments(units)
        for start in range(0, len(units), INSERT_BATCH):
            client.insert(self.collection, [
                {"id": u.id, "doc_id": u.doc_id, "clause": int(u.clause), "kind": u.kind,
                 "departments": departments.get((u.doc_id, u.clause), [])[:MAX_DEPARTMENTS], "vector": v}
                for u, v in zip(units[start : start + INSERT_BATCH], vectors[start : start + INSERT_BATCH].tolist())])
        client.flush(self.collection)
        info = {"collection": self.collection, "factory": self.factory, "dim": int(vectors.shape[1]),
                "size": len(units), "lite": LITE_DB if lite else None}
        (folder / INFO).write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        self._pending = None
        client.close()
        if lite:  # closed and unlocked before the build folder is renamed
            _release_lite(folder / LITE_DB)

    def _schema(self, client, dim: int):
        from pymilvus import DataType

        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=1024)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field("clause", DataType.INT64)
        schema.add_field("kind", DataType.VARCHAR, max_length=32)
        schema.add_field("departments", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_DEPARTMENTS,
                         max_length=256)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        return schema

    def _index_params(self, client):
        params = client.prepare_index_params()
        if self.factory.startswith("HNSW"):
            params.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                             params={"M": int(self.factory[4:] or 32), "efConstruction": 40})
        else:
            params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        params.add_index(field_name="doc_id", index_type="INVERTED")
        return params

    # -- load / search -------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path, units: list, uri: str = "") -> "MilvusStore":
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        if info.get("lite"):
            client = _open_lite(folder / info["lite"])
        elif not uri:
            raise IndexError_("该索引建在 Milvus 服务器上，请设置 ASSISTANT_MILVUS_URI"
                              "（the index lives on a Milvus server: set ASSISTANT_MILVUS_URI）")
        else:
            client = _connect(uri)
        if not client.has_collection(info["collection"]):
            raise IndexError_(f"Milvus 中没有集合 {info['collection']}（collection missing: rebuild the index）")
        client.load_collection(info["collection"])
        if info["size"] != len(units):
            raise ValueError(f"Milvus collection holds {info['size']} vectors for {len(units)} units")
        return cls(info.get("factory", "Flat"), uri, info["collection"], client, info["size"])

    @staticmethod
    def discard(folder: Path, uri: str = "") -> None:
        """Drop a removed server build's collection (a Lite database goes with its folder)."""
        try:
            info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if info.get("lite") or not uri:
            return
        try:
            client = _connect(uri)
            if client.has_collection(info["collection"]):
                client.drop_collection(info["collection"])
            client.close()
        except Exception:  # best effort: an unreachable server must not fail a finished build
            pass

    def search(self, vector: np.ndarray, k: int, doc_ids=None, departments=None) -> list[tuple[str, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first; filters run in Milvus."""
        k = min(k, self.size)
        if k <= 0:
            return []
        clauses = []
        if doc_ids is not None:
            clauses.append(f"doc_id in {_quoted(doc_ids)}")
        if departments is not None:
            clauses.append(f"array_contains_any(departments, {_quoted(departments)})")
        params = {"metric_type": "IP", "params": {"ef": max(EF_SEARCH, k)} if self.factory.startswith("HNSW") else {}}
        result = self.client.search(self.collection, data=[np.asarray(vector, dtype=np.float32).tolist()], limit=k,
                                    filter=" and ".join(clauses), search_params=params, output_fields=[])
        return [(hit["id"], float(hit["distance"])) for hit in result[0]]
