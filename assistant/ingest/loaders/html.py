"""Web pages saved from a government site (``.html``): the article, not the navigation.

Government CMSs wrap the policy text in a known container (``TRS_Editor``, ``zoom``,
``pages_content`` …); other pages are handled like a small Readability: every paragraph
adds its Chinese text to its parent, link-heavy blocks (menus, "相关链接") score nothing,
and the best-scoring container is the article. The page title (``ArticleTitle`` meta,
``<h1>`` or ``<title>``) is put first when the article body does not start with it, so
the parser finds the 公文 title. A page without a substantial article is refused.
"""

from __future__ import annotations

import re

from assistant.errors import CorpusError
from assistant.ingest.normalize import clean_line

# Containers used by the CMSs of gov.cn and provincial sites, tried before scoring.
_KNOWN = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='zoom']", "//*[@id='UCAP-CONTENT']", "//*[@id='Zoom']",
    "//*[contains(@class, 'pages_content')]", "//*[contains(@class, 'article-content')]",
    "//*[contains(@class, 'article_content')]", "//*[@id='content']//*[contains(@class, 'TRS')]",
    "//*[contains(@class, 'TRS_UEDITOR')]", "//*[contains(@class, 'trs_paper_default')]",
    "//article",
)
# gov.cn-style disclosure tables state the 文号 outside the article: 发文字号：内政发〔2021〕13号
_WENHAO = re.compile(r"(?:发文字号|文号)\s*[：:]\s*([\u4e00-\u9fff]{1,12}[〔\[［][0-9]{4}[〕\]］][0-9]+号)")
_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "select",
         "button", "svg", "canvas", "template")
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
          "blockquote", "pre", "dd", "dt", "ul", "ol", "center", "hr", "td", "th"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_ARTICLE = 100  # Chinese characters: fewer is a navigation page, not a policy
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|--| - | — )\s*")


def load(data: bytes, name: str) -> str:
    import lxml.html
    from lxml import etree

    text = _decode(data, name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise CorpusError(f"{name}: 无法解析网页 (unparseable HTML: {exc})") from None
    title = _page_title(root)
    stated = _WENHAO.search(re.sub(r"\s+", "", root.text_content()))
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP)):
        element.drop_tree()
    article = _article(root)
    lines = _lines(article) if article is not None else []
    body = "\n".join(lines)
    if len(_CJK.findall(body)) < _MIN_ARTICLE:
        raise CorpusError(f"{name}: 网页中没有找到正文 (no article text found; save the page of the policy itself)")
    if title and not any(_compact(title) in _compact(line) or _compact(line) in _compact(title)
                         for line in lines[:3] if len(_compact(line)) >= 6):
        lines.insert(0, title)
    if stated and not any(stated.group(1) in _compact(line) for line in lines[:8]):
        at = 0  # under the title, where the parser reads the 文号
        for i, line in enumerate(lines[:3]):
            if title and _compact(line) in _compact(title):
                at = i + 1
        lines.insert(at, stated.group(1))
    return "\n".join(lines)


def _decode(data: bytes, name: str) -> str:
    declared = _CHARSET.search(data[:4096])
    candidates = ["utf-8-sig", "gb18030"]
    if declared:
        charset = declared.group(1).decode("ascii", "ignore").lower()
        charset = "gb18030" if charset in ("gb2312", "gbk", "gb18030", "x-gbk") else charset
        candidates.insert(0, charset)
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise CorpusError(f"{name}: 无法识别网页编码 (unknown encoding)")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_title(root) -> str:
    for path in ("//meta[@name='ArticleTitle']/@content", "//meta[@property='og:title']/@content",
                 "//h1//text()", "//title//text()"):
        found = " ".join(t.strip() for t in root.xpath(path) if t.strip())
        if found:
            # "<policy title>_<site name>": the policy is the longest part
            return clean_line(max(_TITLE_SEPARATORS.split(found), key=len))
    return ""


def _text_len(element) -> int:
    return len(_CJK.findall(element.text_content()))


def _link_density(element) -> float:
    total = _text_len(element)
    linked = sum(_text_len(a) for a in element.xpath(".//a"))
    return linked / total if total else 1.0


def _article(root):
    for path in _KNOWN:
        for candidate in root.xpath(path):
            if _text_len(candidate) >= _MIN_ARTICLE and _link_density(candidate) < 0.5:
                return candidate
    scores: dict = {}
    for paragraph in root.xpath("//p | //div[not(.//div) and not(.//p)] | //td[not(.//td) and not(.//p)]"):
        length = _text_len(paragraph)
        if length < 10 or _link_density(paragraph) > 0.5:
            continue
        parent = paragraph.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + length
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + length / 2
    ranked = sorted(scores.items(), key=lambda kv: kv[1] * (1 - _link_density(kv[0])), reverse=True)
    return ranked[0][0] if ranked else None


def _lines(element) -> list[str]:
    """Text of ``element`` with a line break at each block element and ``<br>``."""
    parts: list[str] = []

    def walk(node, root=False):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCK:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK:
            parts.append("\n")
        if node.tail and not root:
            parts.append(node.tail)

    walk(element, root=True)
    # inside a block, source line breaks are just whitespace
    text = "".join(p if p == "\n" else p.replace("\r", " ").replace("\n", " ") for p in parts)
    return [line for line in (clean_line(raw) for raw in text.split("\n")) if line]
