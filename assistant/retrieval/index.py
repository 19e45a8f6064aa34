"""Index lifecycle: build, verify, load — atomically, under a lock, never half-written.

Layout under ``settings.index_dir``::

    current -> builds/<id>          # a symlink, swapped atomically with os.replace
    builds/<id>/manifest.json       # corpus hash, model id + weights hash, parser version,
                                    # build time, and the SHA-256 of every file below
    builds/<id>/units.jsonl
    builds/<id>/sparse/             # bm25s
    builds/<id>/dense/              # the vector store (stores/): faiss.index, or a Milvus Lite
                                    # database / milvus.json naming a Milvus server collection
    .build.lock                     # fcntl lock: one build at a time

A build writes into ``.tmp-<id>``, renames it into ``builds/`` and then repoints
``current``; a crash at any point leaves the previous build in use. ``load_index`` checks
the manifest and checksums and rebuilds a missing, stale or corrupt index when allowed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.config import PARSER_VERSION, Settings
from assistant.errors import IndexError_
from assistant.retrieval.embedding_cache import CACHE_FILE, cached_vectors
from assistant.retrieval.units import Unit, make_units

MANIFEST = "manifest.json"


@dataclass
class PolicyIndex:
    """Everything retrieval needs, loaded and verified."""

    documents: list
    units: list[Unit]
    sparse: object
    dense: object
    manifest: dict
    path: Path


def encoder_fingerprint(encoder, settings: Settings) -> tuple[str, str]:
    """(model id, weights hash) that a build depends on."""
    from assistant.embedding.encoder import SentenceTransformerEncoder

    if isinstance(encoder, SentenceTransformerEncoder):
        from assistant.embedding.model import weights_hash

        return encoder.name, weights_hash(settings)
    return encoder.name, getattr(encoder, "fingerprint", encoder.name)


def expected_manifest(corpus, encoder, settings: Settings) -> dict:
    from assistant.retrieval.stores.factory import check_store_name

    model_id, weights = encoder_fingerprint(encoder, settings)
    # The store kind too: switching ASSISTANT_STORE rebuilds into a fresh build folder.
    return {"corpus_sha256": corpus.sha256, "model_id": model_id, "weights_sha256": weights,
            "parser_version": PARSER_VERSION, "store": check_store_name(settings.store)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


@contextmanager
def build_lock(index_dir: Path, timeout: float = 600.0):
    """Hold the build lock; a second builder waits (up to ``timeout``) instead of colliding."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".build.lock", "w")
    except OSError as exc:  # a file in the way, a read-only disk …: say where, not a traceback
        raise IndexError_(f"cannot write the index folder {index_dir}: {exc.strerror or exc} "
                          "(set ASSISTANT_INDEX_DIR to a writable folder)") from exc
    with handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexError_(f"another build holds {index_dir / '.build.lock'}; try again later") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(settings: Settings, corpus, encoder, *, progress: bool = False, factory: str = "Flat") -> Path:
    """Build sparse + dense indexes for ``corpus`` and make them current. Returns the build dir."""
    from assistant.retrieval.sparse import SparseIndex
    from assistant.retrieval.stores.factory import discard_store, make_store
    from assistant.retrieval.tokenization import Tokenizer

    index_dir = settings.index_dir
    with build_lock(index_dir):
        started = time.time()
        for stale in index_dir.glob(".tmp-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        # Nanoseconds too: two builds by one process within a second (a rebuild right after a
        # failed load) must not collide on builds/<id>.
        build_id = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}-{os.getpid()}"
        store = make_store(settings, factory, build_id=build_id)  # an unknown store fails here, early
        tmp = index_dir / f".tmp-{build_id}"
        tmp.mkdir(parents=True)

        units = make_units(corpus.documents)
        tokenizer = Tokenizer.for_documents(corpus.documents)
        # Phrases serve the dense signal only: their words are already in their sentence, and
        # BM25's length normalisation would over-reward the short copies.
        sparse_texts = [None if u.kind == "phrase" else u.text for u in units]
        SparseIndex.build(sparse_texts, tokenizer).save(tmp / "sparse")
        vectors = cached_vectors(index_dir / CACHE_FILE, "|".join(encoder_fingerprint(encoder, settings)), units,
                                 lambda todo: _encode_units(encoder, todo, progress))  # embeds new units only
        store.build(units, vectors)
        store.save(tmp / "dense")
        with open(tmp / "units.jsonl", "w", encoding="utf-8") as handle:
            for unit in units:
                handle.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")

        manifest = {**expected_manifest(corpus, encoder, settings), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "build_seconds": round(time.time() - started, 2), "units": len(units),
                    "dim": int(vectors.shape[1]), "faiss": factory, "store": store.kind, "files": _file_hashes(tmp)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync_tree(tmp)

        builds = index_dir / "builds"
        builds.mkdir(exist_ok=True)
        final = builds / build_id
        os.replace(tmp, final)
        current = index_dir / "current"
        if current.is_dir() and not current.is_symlink():  # e.g. copied with `cp -rL`: a symlink
            os.replace(current, builds / f"{build_id}-replaced")  # cannot replace it; removed below
        link = index_dir / f".current-{build_id}"
        os.symlink(Path("builds") / build_id, link)
        os.replace(link, index_dir / "current")  # the atomic switch
        for old in builds.iterdir():
            if old.name != build_id:
                discard_store(_manifest_store(old), old / "dense", settings)
                shutil.rmtree(old, ignore_errors=True)
        return final


def _manifest_store(folder: Path) -> str:
    """The store kind a build was made with ("faiss" for builds older than the store switch)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return manifest.get("store", "faiss") if manifest.get("store") in ("faiss", "milvus") else "faiss"
    except (OSError, ValueError, AttributeError):
        return "faiss"


def _encode_units(encoder, units: list[Unit], progress: bool):
    import numpy as np
    from tqdm import tqdm

    batch = 32
    parts = []
    with tqdm(total=len(units), desc="embedding", unit="unit", disable=not progress) as bar:
        for start in range(0, len(units), batch):
            chunk = units[start : start + batch]
            parts.append(encoder.encode_documents([u.text for u in chunk], [u.title or None for u in chunk]))
            bar.update(len(chunk))
    return np.concatenate(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def current_build(settings: Settings) -> Path | None:
    link = settings.index_dir / "current"
    return link.resolve() if link.exists() else None


def check_index(settings: Settings, corpus, encoder, *, verify_files: bool = True) -> list[str]:
    """Problems with the current index (empty list: usable as is)."""
    folder = current_build(settings)
    if folder is None:
        return [f"no index at {settings.index_dir} (run `assistant build`)"]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"manifest unreadable in {folder}: {exc}"]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        return [f"manifest malformed in {folder}: not a JSON object with a files table"]
    problems = [f"{key} changed: index has {manifest.get(key)!r}, now {value!r}"
                for key, value in expected_manifest(corpus, encoder, settings).items() if manifest.get(key) != value]
    if verify_files:
        files = manifest.get("files", {})
        actual = _file_hashes(folder)
        for name, digest in files.items():
            if name not in actual:
                problems.append(f"index file missing: {name}")
            elif actual[name] != digest:
                problems.append(f"index file corrupt (checksum mismatch): {name}")
        if not files:
            problems.append("manifest lists no files")
    return problems


def load_index(settings: Settings, corpus, encoder, *, rebuild: bool = True, progress: bool = False,
               log=None) -> PolicyIndex:
    """Load the current index; rebuild it first if missing, stale or corrupt (when allowed)."""
    problems = check_index(settings, corpus, encoder)
    if problems:
        if not rebuild:
            raise IndexError_("index unusable: " + "; ".join(problems) + " — run `assistant build`")
        if log:
            log("rebuilding index: " + "; ".join(problems))
        build_index(settings, corpus, encoder, progress=progress)
    try:
        return _open(settings, corpus, encoder)
    except Exception as exc:  # a file that passed its checksum but still fails to load
        if not rebuild:
            raise IndexError_(f"index failed to load: {exc} — run `assistant build`") from exc
        build_index(settings, corpus, encoder, progress=progress)
        return _open(settings, corpus, encoder)


def _open(settings: Settings, corpus, encoder) -> PolicyIndex:
    from assistant.retrieval.sparse import SparseIndex
    from assistant.retrieval.stores.factory import load_store

    folder = current_build(settings)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    with open(folder / "units.jsonl", encoding="utf-8") as handle:
        units = [Unit(**json.loads(line)) for line in handle if line.strip()]
    sparse = SparseIndex.load(folder / "sparse")
    dense = load_store(manifest.get("store", "faiss"), folder / "dense", units, settings)
    return PolicyIndex(corpus.documents, units, sparse, dense, manifest, folder)
