"""The archive's web app (#23) through Starlette's test client: every page and the JSON API,
hostile text escaped everywhere, pages small and paginated, the database never written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import lxml.html
import pytest
from starlette.testclient import TestClient

from arabic_digest import archive
from arabic_digest.views.serve import PAGE, create_app
from tests.reportdata import INJECT, corpus, hostile_record
from tests.test_archive import COUNCIL, ELECTION, MINISTRY, pair_record, write


@pytest.fixture()
def client(tmp_path: Path) -> tuple[TestClient, Path]:
    records = [r for r in corpus() if r["id"] != "dup"]
    hostile = hostile_record()
    hostile["source"]["meta"]["date"] = "2024-03-02 08:00:00"
    hostile["story"] = {"id": f"s{INJECT}", "size": 1, "role": "lead"}
    records = [r for r in records if r["id"] != hostile["id"]] + [hostile]
    for i in range(75):  # enough to page
        records.append(pair_record(f"day-{i}", [COUNCIL, MINISTRY, ELECTION][i % 3],
                                   date="2024-03-02 09:00:00", outlet=f"Outlet {i % 4}",
                                   story=f"story-{i % 3}" if i % 3 else None))
    db = tmp_path / "a.sqlite"
    archive.index_outputs(db, [write(tmp_path / "day.jsonl", records)])
    return TestClient(create_app(db), base_url="http://localhost"), db


def doc(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert len(response.content) < 1_000_000
    return lxml.html.document_fromstring(response.text)


def no_markup_injected(page: lxml.html.HtmlElement) -> None:
    # The only script is the page's own (the report's alignment script), never the records'.
    for script in page.xpath("//script"):
        assert "__pwned" not in (script.text or "")
    assert not page.xpath("//img | //*[@onerror] | //*[@onmouseover]")


def test_briefing_search_article_story_concordance(client) -> None:
    c, db = client
    before = hashlib.sha1(db.read_bytes()).hexdigest()
    home = doc(c.get("/"))
    assert home.xpath("//h1")[0].text_content() == "Briefing of 2024-03-02"
    entries = home.xpath("//li[@class='story-entry']")
    assert len(entries) == PAGE  # paginated
    assert home.xpath("//nav[@class='pager']//a[@rel='next']/@href") == ["?day=2024-03-02&page=2"]
    assert doc(c.get("/?day=2024-03-02&page=2")).xpath("//li[@class='story-entry']")
    no_markup_injected(home)

    # English search: stemmed, ranked, snippet marked; the filters narrow it.
    page = doc(c.get("/search", params={"q": "councils", "lang": "en"}))
    assert "50 articles match" in page.xpath("//p[@id='count']")[0].text_content()
    assert page.xpath("//ol[@class='hits']/li[1]//mark")[0].text.lower() == "council"
    page = doc(c.get("/search", params={"q": "council", "outlet": "Outlet 1"}))
    assert len(page.xpath("//ol[@class='hits']/li")) == 12  # the outlet's 19 minus ministry's
    # Arabic search with a variant spelling (no hamza, heh for teh marbuta).
    page = doc(c.get("/search", params={"q": "وزاره", "lang": "ar"}))
    hits = page.xpath("//ol[@class='hits']/li")
    assert "25 articles match" in page.xpath("//p[@id='count']")[0].text_content()
    assert len(hits) == PAGE
    assert hits[0].xpath(".//p[@lang='ar']//mark")[0].text == "وزارةُ"

    # The article: side by side, RTL, flags marked.
    key = int(hits[0].xpath(".//h2/a/@href")[0].rsplit("/", 1)[1])
    art = doc(c.get(f"/articles/{key}"))
    ar = art.xpath("//div[@class='pair']/p[@class='ar']")
    assert ar and ar[0].get("dir") == "rtl" and ar[0].get("lang") == "ar"
    assert len(art.xpath("//p[@class='ar']/span[contains(@class,'seg')]")) == 2
    assert len(art.xpath("//p[@class='en']/span[contains(@class,'seg')]")) == 2

    # The story page lists the story's articles from every outlet.
    page = doc(c.get("/stories/story-1"))
    rows = page.xpath("//ol[@class='rows']/li")
    assert len(rows) == 25
    assert {r.xpath(".//span[@class='meta']")[0].text_content().split(" · ")[1] for r in rows} \
        == {"Outlet 0", "Outlet 1", "Outlet 2", "Outlet 3"}
    assert c.get("/stories/nothing").status_code == 404
    assert c.get("/articles/99999").status_code == 404

    # The concordance: the phrase marked in Arabic, its rendering in English.
    page = doc(c.get("/concordance", params={"q": "مجلس الأمن"}))
    lines = page.xpath("//table[@class='kwic']/tbody/tr")
    assert len(lines) == 40  # of 75: paginated
    assert "75 sentences hold" in page.xpath("//p[@id='count']")[0].text_content()
    for tr in lines:
        assert [m.text for m in tr.xpath("td[@lang='ar']/mark")] == ["مجلس الأمن"]
        assert "council" in [m.text.lower() for m in tr.xpath("td[@lang='en']/mark")]
    assert hashlib.sha1(db.read_bytes()).hexdigest() == before  # nothing written


def test_hostile_text_is_escaped_on_every_page(client) -> None:
    c, _ = client
    key = c.get("/api/search", params={"q": "script"}).json()["hits"][0]["key"]
    for url in (f"/articles/{key}", "/search?q=script", "/?day=2024-03-02",
                f"/stories/s{INJECT}", "/search?q=" + INJECT, "/concordance?q=" + INJECT):
        response = c.get(url)
        page = doc(response)
        no_markup_injected(page)
    art = doc(c.get(f"/articles/{key}"))
    assert INJECT in art.xpath("//h1")[0].text_content()  # shown as text
    assert INJECT in art.xpath("//p[contains(@class,'title-ar')]")[0].text_content()
    story = doc(c.get(f"/stories/s{INJECT}"))
    assert f"s{INJECT}" in story.xpath("//p[@class='runinfo muted']/code")[0].text_content()


def test_json_api(client) -> None:
    c, _ = client
    data = c.get("/api/search", params={"q": "وزاره", "lang": "ar", "limit": 5}).json()
    assert data["total"] == 25 and len(data["hits"]) == 5
    assert data["hits"][0]["highlights"] == ["وزارةُ"]
    second = c.get("/api/search", params={"q": "وزاره", "lang": "ar", "limit": 5,
                                          "offset": 5}).json()
    assert not {h["key"] for h in data["hits"]} & {h["key"] for h in second["hits"]}
    assert c.get("/api/search", params={"q": "x", "lang": "fr"}).status_code == 400
    art = c.get(f"/api/articles/{data['hits'][0]['key']}").json()
    assert art["record"]["id"] == art["id"] and art["record"]["translation"]["segments"]
    story = c.get("/api/stories/story-2").json()
    assert story["total"] == 25 and {a["story"] for a in story["articles"]} == {"story-2"}
    assert c.get("/api/stories/none").status_code == 404
    conc = c.get("/api/concordance", params={"q": "الانتخابات"}).json()
    assert conc["total"] == 25 and "284" in conc["lines"][0]["en_marked"]


def test_serves_localhost_by_default() -> None:
    import inspect

    from arabic_digest.cli import archive
    from arabic_digest.views import serve

    assert inspect.signature(serve.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(archive.serve_cli).parameters["host"].default == "127.0.0.1"
