"""Chinese segmentation for BM25: jieba with a user dictionary made from the corpus.

The dictionary keeps the names that matter in policy questions whole — departments and
their aliases (``人力资源社会保障厅``), zone names (``稀土高新区``), quoted policy terms
(``揭榜挂帅``), clause-title words. Traditional Chinese is converted to simplified first
(OpenCC), English is lower-cased, and stopwords (function words and the question
scaffolding of 哪些/怎么/负责…) are dropped so they do not dilute BM25.

:class:`Tokenizer` is the ``splitter`` callable that the sparse index plugs in.
"""

from __future__ import annotations

import re
from functools import cache
_TOKEN_KEEP = re.compile(r"[\u4e00-\u9fff]|[a-z0-9][a-z0-9.%+-]*", re.IGNORECASE)

# Function words, question scaffolding and politeness; none of them says *what* is asked.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 以及 或 或者 等 等等 是 为 在 对 把 被 从 向 于 以 之 其 这 那 这个 那个 这些 那些 有 有关 相关
    我 我们 你 你们 他 他们 咱 咱们 本 该 各 个 一 一下 一个 一些 有没有 有无 没有 吗 呢 吧 啊 呀 嘛 么 啥 呗
    什么 哪些 哪个 哪家 哪里 哪儿 怎么 怎样 怎么样 如何 多少 几 是否 是不是 能否 能不能 可否 可不可以 为什么
    请问 请 问 想 想问 想知道 知道 告诉 一下子 谢谢 麻烦 帮 帮忙 看看 看 说 讲 提到 提及 规定 文件 政策 意见 这份 里 中
    年 月 日 到 达到 可以 能 能够 会 要 需要 应该 应 都 也 还 又 就 才 很 最 更 所 被 让 给 得 地 着 过 吗
    负责 谁 归 管 主管 牵头 部门 单位 责任 责任单位 哪个部门 哪些部门 由 来 做 干 工作 事 事情 东西 方面 情况
    享受 享有 获得 得到 拿到 申请 支持 扶持 政策支持 相关政策
    a an the of to in on for and or is are be do does what which who whom how why where when can could
    should would will i we you our my me us it its this that these those there any about with by as at
    please tell policy document documents responsible department departments
    """.split()
)

_OPENCC = None


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC t2s); other text passes through."""
    global _OPENCC
    if _OPENCC is None:
        from opencc import OpenCC

        _OPENCC = OpenCC("t2s")
    return _OPENCC.convert(text)


def corpus_terms(documents) -> list[str]:
    """Words the segmenter must keep whole, generated from the documents' structure."""
    from assistant import lexicons
    from assistant.ingest.departments import core_name

    terms: set[str] = set()
    for doc in documents:
        for name in doc.departments.names:
            terms.update({name, core_name(name)})
        text = doc.text
        terms.update(re.findall(r"“([\u4e00-\u9fff]{2,8})”", text))  # “揭榜挂帅”, “提质进位”
        terms.update(_zone_names(text))
        for clause in doc.clauses:
            if 2 <= len(clause.title) <= 8:
                terms.add(clause.title)
    terms.update(alias for alias in lexicons.aliases() if not alias.isascii())
    terms.update(lexicons.synonyms())
    return sorted(t for t in terms if len(t) >= 2)


def _zone_names(text: str) -> set[str]:
    """``稀土高新区``, ``包头国家级稀土高新区``, ``赤峰高新区``: the noun before each 高新区."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    names = set()
    for match in re.finditer("高新区", text):
        words = [p for p in jieba.posseg.lcut(text[max(0, match.start() - 12) : match.start()]) if p.word.strip()]
        # Nouns and place names name a zone; verbs (支持高新区, 推动高新区) do not.
        if words and len(words[-1].word) >= 2 and words[-1].flag.startswith("n"):
            names.add(words[-1].word + "高新区")
            if len(words) >= 3 and words[-2].word == "国家级" and words[-3].flag.startswith("n"):
                names.add(words[-3].word + "国家级" + words[-1].word + "高新区")
    return names


@cache
def base_jieba():
    """jieba's general dictionary, loaded once per process and shared read-only: the
    place and typo look-ups segment with it; each :class:`Tokenizer` copies it."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is noise
    tokenizer = jieba.Tokenizer()
    tokenizer.check_initialized()
    return tokenizer


def new_jieba():
    """A jieba tokenizer of its own (user words added to it stay there), without reading
    the dictionary again."""
    import jieba

    base = base_jieba()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = dict(base.FREQ), base.total
    tokenizer.initialized = True
    return tokenizer


class Tokenizer:
    """jieba (search mode) over simplified text, with a user dictionary and stopwords."""

    def __init__(self, user_words: list[str] | None = None, stopwords=STOPWORDS, synonyms=None):
        self._jieba = new_jieba()
        self.user_words = sorted(set(user_words or []))
        for word in self.user_words:
            # A high frequency so jieba prefers the whole name over its pieces.
            self._jieba.add_word(word, freq=50000)
        self.stopwords = stopwords
        if synonyms is None:  # synonym folding (data/synonyms.json), index and query alike
            from assistant import lexicons

            synonyms = lexicons.synonyms()
        self.synonyms = synonyms

    @classmethod
    def for_documents(cls, documents) -> "Tokenizer":
        return cls(corpus_terms(documents))

    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    def tokenize(self, text: str) -> list[str]:
        text = to_simplified(text or "").lower()
        tokens = []
        for token in self._jieba.cut_for_search(text):
            token = token.strip()
            if not token or token in self.stopwords or not _TOKEN_KEEP.match(token):
                continue
            tokens.append(self.synonyms.get(token, token))
        return tokens
