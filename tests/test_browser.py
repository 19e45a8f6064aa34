"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

A two-turn conversation (the follow-up is understood through the first turn and both stay
on screen), a citation card expanded and opened in 政策原文, a department link, 👍 saved,
the conversation downloaded as Markdown, 新对话, markup typed as a question, the 部门 tab,
and the same conversation at 390 px — with screenshots written to a temp folder (printed).
Uses the fake encoder, so it is quick, and watches that the page loads nothing from
outside the machine.
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
def app(tmp_path_factory, fake_assistant):
    from assistant.web.ui import build_ui

    feedback = tmp_path_factory.getbasetemp() / "browser-feedback" / "feedback.jsonl"
    demo = build_ui(fake_assistant, feedback)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    yield url, feedback
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


def test_two_turn_conversation(page, app, shots):
    _, feedback = app
    _say(page, "孵化器建设归哪个部门管？")
    first = _bot(page, "责任单位是")
    assert "孵化器" in first.inner_text() and "自治区科技厅" in first.inner_text()
    citation = page.get_by_text("依据：第（十一）条").first
    citation.wait_for()

    _say(page, "这一条还支持什么？", enter=True)
    understood = _understood(page)
    assert "理解为：第（十一）条" in understood.inner_text()
    assert page.locator("#pa-chat [data-testid='user']").count() == 2  # both turns stay on screen
    assert "众创空间" in _bot(page, "理解为").inner_text()
    page.screenshot(path=str(shots / "chat-desktop.png"), full_page=True)

    # A citation card: expand it, then the full clause with the quoted sentences in bold.
    page.get_by_text("依据：第（十一）条").last.click()
    summary = page.locator("#pa-chat details.pa-details summary").last
    summary.wait_for(state="visible")
    summary.click()
    bold = page.locator("#pa-chat details.pa-details[open] .pa-fulltext strong").first
    bold.wait_for(state="visible")
    assert bold.inner_text()

    # 👍 on the last answer: one JSON line with the question (not the rewritten one).
    # The Like button of the last answer's message (each message row is followed by its buttons).
    row = page.locator("#pa-chat .message-row", has_text="理解为").last
    buttons = row.locator("xpath=following-sibling::div[1]")
    buttons.locator("button[aria-label='赞'], button[aria-label='Like']").first.click()  # zh-CN / en
    page.locator("#pa-feedback-status", has_text="已记录").wait_for()
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == "这一条还支持什么？"

    # The whole conversation as Markdown with its sources.
    with page.expect_download() as info:
        page.locator("#pa-download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "第 1 问：孵化器建设归哪个部门管？" in text and "第 2 问：这一条还支持什么？" in text
    assert "理解为：第（十一）条" in text and "责任单位：" in text and "来源：" in text

    # Links in the card open the department and the clause in their tabs.
    page.locator("#pa-chat a.pa-link", has_text="自治区科技厅").last.click()
    page.locator("#pa-dept-result .pa-dept-head", has_text="自治区科技厅").wait_for()
    assert page.get_by_role("tab", name="按部门查看").get_attribute("aria-selected") == "true"
    _tab(page, "智能问答")
    page.locator("#pa-chat a.pa-link", has_text="在政策原文中查看").last.click()
    page.locator("#pa-clause .pa-clause-title", has_text="第（十一）条").wait_for()
    assert page.get_by_role("tab", name="政策原文").get_attribute("aria-selected") == "true"
    page.locator("#pa-outline .pa-ol-on", has_text="加强对科技创新创业的服务支持").wait_for()


def test_new_conversation_forgets_the_context(page):
    _tab(page, "智能问答")
    page.locator("#pa-new").click()
    page.wait_for_function("() => !document.querySelector(\"#pa-chat [data-testid='user']\")")
    _say(page, "下一条呢？")
    box = _bot(page, "需要补充")
    assert "请先说明是哪一条" in box.inner_text()


def test_example_button_and_follow_up_example(page):
    _tab(page, "智能问答")
    page.locator("#pa-new").click()
    before = page.locator("#pa-chat [data-testid='bot']").count()
    page.get_by_role("button", name="第五条讲什么？").click()
    page.wait_for_function("n => document.querySelectorAll(\"#pa-chat [data-testid='bot']\").length > n",
                           arg=before)
    page.get_by_role("button", name="再下一条呢？").click()
    _understood(page, "第（六）条").wait_for()


def test_markup_in_question_is_text(page):
    _tab(page, "智能问答")
    question = '<img src=x onerror="alert(1)"><script>alert(2)</script>${7*7}{{7*7}}'
    _say(page, question)
    shown = page.locator("#pa-chat [data-testid='user']").last
    assert "<img" in shown.inner_text() and "<script>" in shown.inner_text()
    assert page.locator("#pa-chat img[src='x']").count() == 0
    assert page.dialogs == []


def test_departments_tab(page):
    _tab(page, "按部门查看")
    page.locator("#pa-dept-text input, #pa-dept-text textarea").first.fill("发改委")
    page.locator("#pa-dept-search").click()
    head = page.locator("#pa-dept-result .pa-dept-head", has_text="自治区发展改革委")
    head.wait_for()
    assert page.locator("#pa-dept-result .pa-cite").count() >= 3
    page.locator("#pa-dept-result [data-clause]").first.click()
    page.locator("#pa-clause .pa-clause-title").wait_for()
    assert page.get_by_role("tab", name="政策原文").get_attribute("aria-selected") == "true"


def test_phone_width(browser, app, shots):
    context, pg = _open(browser, app[0], 390, 844)
    try:
        _say(pg, "人社厅负责哪些？")
        _say(pg, "那能源局呢？")
        _understood(pg, "能源局").wait_for()
        assert pg.locator("#pa-chat [data-testid='user']").count() == 2
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
