"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

One app start over two documents (the seed and a second one), on the fake encoder, for
every check: a two-turn conversation where each answer is exactly one message — the direct
answer with [n] markers, the sources folded inside it, no debug panel — a marker that opens
the clause in 政策原文 with the quote highlighted, a department link, 👍 saved, the
conversation downloaded as Markdown, both documents in 按部门查看 and 政策原文, the duty
table downloaded and read back with openpyxl, 导读, 新对话, markup typed as a question, and
the same at 390 px — with screenshots written to a temp folder (printed). Watches that the
page loads nothing from outside the machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.loadtest import free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    path = tmp_path_factory.mktemp("screenshots")
    print(f"screenshots: {path}")
    return path


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory):
    """The seed and a second document, with the fake encoder."""
    import shutil

    from assistant.config import REPO_ROOT, Settings
    from assistant.qa import Assistant
    from tests.doubles import FakeEncoder

    home = tmp_path_factory.mktemp("browser-home")
    corpus = home / "corpus"
    corpus.mkdir()
    shutil.copy(REPO_ROOT / "corpus" / "neimenggu-gaoxinqu-2021.txt", corpus)
    shutil.copy(Path(__file__).parent / "samples" / "second_policy.txt", corpus)
    settings = Settings(corpus_dir=corpus, index_dir=home / "indexes", model_dir=home / "no-model",
                        feedback_path=home / "feedback.jsonl", eval_dir=home / "eval")
    return Assistant.load(settings, encoder=FakeEncoder(64))


@pytest.fixture(scope="module")
def app(tmp_path_factory, two_documents):
    from assistant.web.ui import build_ui

    feedback = tmp_path_factory.getbasetemp() / "browser-feedback" / "feedback.jsonl"
    demo = build_ui(two_documents, feedback)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    yield url, feedback, demo
    demo.close()


@pytest.fixture(scope="module")
def browser(app):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Chromium "
                    "(apt-get install -y chromium fonts-noto-cjk).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: run `make test`, which installs the test extras.")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url, width: int, height: int = 900):
    outside: list[str] = []
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto(url)
    pg.locator("#pa-question textarea").wait_for()
    pg.outside, pg.dialogs = outside, dialogs
    return context, pg


@pytest.fixture(scope="module")
def page(browser, app):
    context, pg = _open(browser, app[0], 1280)
    yield pg
    assert pg.outside == [], pg.outside
    context.close()


def _say(page, question: str, *, enter: bool = False):
    before = page.locator("#pa-chat [data-testid='bot']").count()
    box = page.locator("#pa-question textarea")
    box.fill(question)
    box.press("Enter") if enter else page.locator("#pa-send").click()
    page.wait_for_function(
        "n => document.querySelectorAll(\"#pa-chat [data-testid='bot']\").length > n", arg=before)
    page.locator("#pa-chat [data-testid='bot']").last.wait_for()


def _bot(page, has_text: str):
    return page.locator("#pa-chat [data-testid='bot']", has_text=has_text).last


def _understood(page, has_text: str = "理解为"):
    return page.locator("#pa-chat [data-testid='bot'] em", has_text=has_text).last


def _tab(page, name: str):
    page.get_by_role("tab", name=name).click()


BOT = "#pa-chat [data-testid='bot']"


def _one_answer_each(page):
    """Exactly one assistant message per question."""
    assert page.locator(BOT).count() == page.locator("#pa-chat [data-testid='user']").count()


def test_one_message_per_answer_markers_and_sources(page, app, shots):
    _, feedback, _ = app
    _say(page, "孵化器建设归哪个部门管？")
    first = _bot(page, "责任单位是")
    assert "孵化器" not in first.locator("summary").first.inner_text()
    assert "自治区科技厅" in first.inner_text()
    _one_answer_each(page)
    marker = first.locator("a.pa-marker-link").first
    assert marker.inner_text() == "[1]"
    sources = first.locator("details.pa-sources")
    assert sources.count() == 1 and sources.get_attribute("open") is None  # folded
    assert "问题分析" not in first.inner_text() and page.locator("#pa-chat details.pa-debug").count() == 0
    sources.locator("summary").click()
    source = first.locator(".pa-source").first
    source.wait_for(state="visible")
    assert "第（十一）条 加强对科技创新创业的服务支持" in source.inner_text()
    assert "内政发〔2021〕13号" in source.inner_text() and source.locator("blockquote").count() == 1

    _say(page, "这一条还支持什么？", enter=True)
    assert "理解为：" in _understood(page).inner_text() and "第（十一）条" in _understood(page).inner_text()
    assert page.locator("#pa-chat [data-testid='user']").count() == 2  # both turns stay on screen
    _one_answer_each(page)
    page.screenshot(path=str(shots / "chat-desktop.png"), full_page=True)

    # 👍 on the last answer (its message row is followed by its buttons): one JSON line.
    row = page.locator("#pa-chat .message-row", has_text="理解为").last
    buttons = row.locator("xpath=following-sibling::div[1]")
    assert buttons.locator("button[aria-label='赞'], button[aria-label='Like']").count() == 1
    buttons.locator("button[aria-label='赞'], button[aria-label='Like']").first.click()  # zh-CN / en
    page.locator("#pa-feedback-status", has_text="已记录").wait_for()
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == "这一条还支持什么？"

    with page.expect_download() as info:
        page.locator("#pa-download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "第 1 问：孵化器建设归哪个部门管？" in text and "第 2 问：这一条还支持什么？" in text
    assert "理解为：" in text and "责任单位：" in text and "来源：" in text

    # The marker opens 政策原文 at the clause with the quoted span highlighted.
    first.locator("a.pa-marker-link").first.click()
    page.locator("#pa-clause .pa-clause-title", has_text="第（十一）条").wait_for()
    assert page.get_by_role("tab", name="政策原文").get_attribute("aria-selected") == "true"
    mark = page.locator("#pa-clause mark").first
    mark.wait_for(state="visible")
    assert mark.inner_text() in source.locator("blockquote").inner_text()
    page.locator("#pa-outline .pa-ol-on", has_text="加强对科技创新创业的服务支持").wait_for()

    # A department in a source opens 按部门查看.
    _tab(page, "智能问答")
    page.locator("#pa-chat .pa-source a.pa-link", has_text="自治区科技厅").first.click()
    page.locator("#pa-dept-result .pa-dept-head", has_text="自治区科技厅").wait_for()
    assert page.get_by_role("tab", name="按部门查看").get_attribute("aria-selected") == "true"


def test_every_tab_shows_both_documents_and_the_duty_table_downloads(page, app):
    from openpyxl import load_workbook

    demo = app[2]
    _tab(page, "按部门查看")
    page.locator("#pa-dept-text input, #pa-dept-text textarea").first.fill("")
    page.locator("#pa-dept-search").click()
    for doc in ("neimenggu-gaoxinqu-2021", "second_policy"):
        page.locator(f"#pa-dept-result .pa-doc-head[data-doc='{doc}']").wait_for()
    page.locator("#pa-dept-text input, #pa-dept-text textarea").first.fill("发改委")
    page.locator("#pa-dept-search").click()
    page.locator("#pa-dept-result .pa-dept-head", has_text="自治区发展改革委").wait_for()
    assert page.locator("#pa-dept-result .pa-doc-head").count() == 2  # resolved in each document

    page.get_by_text("责任分工表（部门 × 条款，可导出）").click()
    page.locator("#pa-duty table.pa-duty").wait_for()
    with page.expect_download() as info:
        page.locator("#pa-duty-xlsx").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as fh:
        rows = list(load_workbook(fh).active.iter_rows(values_only=True))
    expected = demo.handlers.duty_rows()
    assert list(rows[0][:6]) == ["文件", "文号", "条款", "标题", "责任单位", "顺序"]
    assert [(r[1], r[2], r[4], r[5]) for r in rows[1:]] == [(e.doc_number, e.cite, e.department, e.order)
                                                           for e in expected]
    assert {r[1] for r in rows[1:]} == {"内政发〔2021〕13号", "某政办发〔2023〕8号"}

    _tab(page, "政策原文")
    page.locator("#pa-outline [data-clause='second_policy:2']").wait_for()
    page.locator("#pa-outline [data-clause='second_policy:2']").click()
    page.locator("#pa-clause .pa-clause-title", has_text="第二条").wait_for()
    assert "某政办发〔2023〕8号" in page.locator("#pa-meta").inner_text()
    page.get_by_text("导读（新员工从这里开始）").click()
    guide = page.locator("#pa-guide .pa-guide")
    guide.first.wait_for(state="visible")
    assert guide.count() == 2 and "目标与指标" in guide.first.inner_text()


def test_new_conversation_and_markup(page):
    _tab(page, "智能问答")
    page.locator("#pa-new").click()
    page.wait_for_function("() => !document.querySelector(\"#pa-chat [data-testid='user']\")")
    _say(page, "下一条呢？")
    assert "请先说明是哪一条" in _bot(page, "需要补充").inner_text()
    question = '<img src=x onerror="alert(1)"><script>alert(2)</script>${7*7}{{7*7}}'
    _say(page, question)
    shown = page.locator("#pa-chat [data-testid='user']").last
    assert "<img" in shown.inner_text() and "<script>" in shown.inner_text()
    assert page.locator("#pa-chat img[src='x']").count() == 0
    assert page.dialogs == []
    _one_answer_each(page)


def test_phone_width(browser, app, shots):
    context, pg = _open(browser, app[0], 390, 844)
    try:
        _say(pg, "人社厅负责哪些？")
        _say(pg, "那能源局呢？")
        _understood(pg, "能源局").wait_for()
        assert pg.locator("#pa-chat [data-testid='user']").count() == 2
        _one_answer_each(pg)
        assert pg.locator(f"{BOT} a.pa-marker-link").count() >= 2
        pg.locator(f"{BOT} details.pa-sources summary").last.click()
        pg.locator(f"{BOT} .pa-source").last.wait_for(state="visible")
        pg.screenshot(path=str(shots / "chat-390.png"), full_page=True)
        # Nothing wider than the phone: no sideways scrolling.
        assert pg.evaluate("document.documentElement.scrollWidth") <= 392
        assert pg.outside == []
    finally:
        context.close()


def _open_tab(page, name: str):
    """A tab by name, through Gradio's overflow menu when a narrow screen hides it there."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(".overflow-menu > button").first.click()
    page.locator(".overflow-dropdown button", has_text=name).first.click()


def _match(page, text: str, expect: str = "理解为"):
    _open_tab(page, "企业政策匹配")
    page.locator("#pa-match-text textarea").fill(text)
    page.locator("#pa-match-go").click()
    page.locator("#pa-match-result .pa-match-message", has_text=expect).wait_for()


def test_match_tab(page, shots):
    _match(page, "我们是包头的一家高新技术企业，首次通过认定", expect="措施")
    result = page.locator("#pa-match-result")
    result.locator(".pa-match-item").first.wait_for()
    assert "理解为：高新技术企业" in result.inner_text()
    assert result.locator(".pa-match-doc h3").count() >= 1  # grouped by document
    assert result.locator(".pa-match-conditions li").count() >= 1  # conditions visible
    assert "联系部门" in result.inner_text()
    page.locator("#pa-match-excel a, #pa-match-excel [download]").first.wait_for()
    page.locator("#pa-match-md a, #pa-match-md [download]").first.wait_for()
    page.screenshot(path=str(shots / "match-1280.png"), full_page=True)
    _match(page, "随便问问", expect="没有识别出申请主体")


def test_match_tab_phone_width(browser, app, shots):
    context, pg = _open(browser, app[0], 390, 844)
    try:
        _match(pg, "我们是包头的一家科技型中小企业", expect="措施")
        pg.locator("#pa-match-result .pa-match-item").first.wait_for()
        pg.screenshot(path=str(shots / "match-390.png"), full_page=True)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 392
        assert pg.outside == []
    finally:
        context.close()
