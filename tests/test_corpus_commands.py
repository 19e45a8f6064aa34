"""`assistant add` / `remove`, the library behind them, and the embedding cache that makes
an index update embed only what is new. Fake encoder, temp corpus and index folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import REPO_ROOT, Settings
from assistant.errors import CorpusError
from assistant.ingest.corpus import load_corpus, load_document
from assistant.ingest.library import add_files, remove_document, safe_name
from assistant.retrieval.embedding_cache import CACHE_FILE, cached_vectors
from assistant.retrieval.index import build_index, check_index, load_index
from assistant.retrieval.units import make_units
from tests.doubles import FakeEncoder
from tests.formats import paragraphs_of, write_docx, write_pdf

SEED = REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt"
SECOND = Path(__file__).parent / "samples" / "second_policy.txt"


class CountingEncoder(FakeEncoder):
    def __init__(self, dim=64):
        super().__init__(dim)
        self.embedded = 0

    def encode_documents(self, texts, titles=None):
        self.embedded += len(texts)
        return super().encode_documents(texts, titles)


@pytest.fixture
def home(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "indexes", model_dir=tmp_path / "no-model",
                    feedback_path=tmp_path / "feedback.jsonl", eval_dir=tmp_path / "eval")


@pytest.fixture
def second_pdf(tmp_path) -> Path:
    (tmp_path / "in").mkdir()
    return write_pdf(paragraphs_of(load_document(SECOND)), tmp_path / "in" / "数字经济 措施.pdf")


def units_of(settings) -> list:
    return make_units(load_corpus(settings.corpus_dir).documents)


# -- embedding cache -----------------------------------------------------------------------


def test_update_embeds_only_new_units_and_remove_embeds_none(home, second_pdf):
    encoder = CountingEncoder()
    build_index(home, load_corpus(home.corpus_dir), encoder)
    seed_units = encoder.embedded
    assert seed_units == len(units_of(home))

    (added,) = add_files([second_pdf], home.corpus_dir)
    encoder.embedded = 0
    build_index(home, load_corpus(home.corpus_dir), encoder)
    new_units = [u for u in units_of(home) if u.doc_id == added.doc_id]
    assert encoder.embedded == len(new_units) > 0

    remove_document(added.doc_id, home.corpus_dir)
    encoder.embedded = 0
    index = load_index(home, load_corpus(home.corpus_dir), encoder)
    assert encoder.embedded == 0
    assert {u.doc_id for u in index.units} == {"neimenggu-gaoxinqu-2021"}


def test_cached_vectors_equal_fresh_ones(home):
    encoder = FakeEncoder(64)
    units = units_of(home)[:40]
    encode = lambda todo: encoder.encode_documents([u.text for u in todo], [u.title or None for u in todo])
    stats = {}
    home.index_dir.mkdir()
    first = cached_vectors(home.index_dir / CACHE_FILE, "m", units, encode, stats)
    assert stats == {"cached": 0, "embedded": 40}
    again = cached_vectors(home.index_dir / CACHE_FILE, "m", units, lambda todo: pytest.fail("re-embedded"), stats)
    assert stats == {"cached": 40, "embedded": 0}
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, encode(units))
    # another model fingerprint shares nothing
    cached_vectors(home.index_dir / CACHE_FILE, "other-model", units, encode, stats)
    assert stats["embedded"] == 40


def test_damaged_cache_is_rebuilt_not_fatal(home):
    encoder = CountingEncoder()
    home.index_dir.mkdir()
    (home.index_dir / CACHE_FILE).write_bytes(b"this is not sqlite" * 100)
    build_index(home, load_corpus(home.corpus_dir), encoder)
    assert check_index(home, load_corpus(home.corpus_dir), encoder) == []
    encoder.embedded = 0
    build_index(home, load_corpus(home.corpus_dir), encoder)
    assert encoder.embedded == 0


# -- library -------------------------------------------------------------------------------


def test_add_refuses_duplicates_by_content_and_by_wenhao(home, tmp_path):
    with pytest.raises(CorpusError, match="内容完全相同"):
        add_files([shutil.copy(SEED, tmp_path / "copy.txt")], home.corpus_dir)
    pdf = write_pdf(paragraphs_of(load_document(SEED)), tmp_path / "seed-as.pdf")
    with pytest.raises(CorpusError, match=r"seed-as\.pdf.*neimenggu-gaoxinqu-2021"):
        add_files([pdf], home.corpus_dir)
    edited = tmp_path / "edited.txt"
    edited.write_text(SEED.read_text(encoding="utf-8").replace("指导思想", "总的思路"), encoding="utf-8")
    with pytest.raises(CorpusError, match="文号 内政发〔2021〕13号"):
        add_files([edited], home.corpus_dir)
    assert sorted(p.name for p in home.corpus_dir.iterdir()) == [SEED.name]


def test_add_is_all_or_nothing(home, second_pdf, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CorpusError, match="bad.docx"):
        add_files([second_pdf, bad], home.corpus_dir)
    with pytest.raises(CorpusError, match="重复"):  # the same document twice in one batch
        add_files([second_pdf, write_docx(paragraphs_of(load_document(SECOND)), tmp_path / "s.docx")],
                  home.corpus_dir)
    assert [p.name for p in home.corpus_dir.iterdir()] == [SEED.name]


def test_names_are_safe_and_doc_ids_unique(home, tmp_path):
    assert safe_name("../../etc/数字 经济?.PDF") == "数字-经济.pdf"
    twin = tmp_path / "neimenggu-gaoxinqu-2021.md"  # same stem as the seed, other document
    twin.write_bytes(SECOND.read_bytes())
    (added,) = add_files([twin], home.corpus_dir)
    assert added.doc_id == "neimenggu-gaoxinqu-2021-2"
    assert len({d.doc_id for d in load_corpus(home.corpus_dir).documents}) == 2


def test_remove_unknown_and_last_document(home):
    with pytest.raises(CorpusError, match="没有文档 nope"):
        remove_document("nope", home.corpus_dir)
    with pytest.raises(CorpusError, match="唯一"):
        remove_document("neimenggu-gaoxinqu-2021", home.corpus_dir)


# -- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def run(home, monkeypatch):
    encoder = CountingEncoder()
    loads = []
    monkeypatch.setattr("assistant.embedding.encoder.load_encoder",
                        lambda settings, **kw: loads.append(1) or encoder)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(home.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(home.index_dir))
    monkeypatch.delenv("ASSISTANT_DEBUG", raising=False)

    def invoke(*args):
        result = CliRunner().invoke(cli, list(args))
        assert "Traceback" not in result.output
        return result

    invoke.encoder, invoke.loads = encoder, loads
    return invoke


def test_cli_add_prints_what_was_found_and_remove_forgets_it(run, home, second_pdf):
    assert run("build", "--quiet").exit_code == 0
    result = run("add", "--quiet", str(second_pdf))
    assert result.exit_code == 0, result.output
    for expected in ("已添加 shuzijingji-cuoshi", "某自治区人民政府办公厅关于加快数字经济发展的若干措施", "某政办发〔2023〕8号",
                     "9 条", "自治区工业和信息化厅"):
        assert expected in result.stdout
    assert (home.corpus_dir / "数字经济-措施.pdf").exists()
    corpus = load_corpus(home.corpus_dir)
    index = load_index(home, corpus, run.encoder, rebuild=False)  # add left a current index
    assert "shuzijingji-cuoshi" in {u.doc_id for u in index.units}

    loads, embedded = len(run.loads), run.encoder.embedded
    result = run("remove", "--quiet", "shuzijingji-cuoshi")
    assert (len(run.loads), run.encoder.embedded) == (loads, embedded)  # nothing to embed: no model
    assert result.exit_code == 0 and "已删除 shuzijingji-cuoshi" in result.stdout
    assert not (home.corpus_dir / "数字经济-措施.pdf").exists()
    index = load_index(home, load_corpus(home.corpus_dir), run.encoder, rebuild=False)
    assert {u.doc_id for u in index.units} == {"neimenggu-gaoxinqu-2021"}


def test_cli_add_json_and_no_index(run, home, tmp_path):
    path = write_docx(paragraphs_of(load_document(SECOND)), tmp_path / "second.docx")
    result = run("add", "--json", "--no-index", str(path))
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert row["format"] == "docx" and row["clauses"] == 9 and row["doc_number"] == "某政办发〔2023〕8号"
    assert run.encoder.embedded == 0 and not home.index_dir.exists()


@pytest.mark.parametrize("make,expected", [
    (lambda tmp: tmp / "missing.pdf", "找不到文件"),
    (lambda tmp: (tmp / "zero.pdf").write_bytes(b"") and None or tmp / "zero.pdf", "文件为空"),
    (lambda tmp: (tmp / "old.doc").write_bytes(b"\xd0\xcf") and None or tmp / "old.doc", "不支持"),
    (lambda tmp: shutil.copy(SEED, tmp / "again.txt"), "重复"),
])
def test_cli_add_bad_input_changes_nothing(run, home, tmp_path, make, expected):
    before = sorted(p.name for p in home.corpus_dir.iterdir())
    path = make(tmp_path)
    result = run("add", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误")]
    assert len(errors) == 1 and expected in errors[0] and Path(path).name in errors[0]
    assert sorted(p.name for p in home.corpus_dir.iterdir()) == before
    assert not home.index_dir.exists() and run.encoder.embedded == 0  # no index work either


def test_cli_build_reembeds_everything_unless_asked_to_reuse(run, home):
    units = len(units_of(home))
    assert run("build", "--quiet").exit_code == 0 and run.encoder.embedded == units
    assert run("build", "--quiet").exit_code == 0 and run.encoder.embedded == 2 * units  # from scratch
    assert run("build", "--quiet", "--reuse-embeddings").exit_code == 0 and run.encoder.embedded == 2 * units


def test_update_after_a_model_change_rebuilds_with_the_new_model(home, monkeypatch):
    from assistant.retrieval.incremental import indexed_encoder, update_index
    from assistant.retrieval.index import check_index

    build_index(home, load_corpus(home.corpus_dir), FakeEncoder(64))
    new = CountingEncoder(32)  # another model ("fake-ngram-32") is configured now
    monkeypatch.setattr("assistant.embedding.encoder.load_encoder", lambda settings, **kw: new)
    assert indexed_encoder(home).name == "fake-ngram-64"
    add_files([SECOND], home.corpus_dir)  # a unit to embed: the model is loaded and found changed
    update_index(home)
    assert new.embedded == len(units_of(home))
    assert check_index(home, load_corpus(home.corpus_dir), new) == []
