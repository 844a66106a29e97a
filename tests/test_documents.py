import json

from conftest import SEED_CORPUS, write

from retrieval.documents import derive_title, doc_id_for, load_corpus


def test_seed_articles_load_byte_for_byte():
    loaded = load_corpus(SEED_CORPUS)
    assert loaded.warnings == []
    assert len(loaded.documents) == 2
    for doc in loaded.documents:
        raw = (SEED_CORPUS.parent / doc.source).read_bytes().decode("utf-8")
        assert doc.text == raw
        assert doc.doc_id == doc_id_for(raw)


def test_titles_headline_line_else_clean_excerpt():
    by_source = {d.source: d for d in load_corpus(SEED_CORPUS).documents}
    first = by_source["corpus/china-backs-russia-security-concerns.txt"]
    assert (
        first.title == "China backs Russia’s ‘security concerns’ in crisis with West over Ukraine"
    )
    second = by_source["corpus/china-wants-us-to-yield-to-russia-nato.txt"]
    # No headline line (the article opens with a sentence): a word-boundary excerpt.
    assert second.title.startswith("China wants the United States to yield")
    assert second.title.endswith("…") and len(second.title) <= 91


def test_derive_title_strips_markdown_heading():
    assert derive_title("# Big news today\n\nBody text here.") == "Big news today"


def test_markdown_front_matter(tmp_path):
    body = "Body of the article. Wang Yi spoke.\n"
    write(
        tmp_path / "a.md",
        "---\ntitle: Front title\nsource: Example Times\nurl: https://example.test/a\n"
        "published: 2022-01-27\n---\n" + body,
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.title == "Front title"
    assert doc.text == body  # offsets index the text after the front matter
    assert doc.meta == {
        "url": "https://example.test/a",
        "published": "2022-01-27",
        "publisher": "Example Times",
    }


def test_html_extracted_with_trafilatura_and_scripts_dropped(tmp_path):
    paragraph = "Officials met in Geneva on Monday to discuss the border crisis at length. " * 4
    write(
        tmp_path / "page.html",
        "<html><head><title>Geneva talks</title><script>alert('x')</script></head><body>"
        "<nav>Home | World | Sport</nav><article><h1>Geneva talks</h1>"
        f"<p>{paragraph}</p><p>{paragraph}</p>"
        '<p><img src=x onerror="alert(1)">The talks ended without a deal.</p></article>'
        "</body></html>",
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.title == "Geneva talks"
    assert "Officials met in Geneva" in doc.text
    assert "alert" not in doc.text and "<" not in doc.text
    assert "Home | World" not in doc.text


def test_jsonl_one_article_per_line_bad_lines_warned(tmp_path):
    lines = [
        json.dumps({"title": "One", "text": "First article text.", "url": "https://x.test/1"}),
        "{not json",
        json.dumps({"title": "No text"}),
        json.dumps({"text": "Second article text, no title given here."}),
    ]
    write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    loaded = load_corpus(tmp_path)
    assert [d.title for d in loaded.documents] == [
        "One",
        "Second article text, no title given here.",
    ]
    assert loaded.documents[0].source.endswith("feed.jsonl#L1")
    assert loaded.documents[0].meta["url"] == "https://x.test/1"
    assert any("#L2" in w and "not valid JSON" in w for w in loaded.warnings)
    assert any("#L3" in w and '"text"' in w for w in loaded.warnings)


def test_bad_files_are_skipped_with_a_clear_warning(tmp_path):
    write(tmp_path / "good.txt", "A good article.\n\nWith a paragraph of text in it.")
    write(tmp_path / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "latin1.txt", "Caf\xe9 society".encode("latin-1"))
    write(tmp_path / "empty.md", "   \n\n")
    write(tmp_path / "copy.txt", "A good article.\n\nWith a paragraph of text in it.")
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    loaded = load_corpus(tmp_path)
    assert [d.source.rsplit("/", 1)[-1] for d in loaded.documents] == ["copy.txt"]
    text = "\n".join(loaded.warnings)
    assert "binary.txt: it looks binary" in text
    assert "latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3)" in text
    assert "empty.md: the file is empty" in text
    assert "good.txt: same text as" in text and "duplicate" in text
    assert "notes.pdf" not in text  # unsupported types are not articles at all


def test_missing_corpus_folder_loads_nothing(tmp_path):
    assert load_corpus(tmp_path / "nope").documents == []


def test_jsonl_text_may_hold_unicode_line_separators(tmp_path):
    lines = [
        json.dumps({"title": "One", "text": "First\u2028line of an article\x0cwith a feed."},
                   ensure_ascii=False),
        json.dumps({"title": "Two", "text": "Second article."}),
    ]  # fmt: skip
    write(tmp_path / "feed.jsonl", "\r\n".join(lines) + "\r\n")
    loaded = load_corpus(tmp_path)
    assert loaded.warnings == []
    assert [d.source.rsplit("#", 1)[1] for d in loaded.documents] == ["L1", "L2"]
    assert "\u2028" in loaded.documents[0].text


def test_exports_people_have_are_articles_too(tmp_path):
    """A JSON array (or {"articles": [...]}), a CSV with a text column in any order, and
    Reuters-21578 SGML each give their articles; a bad record is skipped with a warning naming
    it, the rest are indexed."""
    import json as json_lib

    from retrieval.documents import load_corpus

    (tmp_path / "export.json").write_text(json_lib.dumps([
        {"title": "Port strike ends", "text": "Dockworkers returned to work on Friday.",
         "source": "Harbour Daily", "published": "2024-10-04", "url": "https://x.example/a"},
        {"title": "No text here"},
    ]), encoding="utf-8")  # fmt: skip
    (tmp_path / "cms.json").write_text(
        json_lib.dumps({"articles": [{"body": "Rates were held at 5 percent on Monday."}]}),
        encoding="utf-8",
    )
    (tmp_path / "sheet.csv").write_text(
        'published,Body,title\n2024-01-02,"The mayor opened the bridge, she said.",Bridge\n'
        "2024-01-03,,Empty row body\n",
        encoding="utf-8",
    )
    (tmp_path / "reut.sgm").write_bytes(
        b'<REUTERS TOPICS="NO" NEWID="7"><DATE>26-FEB-1987</DATE><TEXT><TITLE>COCOA &amp; SUGAR'
        b"</TITLE><BODY>Showers continued in\nthe Bahia zone, traders said.\n Reuter\n\x03</BODY>"
        b'</TEXT></REUTERS>\n<REUTERS NEWID="8"><TEXT><TITLE>NO BODY</TITLE></TEXT></REUTERS>\n'
        b'<REUTERS NEWID="9"><TEXT><BODY>Caf\xe9 prices rose.</BODY></TEXT></REUTERS>'
    )  # Latin-1, as the archive is
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    (tmp_path / "nocolumn.csv").write_text("title,url\nA,B\n", encoding="utf-8")
    load = load_corpus(tmp_path)
    by_title = {d.title: d for d in load.documents}
    port = by_title["Port strike ends"]
    assert port.meta == {"url": "https://x.example/a", "published": "2024-10-04",
                         "publisher": "Harbour Daily"}  # fmt: skip
    assert any(d.text.startswith("Rates were held") for d in load.documents)
    assert by_title["Bridge"].meta["published"] == "2024-01-02"
    cocoa = by_title["COCOA & SUGAR"]
    assert cocoa.text.startswith("COCOA & SUGAR\n\nShowers continued in\nthe Bahia zone")
    assert cocoa.meta["publisher"] == "Reuters" and cocoa.source.endswith("reut.sgm#7")
    assert any("Café prices rose." in d.text for d in load.documents)
    warnings = "\n".join(load.warnings)
    assert "export.json#2" in warnings and "sheet.csv#L3" in warnings and "reut.sgm#8" in warnings
    assert "broken.json: not valid JSON" in warnings
    assert 'nocolumn.csv: its header row has no "text"' in warnings
    assert len(load.documents) == 5
