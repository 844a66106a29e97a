"""The app in a real browser (Debian chromium driven by Playwright), on 127.0.0.1 only.

Foreign sites are faked with --host-resolver-rules: embed.test (allowed to embed and call the
app) and evil.test (not allowed) both resolve to 127.0.0.1 and serve examples/embed.html.
Screenshots of each state land in test-artifacts/e2e/ (git-ignored).
"""

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PROJECT, SEED_CORPUS

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts" / "e2e"
XSS_ARTICLE = (
    "Hostile markup in a press release\n\n"
    "The press office in Geneva said <script>window.__xss = 1</script> and "
    '<img src=x onerror="window.__xss = 2"> plus <a href="javascript:window.__xss=3">a link</a> '
    "and [a markdown link](javascript:window.__xss=4) were pasted into the summit statement."
)

WIRE_ARTICLE = {
    "title": "Ferry service resumes after storm",
    "source": "Harbour Daily",
    "published": "2024-10-04",
    "url": "https://news.example/ferry-resumes",
    "text": "The island ferry resumed service on Sunday morning after storm repairs, the "
    "harbour master said. Repairs to the pier took three weeks and cost 2 million euros.",
}

if not Path(CHROMIUM).exists():  # .ci/run installs it; a developer machine may not have it
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds  # bounded: model + gradio import take ~20 s here
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            assert process.poll() is None, f"the server exited with {process.returncode}"
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def host_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, host_port):
    """newsqa serving the seed articles plus a hostile one, embeddable only from embed.test."""
    corpus = tmp_path_factory.mktemp("e2e") / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "hostile-markup.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    (corpus / "wire.json").write_text(json.dumps([WIRE_ARTICLE]), encoding="utf-8")
    port = free_port()
    env = dict(
        os.environ,
        NEWSQA_CORPUS=str(corpus),
        NEWSQA_INDEX=str(corpus.parent / "index"),
        NEWSQA_ALLOWED_ORIGINS=f"http://embed.test:{host_port}",
        NEWSQA_FRAME_ANCESTORS=f"http://embed.test:{host_port}",
        HF_HUB_OFFLINE="1",
    )
    log = (corpus.parent / "server.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsqa"), "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def host_site(tmp_path_factory, host_port, app_url):
    """examples/embed.html pointed at the app, served on another port (another origin)."""
    root = tmp_path_factory.mktemp("host")
    for name in ("embed.html", "launcher.html"):
        page = (PROJECT / "examples" / name).read_text().replace("NEWSQA_URL", app_url)
        (root / name).write_text(page)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield host_port
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--host-resolver-rules=MAP embed.test 127.0.0.1, MAP evil.test 127.0.0.1",
            ],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture(params=["light", "dark"])
def scheme(request) -> str:
    """Every page test runs in both colour schemes (Gradio follows the system's)."""
    return request.param


@pytest.fixture
def page(browser, request, scheme):
    """A fresh page that fails the test on any uncaught page error and on any dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("dialog", lambda dialog: errors.append(f"dialog opened: {dialog.message}"))
    yield page
    context.close()
    assert errors == [], f"page errors in {request.node.name}: {errors}"


def shot(page, name: str) -> Path:
    """A full-page screenshot, and one at phone width (390x844), named by colour scheme."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    path = ARTIFACTS / f"{name}{'-dark' if dark else ''}.png"
    page.screenshot(path=str(path), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path.with_name(path.stem + "-phone.png")))
    page.set_viewport_size(size)
    return path


def ask_in(scope, box_selector: str, question: str) -> None:
    box = scope.locator(f"{box_selector} textarea")
    box.wait_for(timeout=60_000)
    box.fill(question)
    box.press("Enter")


def last_reply(scope):
    bubble = scope.locator("[data-testid='bot']").last
    bubble.wait_for(timeout=60_000)
    return bubble


def test_direct_question_cites_and_opens_the_article(page, app_url):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "What did Zhang Jun say?")
    card = page.locator("#nq-source-1")
    card.wait_for(timeout=60_000)
    reply = last_reply(page)
    playwright_api.expect(reply).to_contain_text("[1]")
    playwright_api.expect(reply).to_contain_text("The Beijing Winter Olympics is around the corner")
    playwright_api.expect(card).to_contain_text("corpus/china-wants-us-to-yield-to-russia-nato.txt")
    highlighted = card.locator("mark").first
    playwright_api.expect(highlighted).to_contain_text(
        "The Beijing Winter Olympics is around the corner"
    )
    # One font face for every weight: the bold headline, the bubble, the box.
    faces = {
        card.locator(".nq-title").evaluate("e => getComputedStyle(e).fontFamily"),
        reply.evaluate("e => getComputedStyle(e).fontFamily"),
        page.locator("#nq-question textarea").evaluate("e => getComputedStyle(e).fontFamily"),
    }
    assert len(faces) == 1 and next(iter(faces)).startswith("system-ui"), faces
    shot(page, "1-direct-answer")

    card.locator("a.nq-show").click()
    viewer = page.frame_locator("#nq-viewer-frame")
    cited = viewer.locator("mark#cited")
    playwright_api.expect(cited).to_have_text("The Beijing Winter Olympics is around the corner")
    playwright_api.expect(cited).to_be_in_viewport()
    # Beside the chat: the question box stays on screen, the page itself did not scroll.
    playwright_api.expect(page.locator("#nq-question textarea")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0
    shot(page, "2-article-viewer")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.wait_for_timeout(300)
    shot(page, "3-phone-width")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px wide)"


def test_follow_up_is_rewritten_and_answered(page, app_url):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "What did Zhang Jun say?")
    page.locator("#nq-source-1").wait_for(timeout=60_000)
    ask_in(page, "#nq-question", "and Wang Yi?")
    reply = page.locator("[data-testid='bot']").nth(1)
    playwright_api.expect(reply).to_contain_text("Understood as:", timeout=60_000)
    playwright_api.expect(reply).to_contain_text("What did Wang Yi say?")
    playwright_api.expect(reply).to_contain_text("Wang Yi")
    playwright_api.expect(page.locator("#nq-source-1")).to_contain_text("Wang Yi")
    ask_in(page, "#nq-question", "what else did he say?")
    third = page.locator("[data-testid='bot']").nth(2)
    playwright_api.expect(third).to_contain_text("What did Wang Yi say?", timeout=60_000)
    shot(page, "4-follow-up")


def test_hostile_article_shows_as_inert_text(page, app_url):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "What was pasted into the summit statement in Geneva?")
    card = page.locator("#nq-sources .nq-card").first
    card.wait_for(timeout=60_000)
    playwright_api.expect(card).to_contain_text("<script>window.__xss = 1</script>")
    playwright_api.expect(card).to_contain_text('<img src=x onerror="window.__xss = 2">')
    reply = last_reply(page)  # the chat bubble quotes the hostile sentence, as text
    playwright_api.expect(reply).to_contain_text("<script>window.__xss = 1</script>")
    playwright_api.expect(reply).to_contain_text("(javascript:window.__xss=4)")
    card.locator("a.nq-show").click()
    viewer = page.frame_locator("#nq-viewer-frame")
    playwright_api.expect(viewer.locator("article")).to_contain_text("<script>window.__xss = 1")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert (
        page.evaluate("document.querySelectorAll('img[onerror], a[href^=javascript]').length") == 0
    )
    frame = page.frame(name="nq-viewer")
    assert frame.evaluate("window.__xss") is None
    assert frame.evaluate("document.querySelectorAll('img, script:not(:last-of-type)').length") == 0
    shot(page, "5-hostile-article")


def test_embedded_iframe_and_web_component_answer(page, app_url, host_site):
    page.goto(f"http://embed.test:{host_site}/embed.html")
    frame = page.frame_locator("#newsqa-frame")
    ask_in(frame, "#nq-widget-question", "What did Zhang Jun say?")
    reply = frame.locator("[data-testid='bot']").last
    playwright_api.expect(reply).to_contain_text("[1]", timeout=60_000)
    playwright_api.expect(reply).to_contain_text("China wants the United States")  # headline
    assert frame.locator("#nq-widget-ask").count() == 1  # a send button
    assert frame.locator("text=Use via API").count() == 0  # no API footer for readers

    component = page.locator("#newsqa-component")
    ask_in(component, "#nq-widget-question", "How many troops has Russia amassed near Ukraine?")
    answer = component.locator("[data-testid='bot']").last
    playwright_api.expect(answer).to_contain_text("106,000 troops", timeout=60_000)
    shot(page, "6-embedded-allowed")

    allowed = page.evaluate(
        "url => fetch(url).then(r => r.json()).then(d => d.hits.length)",
        f"{app_url}/api/ask?q=Zhang&k=2",
    )
    assert allowed == 2


def test_disallowed_origin_cannot_embed_or_call(page, app_url, host_site):
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"http://evil.test:{host_site}/embed.html")
    page.wait_for_timeout(4000)
    frame = page.frame_locator("#newsqa-frame")
    assert frame.locator("#nq-widget-question").count() == 0
    assert any("frame-ancestors" in m for m in messages), messages
    assert page.locator("#newsqa-component #nq-widget-question").count() == 0
    refused = page.evaluate(
        "url => fetch(url).then(() => 'allowed', () => 'refused')",
        f"{app_url}/api/ask?q=Zhang",
    )
    assert refused == "refused"
    shot(page, "7-embedded-refused")


CONTRAST_JS = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const style = getComputedStyle(element);
  const [a, b] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_highlights_are_readable_in_both_colour_schemes(page, app_url, scheme):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "How many troops has Russia amassed near Ukraine?")
    card = page.locator("#nq-source-1")
    card.wait_for(timeout=60_000)
    dark = page.evaluate("document.body.classList.contains('dark')")
    assert dark == (scheme == "dark"), "Gradio follows the system colour scheme"
    ratio = card.locator("mark").first.evaluate(CONTRAST_JS)
    assert ratio >= 4.5, f"highlight contrast {ratio:.2f} in {scheme} mode"
    card.locator("a.nq-show").click()
    cited = page.frame_locator("#nq-viewer-frame").locator("mark#cited")
    playwright_api.expect(cited).to_be_in_viewport()
    assert cited.evaluate(CONTRAST_JS) >= 4.5
    body = page.frame_locator("#nq-viewer-frame").locator("body")
    assert body.evaluate(CONTRAST_JS) >= 4.5  # the article text on its page
    shot(page, "8-colour-scheme")  # its phone shot: the viewer as a full-screen sheet
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_an_earlier_answers_citation_opens_its_own_source(page, app_url):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "What did Zhang Jun say?")
    page.locator("#nq-source-1").wait_for(timeout=60_000)
    ask_in(page, "#nq-question", "How many troops has Russia amassed near Ukraine?")
    playwright_api.expect(page.locator("#nq-source-1")).to_contain_text("106,000", timeout=60_000)
    earlier = page.locator("#nq-source-1-1")  # the first answer's [1], kept under its question
    playwright_api.expect(earlier).to_contain_text("Zhang Jun")
    first_answer = page.locator("[data-testid='bot']").first
    first_answer.locator("a", has_text="1").first.click()  # [1] of the earlier answer
    cited = page.frame_locator("#nq-viewer-frame").locator("mark#cited")
    playwright_api.expect(cited).to_have_text("The Beijing Winter Olympics is around the corner")
    assert len(page.context.pages) == 1  # in the viewer, not a new tab
    page.locator("#nq-viewer-close").click()
    playwright_api.expect(page.locator("#nq-viewer-panel")).to_be_hidden()
    shot(page, "9-earlier-sources")


def test_reader_conveniences(page, app_url):
    page.goto(app_url + "/?q=" + "What did Wang Yi tell Blinken%3F")  # a shared link asks
    reply = last_reply(page)
    playwright_api.expect(reply).to_contain_text("Wang Yi", timeout=60_000)
    assert page.locator("#nq-ask").is_disabled()  # nothing typed: nothing to ask
    page.locator("#nq-question textarea").fill("what else did he say?")
    assert page.locator("#nq-ask").is_enabled()
    page.locator("#nq-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Wang Yi") and "\n[1] " in copied and "/article/" in copied
    assert "\\[" not in copied and "](" not in copied  # plain text, not escaped Markdown
    page.goto(app_url + "/")  # a reload keeps the conversation (its questions, asked again)
    playwright_api.expect(last_reply(page)).to_contain_text("Wang Yi", timeout=60_000)
    page.locator("#nq-clear").click()  # a new chat forgets it, and the sources with it
    playwright_api.expect(page.locator("#nq-sources")).to_contain_text("appear here")
    ask_in(page, "#nq-question", "what else did he say?")
    playwright_api.expect(last_reply(page)).to_contain_text("Who do you mean?", timeout=60_000)
    shot(page, "10-conveniences")


def test_launcher_opens_the_widget_and_leaves_the_host_page_alone(page, app_url, host_site):
    snapshot = """() => [...document.querySelectorAll('body, h1, p, #own-button')].map((e) => {
        const box = e.getBoundingClientRect(), style = getComputedStyle(e);
        return [e.tagName, e.id, box.x, box.y, box.width, box.height, style.fontFamily,
                style.color, style.backgroundColor, style.margin, style.fontSize];
    }).concat([[document.styleSheets.length, document.head.children.length]])"""
    page.goto(f"http://embed.test:{host_site}/launcher.html")
    page.wait_for_load_state("load")
    before = page.evaluate(snapshot)
    launcher = page.locator("newsqa-launcher")
    launcher.wait_for(state="attached", timeout=30_000)
    assert page.evaluate(snapshot) == before, "loading the launcher changed the host page"
    box = launcher.bounding_box()
    assert box["x"] > 900 and box["y"] > 700  # bottom right, over the page, not in its flow
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    frame = page.frame_locator("newsqa-launcher >> iframe")
    ask_in(frame, "#nq-widget-question", "What did Zhang Jun say?")
    reply = frame.locator("[data-testid='bot']").last
    playwright_api.expect(reply).to_contain_text("Winter Olympics", timeout=60_000)
    page.wait_for_timeout(500)
    # The widget shows the start of the new answer, not the end of the chat.
    start = reply.evaluate("""e => {
        let box = e.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight &&
               /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
        return box ? e.getBoundingClientRect().top - box.getBoundingClientRect().top : 0;
    }""")
    assert -60 <= start <= 60, f"the answer starts {start}px from the top of the chat"
    assert page.evaluate(snapshot) == before, "an answer in the widget changed the host page"
    # The iframe grows with the widget's content (it posts its height), up to data-height.
    height = page.evaluate(
        "() => document.querySelector('newsqa-launcher').shadowRoot"
        ".querySelector('iframe').getBoundingClientRect().height"
    )
    assert 420 < height <= 560, height
    shot(page, "11-launcher")


def test_sources_read_as_news_and_tell_me_more_goes_on(page, app_url):
    page.goto(app_url + "/")
    ask_in(page, "#nq-question", "When did the island ferry resume service?")
    card = page.locator("#nq-source-1")
    playwright_api.expect(card).to_contain_text("Ferry service resumes after storm",
                                                timeout=60_000)  # fmt: skip
    playwright_api.expect(card.locator(".nq-byline")).to_have_text("Harbour Daily · 4 Oct 2024")
    original = card.locator("a.nq-original")
    assert original.get_attribute("href") == "https://news.example/ferry-resumes"
    assert not card.locator(".nq-details .nq-meta").is_visible()  # path and score: on demand
    card.locator(".nq-details summary").click()
    playwright_api.expect(card.locator(".nq-details .nq-meta")).to_contain_text("wire.json")
    ask_in(page, "#nq-question", "tell me more")
    more = page.locator("[data-testid='bot']").nth(1)
    playwright_api.expect(more).to_contain_text("Understood as:", timeout=60_000)
    playwright_api.expect(more).to_contain_text("When did the island ferry resume service?")
    latest = page.locator("#nq-source-1")  # the next results: not the ferry passage again
    playwright_api.expect(latest).not_to_contain_text("Ferry service resumes after storm")
    shot(page, "12-news-sources")
