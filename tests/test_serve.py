"""The archive's web app (#23) through Starlette's test client: every page and the JSON API,
hostile text escaped everywhere, pages small and paginated, the database never written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from starlette.testclient import TestClient

from arabic_digest import archive
from arabic_digest.views.serve import PAGE, create_app
from tests.reportdata import INJECT, corpus, hostile_record
from tests.test_archive import COUNCIL, ELECTION, MINISTRY, pair_record, write
from tests.test_run import cli


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
    href = hits[0].xpath(".//h2/a/@href")[0]
    assert href.startswith("/articles/day-") and "?run=" in href  # the record id, and its run
    art = doc(c.get(href))
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
    rid = c.get("/api/search", params={"q": "script"}).json()["hits"][0]["id"]
    for url in (f"/articles/{quote(rid, safe='')}", "/search?q=script", "/?day=2024-03-02",
                f"/stories/s{INJECT}", "/search?q=" + INJECT, "/concordance?q=" + INJECT):
        response = c.get(url)
        page = doc(response)
        no_markup_injected(page)
    art = doc(c.get(f"/articles/{quote(rid, safe='')}"))
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
    art = c.get(f"/api/articles/{quote(data['hits'][0]['id'], safe='')}").json()
    assert art["record"]["id"] == art["id"] and art["record"]["translation"]["segments"]
    story = c.get("/api/stories/story-2").json()
    assert story["total"] == 25 and {a["story"] for a in story["articles"]} == {"story-2"}
    assert c.get("/api/stories/none").status_code == 404
    conc = c.get("/api/concordance", params={"q": "الانتخابات"}).json()
    assert conc["total"] == 25 and "284" in conc["lines"][0]["en_marked"]
    # The briefing's JSON: what its page shows, from the same view.
    brief = c.get("/api/briefing", params={"day": "2024-03-02"}).json()
    assert brief["day"] == "2024-03-02" and len(brief["stories"]) == PAGE
    assert brief["total"] == 28 and brief["stats"]["articles"] == 80
    lead = brief["stories"][0]["articles"][0]
    assert c.get("/api/articles/" + quote(lead["id"], safe=""),
                 params={"run": lead["run_id"]}).json()["key"] == lead["key"]


def test_serves_localhost_by_default() -> None:
    import inspect

    from arabic_digest.cli import archive
    from arabic_digest.views import serve

    assert inspect.signature(serve.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(archive.serve_cli).parameters["host"].default == "127.0.0.1"


# Every character a record id may hold that a URL path cannot carry as it is.
ODD_ID = "wire/2024:03#7 ~x مجلس?a=1&b=%2F"


def test_an_article_is_addressed_by_its_record_id(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    archive.index_outputs(db, [write(tmp_path / "o.jsonl", [
        pair_record(ODD_ID, COUNCIL, date="2024-03-01"), pair_record("7", MINISTRY)])])
    c = TestClient(create_app(db), base_url="http://localhost")
    url = "/articles/" + quote(ODD_ID, safe="")
    page = doc(c.get(url))
    assert page.xpath("//article//code")[0].text == ODD_ID
    data = c.get("/api" + url).json()
    assert data["id"] == data["record"]["id"] == ODD_ID
    # The pages link to it by its id (the search's link is the one fetched above).
    href = doc(c.get("/search", params={"q": "council"})).xpath("//h2/a/@href")[0]
    assert href.split("?")[0] == url and doc(c.get(href)).xpath("//h1")[0].text == COUNCIL[0][1]
    # An id that looks like a number is an id, not the row's number.
    assert c.get("/api/articles/7").json()["title_en"] == MINISTRY[0][1]
    assert c.get("/api/articles/1").status_code == 404 and c.get("/articles/1").status_code == 404
    for missing in ("wire", "wire/2024:03", quote(ODD_ID, safe="/")[:-3], "x" * 5000):
        assert c.get("/articles/" + missing).status_code == 404
        assert c.get("/api/articles/" + missing).json() == {"error": "no such article"}


def test_another_runs_version_by_its_run(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    first, second = pair_record(ODD_ID, COUNCIL), pair_record(ODD_ID, MINISTRY)
    archive.index_outputs(db, [write(tmp_path / "first.jsonl", [first])])
    archive.index_outputs(db, [write(tmp_path / "second.jsonl", [second])])
    c = TestClient(create_app(db), base_url="http://localhost")
    url = "/api/articles/" + quote(ODD_ID, safe="")
    latest = c.get(url).json()
    assert latest["title_en"] == MINISTRY[0][1]  # the run indexed last
    older = c.get(url, params={"run": "first.jsonl"}).json()  # by its output's name
    assert older["title_en"] == COUNCIL[0][1] and older["run_id"] != latest["run_id"]
    for run in (older["run_id"], older["run_id"][:8], str(tmp_path / "first.jsonl")):
        assert c.get(url, params={"run": run}).json()["key"] == older["key"], run
    for run in (older["run_id"][:7], "nothing.jsonl", "x" * 500):
        assert c.get(url, params={"run": run}).status_code == 404, run
    # The page of one version links to the other, by its run; its pager keeps the run.
    page = doc(c.get("/articles/" + quote(ODD_ID, safe=""), params={"run": older["run_id"]}))
    assert page.xpath("//h1")[0].text == COUNCIL[0][1]
    other = page.xpath("//p[@class='meta run']/a/@href")
    assert len(other) == 1 and other[0].endswith("?run=" + latest["run_id"])
    assert doc(c.get(other[0])).xpath("//h1")[0].text == MINISTRY[0][1]


def test_a_bad_language_is_400_on_the_page_and_the_api(client) -> None:
    c, _ = client
    api = c.get("/api/search", params={"q": "council", "lang": "fr"})
    page = c.get("/search", params={"q": "council", "lang": "fr"})
    assert api.status_code == page.status_code == 400
    assert api.json() == {"error": "lang must be en or ar"}
    assert page.headers["content-type"].startswith("text/html")
    alert = lxml.html.document_fromstring(page.text).xpath("//p[@role='alert']")
    assert alert[0].text == "lang must be en or ar"
    assert c.get("/search", params={"q": "council", "lang": ""}).status_code == 200  # default


def test_search_json_and_the_api_answer_one_shape(client) -> None:
    c, db = client
    for q, lang in (("council", "en"), ("وزاره", "ar")):
        proc = cli("search", str(db), q, "--lang", lang, "--json", "--limit", "7")
        assert proc.returncode == 0, proc.stderr
        api = c.get("/api/search", params={"q": q, "lang": lang, "limit": 7}).json()
        assert json.loads(proc.stdout) == api
        assert set(api) == {"query", "lang", "total", "offset", "hits"} and api["hits"]
