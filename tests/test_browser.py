"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

Asks a question, checks the answer shows a citation with its departments, expands the
clause, opens it in the 政策原文 tab, rates the answer, and visits a refusal and the
部门 tab — saving screenshots to ``eval/screenshots/``. Uses the fake encoder, so it is
quick, and watches that the page loads nothing from outside the machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.config import REPO_ROOT
from bench.loadtest import free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO_ROOT / "eval" / "screenshots"
TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def app(tmp_path_factory, fake_assistant):
    from assistant.web.ui import build_ui

    feedback = tmp_path_factory.getbasetemp() / "browser-feedback" / "feedback.jsonl"
    demo = build_ui(fake_assistant, feedback)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    yield url, feedback
    demo.close()


@pytest.fixture(scope="module")
def page(app):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Chromium "
                    "(apt-get install -y chromium fonts-noto-cjk).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: run `make test`, which installs the test extras.")
    url, _ = app
    outside: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
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
        yield pg
        context.close()
        browser.close()


def _ask(page, question: str):
    box = page.locator("#pa-question textarea")
    box.fill(question)
    page.locator("#pa-ask").click()
    page.locator("#pa-answer .pa-q-text", has_text=question[:8]).wait_for()


def _tab(page, name: str):
    page.get_by_role("tab", name=name).click()


def test_question_answer_citation_and_clause(page, app):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, feedback = app
    _ask(page, "孵化器建设归哪个部门管？")
    card = page.locator("#pa-answer .pa-cite").first
    card.wait_for()
    assert "第（十一）条" in card.locator(".pa-label").inner_text()
    depts = card.locator(".pa-depts .pa-chip").all_inner_texts()
    assert "自治区科技厅" in depts, depts
    assert "孵化器" in page.locator("#pa-answer .pa-box-answer").inner_text()
    page.screenshot(path=str(SHOTS / "01-answer.png"), full_page=True)

    # Expand the clause: full text with the quoted sentence highlighted.
    card.locator("details summary").click()
    mark = card.locator(".pa-fulltext mark").first
    mark.wait_for(state="visible")
    assert "孵化器" in mark.inner_text()
    card.screenshot(path=str(SHOTS / "02-citation-expanded.png"))

    # Rate the answer: one JSON line with question and answer.
    page.locator("#pa-up").click()
    page.locator("#pa-feedback-status", has_text="已记录").wait_for()
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == "孵化器建设归哪个部门管？"
    assert "孵化器" in record["answer"]

    # Copy and download the answer as Markdown.
    page.locator("#pa-copy").click()
    page.locator("#pa-feedback-status", has_text="已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# 问：孵化器建设归哪个部门管？") and "第（十一）条" in copied
    with page.expect_download() as info:
        page.locator("#pa-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".md")
    assert Path(download.path()).read_text(encoding="utf-8") == copied

    # Open the clause in the policy tab.
    card.locator("[data-clause]").click()
    page.locator("#pa-clause .pa-clause-title", has_text="第（十一）条").wait_for()
    assert page.get_by_role("tab", name="政策原文").get_attribute("aria-selected") == "true"
    assert "自治区科技厅" in page.locator("#pa-clause .pa-depts").inner_text()
    page.locator("#pa-outline .pa-ol-on", has_text="加强对科技创新创业的服务支持").wait_for()
    page.screenshot(path=str(SHOTS / "03-policy-tab.png"), full_page=True)

    # The outline opens other clauses.
    page.locator('#pa-outline [data-clause="12"]').click()
    page.locator("#pa-clause .pa-clause-title", has_text="第（十二）条").wait_for()


def test_example_question_button(page):
    _tab(page, "智能问答")
    page.get_by_role("button", name="我们是一家高新技术企业，可以享受哪些扶持？").click()
    page.locator("#pa-answer .pa-q-text", has_text="高新技术企业").wait_for()
    assert page.locator("#pa-answer .pa-cite").count() >= 2
    assert "高新技术企业" in page.locator("#pa-answer .pa-box-answer").inner_text()
    page.screenshot(path=str(SHOTS / "06-example-enterprise.png"), full_page=True)


def test_refusal_is_marked(page):
    _tab(page, "智能问答")
    box = page.locator("#pa-question textarea")
    box.fill("孵化器补贴多少万元？")  # topical, but the document states no amount
    box.press("Enter")  # Enter submits
    page.locator("#pa-answer .pa-q-text", has_text="孵化器补贴").wait_for()
    box = page.locator("#pa-answer .pa-box-refused")
    box.wait_for()
    assert "文件未涉及" in box.inner_text()
    assert page.locator("#pa-answer .pa-tag-ref").count() >= 1  # related clauses: 仅供参考
    page.screenshot(path=str(SHOTS / "04-refusal.png"), full_page=True)
    page.locator("#pa-clear").click()
    page.locator("#pa-answer .pa-empty").wait_for()
    assert page.locator("#pa-question textarea").input_value() == ""
    assert page.locator("#pa-up").is_disabled()


def test_markup_in_question_is_text(page):
    _tab(page, "智能问答")
    question = '<img src=x onerror="alert(1)"><script>alert(2)</script>${7*7}{{7*7}}'
    box = page.locator("#pa-question textarea")
    box.fill(question)
    page.locator("#pa-ask").click()
    shown = page.locator("#pa-answer .pa-q-text")
    shown.filter(has_text="<img").wait_for()
    assert shown.inner_text() == question
    assert page.locator("#pa-answer img").count() == 0
    assert page.dialogs == []


def test_departments_tab(page):
    _tab(page, "按部门查看")
    page.locator("#pa-dept-result .pa-dept-list").wait_for()
    page.screenshot(path=str(SHOTS / "05-departments-overview.png"), full_page=False)
    page.locator("#pa-dept-text input, #pa-dept-text textarea").first.fill("发改委")
    page.locator("#pa-dept-search").click()
    head = page.locator("#pa-dept-result .pa-dept-head")
    head.wait_for()
    assert "自治区发展改革委" in head.inner_text()
    assert page.locator("#pa-dept-result .pa-cite").count() >= 3
    page.screenshot(path=str(SHOTS / "05-departments-query.png"), full_page=False)

    # A clause card opens the clause in the policy tab.
    page.locator("#pa-dept-result [data-clause]").first.click()
    page.locator("#pa-clause .pa-clause-title").wait_for()
    assert page.get_by_role("tab", name="政策原文").get_attribute("aria-selected") == "true"

    # Unknown names get suggestions, which are clickable.
    _tab(page, "按部门查看")
    page.locator("#pa-dept-text input, #pa-dept-text textarea").first.fill("科技部")
    page.locator("#pa-dept-search").click()
    page.locator("#pa-dept-result .pa-box-refused", has_text="未找到").wait_for()
    page.locator("#pa-dept-result [data-dept]").first.click()
    page.locator("#pa-dept-result .pa-dept-head").wait_for()


def test_nothing_loaded_from_outside(page):
    assert page.outside == [], page.outside
