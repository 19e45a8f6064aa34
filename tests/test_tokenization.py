"""jieba segmentation with the corpus user dictionary, stopwords, OpenCC and synonyms."""

from __future__ import annotations

import pytest

from assistant.retrieval.tokenization import Tokenizer, corpus_terms, to_simplified


@pytest.fixture(scope="module")
def tokenizer(corpus):
    return Tokenizer.for_documents(corpus.documents)


@pytest.mark.parametrize("word", ["稀土高新区", "人力资源社会保障厅", "揭榜挂帅"])
def test_domain_words_stay_whole(tokenizer, word):
    assert word in tokenizer(f"关于{word}的规定")


def test_user_dictionary_comes_from_the_corpus(corpus):
    terms = corpus_terms(corpus.documents)
    assert "自治区发展改革委" in terms and "发展改革委" in terms  # department and its core name
    assert "提质进位" in terms  # a quoted policy term
    assert "赤峰高新区" in terms  # a zone name


def test_stopwords_and_question_scaffolding_dropped(tokenizer):
    tokens = tokenizer("请问孵化器建设归哪个部门管？")
    assert "孵化器" in tokens and "建设" in tokens
    assert not {"请问", "哪个", "部门", "管", "？"} & set(tokens)


def test_traditional_input_is_simplified(tokenizer):
    assert to_simplified("高新區的人才公寓誰負責") == "高新区的人才公寓谁负责"
    assert "人才" in tokenizer("高新區人才公寓")


def test_synonyms_fold_on_both_sides(tokenizer):
    assert "高新区" in tokenizer("园区")
    assert "高等院校" in tokenizer("大学")


def test_english_lowercased_without_stopwords(tokenizer):
    assert tokenizer("What is the R&D Intensity target?") == ["r", "d", "intensity", "target"]
