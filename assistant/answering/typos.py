"""Typo tolerance for the corpus's own terms: homophones and one wrong character.

People type Chinese by pinyin, so the usual typo is a homophone (敷化器 for 孵化器, 科技近融
for 科技金融, 人射厅 for 人社厅): a string that is neither in the corpus nor a word of the
general dictionary but sounds exactly like a stretch of corpus text. Department names also
get edit distance 1 (人杜厅 → 人社厅). A correction replaces the typo before retrieval and is
reported in the analysis; a real word is never "corrected".
"""

from __future__ import annotations

import re

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
# Chinese sentence-final modal particles, a closed class of the language.
_FINAL_PARTICLES = "吧吗呢啊呀嘛"


def _per_char(text: str, lazy_pinyin) -> list[str]:
    return [lazy_pinyin(ch)[0] if "\u4e00" <= ch <= "\u9fff" else ch for ch in text]


class TermLexicon:
    """The corpus text indexed by toneless pinyin, for homophone look-ups."""

    def __init__(self, corpus_text: str, departments: set[str], is_word, segment=None):
        from pypinyin import lazy_pinyin

        self.corpus_text = corpus_text
        self.departments = departments
        self.is_word = is_word
        self.segment = segment  # text -> words: corrections must start and end on word boundaries
        self._pinyin = lazy_pinyin
        # One syllable per character; lazy_pinyin on the whole text keeps them aligned.
        self.sounds = _per_char(corpus_text, lambda ch: [ch]) if not corpus_text else [
            s for s in lazy_pinyin(corpus_text, errors=lambda chars: list(chars))]
        if len(self.sounds) != len(corpus_text):  # defensive: fall back to per character
            self.sounds = _per_char(corpus_text, lazy_pinyin)
        self.by_pair: dict[tuple[str, str], list[int]] = {}
        for i in range(len(self.sounds) - 1):
            self.by_pair.setdefault((self.sounds[i], self.sounds[i + 1]), []).append(i)

    def _corpus_bounds(self) -> set[int] | None:
        """Word boundaries of the corpus text, computed once on first use."""
        if self.segment is None:
            return None
        if getattr(self, "_bounds", None) is None:
            self._bounds = self._boundaries(self.corpus_text)
        return self._bounds

    def _homophone(self, sounds: list[str]) -> str | None:
        # The sound-alike must be whole words of the corpus: 到高新区 sounds like the 导高新区
        # inside 引导高新区, which is no term of the document.
        bounds = self._corpus_bounds()
        for pos in self.by_pair.get((sounds[0], sounds[1]), []):
            if bounds is not None and not {pos, pos + len(sounds)} <= bounds:
                continue
            if self.sounds[pos:pos + len(sounds)] == sounds:
                candidate = self.corpus_text[pos:pos + len(sounds)]
                if _CJK_RUN.fullmatch(candidate):
                    return candidate
        return None

    def correct(self, text: str) -> dict[str, str]:
        """{typo: term} for windows of ``text`` (longest first) that sound like corpus text,
        or that are a department name with one wrong character."""
        from rapidfuzz.distance import Levenshtein

        fixes: dict[str, str] = {}
        runs = list(_CJK_RUN.finditer(text))
        bounds = self._boundaries(text) if runs else None
        for match in runs:
            run, offset = match.group(0), match.start()
            sounds = self._pinyin(run)
            if len(sounds) != len(run):
                sounds = _per_char(run, self._pinyin)
            i = 0
            while i < len(run) - 1:
                matched = 0
                for size in range(min(8, len(run) - i), 1, -1):
                    window = run[i:i + size]
                    if window in self.corpus_text or self.is_word(window):
                        continue
                    if i + size == len(run) and window[-1] in _FINAL_PARTICLES:
                        continue  # 是吧？ ends in a modal particle: the asking, no term (十八)
                    if bounds is not None and not {offset + i, offset + i + size} <= bounds:
                        continue  # 哪个部门 is not 哪 + 各部门
                    term = self._homophone(sounds[i:i + size])
                    if term is None and size >= 3 and window[-1] in "厅局委办会行":
                        term = next((d for d in sorted(self.departments) if len(d) == size
                                     and Levenshtein.distance(d, window) == 1), None)
                    # Two characters are too short to trust unless the result is a real word.
                    if term and term != window and (size >= 3 or self.is_word(term)):
                        fixes[window] = term
                        matched = size
                        break
                i += matched or 1
        return fixes

    def everyday_words(self, text: str, fixes=()) -> dict[str, str]:
        """Everyday words the corpus never uses, read as its own term (高企 → 高新技术企业,
        from ``synonyms.json``), so the quoted phrase is chosen by the document's words."""
        from assistant import lexicons

        if getattr(self, "_foreign_words", None) is None:  # once per corpus: the words it never uses
            self._foreign_words = [(w, t) for w, t in sorted(lexicons.synonyms().items(), key=lambda kv: -len(kv[0]))
                                   if len(w) >= 2 and not w.isascii() and w not in self.corpus_text and t in self.corpus_text]
        out = {}
        for word, term in self._foreign_words:
            start = text.find(word)
            if start < 0 or any(word in typo or typo in word for typo in list(fixes) + list(out)):
                continue
            out[word] = term  # curated words: no word-boundary test (jieba cuts 高企要 as 高/企要)
        return out


    def _boundaries(self, text: str) -> set[int] | None:
        if self.segment is None:
            return None
        bounds, pos = {0}, 0
        for word in self.segment(text):
            pos += len(word)
            bounds.add(pos)
        return bounds


def lexicon_for(corpus, jieba_tokenizer=None) -> TermLexicon:
    """The lexicon of ``corpus``, built once per corpus object. ``jieba_tokenizer``: a
    ``jieba.Tokenizer`` whose dictionary says which strings are real words."""
    cached = getattr(corpus, "_term_lexicon", None)
    if cached is None:
        from assistant import lexicons
        from assistant.answering.intent import FIELD_FORMS
        from assistant.ingest.departments import core_name

        departments: set[str] = set()
        for doc in corpus.documents:
            for name in doc.departments.names:
                departments.update({name, core_name(name)})
        departments.update(a for a in lexicons.aliases() if not a.isascii())
        fields = [f for names in FIELD_FORMS.values() for f in names if not f.isascii()]
        # Aliases and field names are terms too, though the text may not contain them.
        text = "\n".join([d.text for d in corpus.documents] + sorted(departments) + fields)
        freq = jieba_tokenizer.FREQ if jieba_tokenizer is not None else {}
        segment = jieba_tokenizer.lcut if jieba_tokenizer is not None else None
        cached = TermLexicon(text, {d for d in departments if len(d) >= 3}, lambda w: freq.get(w, 0) > 0, segment)
        object.__setattr__(corpus, "_term_lexicon", cached)
    return cached


def apply(text: str, fixes: dict[str, str]) -> str:
    for typo, term in fixes.items():
        text = text.replace(typo, term)
    return text
