"""Article text and metadata from a saved web page, by measurement (issue 35).

The page is cut into blocks (the text between block-level boundaries, `<br>` included), each
with its words, the words inside links, and its place in the tree. Then:

1. Structured data first: a JSON-LD `articleBody` picks the page's blocks that are part of it
   (or is the text itself when the page's markup does not hold it); `itemprop="articleBody"`
   is the container.
2. Otherwise the container is the element whose blocks are most prose and least anything
   else: a block is prose when it has enough words, few of them inside links (or its links
   are names, a few words each, in a sentence), and is not a teaser (an excerpt beside
   another story's headline link, in a repeated list item). One paragraph is not a body:
   when the best element holds one, the body is the best one elsewhere that holds several
   (alone or with its like). The body split around a box is the container and the elements
   of its tag and class in the story's part of the page (a live page's updates too); the
   lead between the headline and the body (a standfirst beside the <h1>, a pinned update)
   is the article's when it is a sentence with no link in no widget.
3. Inside the container, what is never the article goes: link lists (related, most read,
   "read also" boxes, tickers), elements whose class or id names a comment, share, bio,
   newsletter, cookie or ad widget, `<nav>`/`<footer>`/`<aside>`/`<form>`, short labels
   outside the run of paragraphs (a subheading inside it that opens text stays), and blocks
   that recur across the site's pages (SiteTemplate). Class words are split at "-", "_" and
   camelCase ("fbComments", "relatedNews").

Every dropped block is kept in `Page.removed` with its reason. The thresholds (`Params`) were
chosen on some site styles and measured on others: benchmarks/web_extraction.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from arabic_digest.inputs import pagemeta

DROP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "button",
        "select", "textarea", "input", "video", "audio", "canvas", "math", "map"}
BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
         "th", "table", "article", "section", "header", "footer", "blockquote", "pre", "hr",
         "main", "aside", "nav", "figure", "figcaption", "dd", "dt", "dl", "form", "body",
         "html", "center", "address", "details", "summary", "caption", "tbody", "thead"}
# elements that never hold the article's own paragraphs
NEVER_TAGS = {"nav", "footer", "aside", "form", "figcaption", "header", "address"}
# class/id words of widgets that are never the article (the widely shared vocabulary of
# themes and CMSs, as readability's): compared as whole words of the class or id
NEVER_WORDS = {
    "comment", "comments", "reply", "respond", "disqus", "share", "sharing", "social",
    "print", "bio", "author", "byline", "newsletter", "subscribe", "subscription", "cookie",
    "cookies", "consent", "gdpr", "ad", "ads", "advert", "advertisement", "sponsor",
    "sponsored", "promo", "related", "recommended", "popular", "trending", "mostread",
    "most", "ticker", "breaking", "sidebar", "widget", "menu", "nav", "navbar", "breadcrumb",
    "breadcrumbs", "footer", "tags", "tag", "readmore", "also", "embed", "tweet", "outbrain",
    "taboola", "banner", "meta", "caption", "credit", "toolbar", "tools",
}
CONTENT_WORDS = {"article", "content", "entry", "post", "story", "text", "body", "main"}
_WORD = re.compile(r"\w+", re.UNICODE)
_ARABIC = re.compile("[\u0621-\u064a]")
_LATIN = re.compile("[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?؟…]['\"”»)]*\s*$")


@dataclass
class Page:
    title: str | None  # the headline, without the site's name
    text: str  # the article's paragraphs, separated by blank lines
    meta: dict[str, Any]  # "url", "date" (ISO 8601), "author", "site" where found
    removed: list[dict[str, Any]]  # what was dropped: {"kind": "page", "reason", "text"}


@dataclass(frozen=True)
class Params:
    """The extractor's thresholds (see benchmarks/web_extraction.py for how they were chosen)."""

    # the grid point chosen on every held-out fold of the benchmark (14 styles)
    min_words: int = 3  # a prose block has at least this many words...
    max_link_density: float = 0.2  # ...and at most this share of them inside links
    teaser_words: int = 80  # a list item this short, with a headline link, is a teaser
    noise_weight: float = 1.0  # what a non-prose word costs a candidate container
    # a <p> beside the article's own paragraphs may link more of its words (names linked to
    # tag pages) and still be the article's
    sibling_link_density: float = 0.5


@dataclass
class Block:
    text: str
    words: int
    link_words: int
    owner: Any  # the innermost block element that holds the text
    path: tuple[Any, ...]  # the owner's ancestors from the root, the owner last
    tag: str = ""
    dated: bool = False  # holds a <time> element (a byline's or a date line's mark)
    links: int = 0  # how many links its link words are in

    @property
    def link_density(self) -> float:
        return self.link_words / self.words if self.words else 0.0


def _words(text: str) -> int:
    return len(_WORD.findall(text))


class _Walker:
    """Cut the tree into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_parts: list[str] = []
        self.stack: list[Any] = []
        self.dated = False
        self.links = 0

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if text and self.stack:
            owner = self.stack[-1]
            links = _words(" ".join(self.link_parts))
            n = _words(text)
            self.blocks.append(Block(text, n, min(links, n), owner, tuple(self.stack),
                                     owner.tag if isinstance(owner.tag, str) else "",
                                     self.dated, self.links))
        self.parts, self.link_parts, self.dated, self.links = [], [], False, 0

    def walk(self, el: Any, in_link: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in DROP or not tag:  # comments and processing instructions too
            if el.tail:
                self._add(el.tail, in_link)
            return
        block = tag in BLOCK
        if block:
            self.flush()
            if tag != "br":
                self.stack.append(el)
        link = in_link or tag == "a"
        self.dated = self.dated or tag == "time"
        if tag == "a" and not in_link:
            self.links += 1
        if el.text:
            self._add(el.text, link)
        for child in el:
            self.walk(child, link)
        if block:
            self.flush()
            if tag != "br":
                self.stack.pop()
        if el.tail:
            self._add(el.tail, in_link)

    def _add(self, text: str, link: bool) -> None:
        self.parts.append(text)
        if link:
            self.link_parts.append(text)


def _class_words(el: Any) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''}"
    words = set()
    for token in raw.split():
        words.add(token.lower().replace("-", "").replace("_", ""))
        # "post-body", "news_tags", and the camelCase CMSs write: "fbComments", "relatedNews"
        words.update(w.lower() for w in re.split(r"[-_]|(?<=[a-z0-9])(?=[A-Z])", token) if w)
    return words


def never_reason(el: Any) -> str | None:
    """Why this element is never the article's (its tag, or a widget word in class/id)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in NEVER_TAGS:
        return f"<{tag}>"
    if el.get("role") in ("navigation", "complementary", "contentinfo", "banner"):
        return f"role={el.get('role')}"
    hit = _class_words(el) & NEVER_WORDS
    return f"class or id '{sorted(hit)[0]}'" if hit else None


def normalize_block(text: str) -> str:
    """A block's text as compared across a site's pages (digits and spacing ignored)."""
    return " ".join(_WORD.findall(re.sub(r"\d+", "0", text.casefold())))


@dataclass
class SiteTemplate:
    """What recurs across one site's pages: block texts seen on enough of them (menus, footers,
    widgets, a sidebar paragraph). A wire story repeated on two pages does not make it."""

    blocks: frozenset[str] = frozenset()
    pages: int = 0

    @classmethod
    def learn(cls, htmls: Iterable[str], min_pages: int = 3, share: float = 0.4
              ) -> SiteTemplate:
        seen: Counter[str] = Counter()
        n = 0
        for html in htmls:
            n += 1
            doc = pagemeta.parse(html)
            seen.update({normalize_block(b.text) for b in _blocks(doc)})
        need = max(min_pages, int(share * n + 0.999))
        return cls(frozenset(t for t, c in seen.items() if t and c >= need), n)


def _blocks(doc: Any) -> list[Block]:
    walker = _Walker()
    walker.walk(doc)  # from the root, so a block's path[d] is the element at depth d
    walker.flush()
    return walker.blocks


@dataclass
class Analysis:
    """A page parsed once: its blocks and metadata; `select` applies the thresholds."""

    blocks: list[Block]
    meta: dict[str, Any]
    ld: dict[str, Any]
    title: str | None
    body_el: Any = None  # itemprop=articleBody
    never: dict[int, str] = field(default_factory=dict)  # id(element) -> reason
    doc: Any = None
    headline: int | None = None  # the index of the block that shows the title


def analyse(html: str, url: str | None = None) -> Analysis:
    doc = pagemeta.parse(html)
    meta, ld, sites = pagemeta.page_meta(doc, url or pagemeta.saved_from(html))
    title = pagemeta.page_title(doc, ld, sites)
    body_el = next(iter(doc.xpath('//*[@itemprop="articleBody"]')), None)
    blocks = _blocks(doc)
    if not blocks and _LETTER.search(re.sub(r"<[^>]*>", " ", html)):
        # libxml2 drops what is nested deeper than 255 elements: such a page is read flat
        # (stdlib parser, one paragraph per block), so its text is never lost silently
        from arabic_digest.inputs.htmltext import html_to_text

        flat = "".join(f"<p>{escape(p)}</p>" for p in html_to_text(html)[1].split("\n\n"))
        doc = pagemeta.parse(f"<html><body>{flat}</body></html>")
        blocks = _blocks(doc)
    if title:  # the part of a "Site - Headline" title that the page shows as a block
        title = pagemeta.shown_part(title, {_squash(b.text) for b in blocks if b.words >= 2})
    never: dict[int, str] = {}
    _comment_sections(blocks, never)
    for b in blocks:
        for el in b.path:
            if id(el) not in never:
                never[id(el)] = never_reason(el) or ""
    _content_wins(blocks, never)
    squashed = _squash(title) if title else None
    headline = next((i for i, b in enumerate(blocks) if _squash(b.text) == squashed), None)
    return Analysis(blocks, meta, ld, title, body_el, never, doc=doc, headline=headline)


def _content_wins(blocks: list[Block], never: dict[int, str]) -> None:
    """A class that names content as well as a widget ("entry-content share-on", "post-body
    has-ads") is the article's when it holds most of the page's long blocks."""
    long = [b for b in blocks if b.words >= 12 and b.link_density <= 0.2]
    total = sum(b.words for b in long)
    held: Counter[int] = Counter()
    for b in long:
        for el in b.path:
            held[id(el)] += b.words
    for b in long:
        for el in b.path:
            reason = never.get(id(el))
            if (reason and reason.startswith("class") and _class_words(el) & CONTENT_WORDS
                    and held[id(el)] >= 0.5 * total):
                never[id(el)] = ""


# a heading that announces reader comments ("3 تعليقات", "أضف تعليقك", "12 آراء", "Comments")
COMMENTS_HEADING = re.compile(r"تعليق|التعليقات|ردود|\bcomments?\b|\brepl(?:y|ies)\b|"
                              r"^\W*\d+\s+(?:آراء|رأي|رأيا)\b", re.I)


def _comment_sections(blocks: list[Block], never: dict[int, str]) -> None:
    """What follows a heading that announces comments: the section it opens when it is that
    section's first block, else its following siblings."""
    firsts: dict[int, int] = {}
    marked: set[int] = set()
    for i, b in enumerate(blocks):
        for el in b.path:
            firsts.setdefault(id(el), i)
    for i, b in enumerate(blocks):
        if b.words > 5 or b.link_density > 0.5 or not COMMENTS_HEADING.search(b.text):
            continue
        section = b.owner.getparent()
        if section is None:
            continue
        reason = f"reader comments (after '{b.text}')"
        if firsts.get(id(section)) == i and section.getparent() is not None:
            never[id(section)] = reason
        else:
            for sib in b.owner.itersiblings():
                if id(sib) in marked:  # an earlier heading marked it and all after it
                    break
                marked.add(id(sib))
                never[id(sib)] = reason


def _teasers(blocks: list[Block], p: Params) -> set[int]:
    """Blocks shaped like a teaser: in a short item (a list item, or one of repeated
    siblings) that also holds a headline link to another story."""
    linky: dict[int, int] = Counter()
    words: dict[int, int] = Counter()
    count: dict[int, int] = Counter()
    for b in blocks:
        for el in b.path:
            words[id(el)] += b.words
            count[id(el)] += 1
            if b.link_density > 0.5 and b.words >= 3:
                linky[id(el)] += 1
    out = set()
    kinds: dict[int, Counter[tuple[Any, str | None]]] = {}  # a parent's children by kind
    for i, b in enumerate(blocks):
        if b.link_density > 0.5:
            continue
        for el in reversed(b.path):
            k = id(el)
            if words[k] > p.teaser_words:
                break
            if linky[k] and count[k] >= 2 and _is_item(el, kinds):
                out.add(i)
                break
    return out


def _is_item(el: Any, kinds: dict[int, Counter[tuple[Any, str | None]]]) -> bool:
    """A list item, or one of two or more siblings of one tag and class (counted once per
    parent: a listing of 50,000 teasers is not 50,000 passes over it)."""
    if el.tag == "li":
        return True
    parent = el.getparent()
    if parent is None:
        return False
    if id(parent) not in kinds:
        kinds[id(parent)] = Counter((c.tag, c.get("class")) for c in parent)
    return kinds[id(parent)][(el.tag, el.get("class"))] >= 2


# a link on a name (a person, a place, a body) is a few words; a sentence is a dozen or more
NAME_WORDS = 3
SENTENCE_WORDS = 12


def _names_in_prose(b: Block, p: Params) -> bool:
    """A sentence whose names link to tag pages: its links names (a few words each, on
    average), most of its words outside links (a line that is one headline link is not)."""
    return (b.words >= SENTENCE_WORDS and b.link_words <= NAME_WORDS * max(1, b.links)
            and b.link_density <= p.sibling_link_density)


def _why_not(b: Block, i: int, a: Analysis, p: Params, teasers: set[int],
             template: SiteTemplate | None) -> str | None:
    """Why a block is not prose by itself (None: it is)."""
    if template is not None and normalize_block(b.text) in template.blocks:
        return "recurs on the site's pages"
    if b.link_density > p.max_link_density and not _names_in_prose(b, p):
        return "links (navigation, related stories, read also)"
    if i in teasers:
        return "teaser of another story"
    if not _LETTER.search(b.text):
        return "no words (a time, a count, a symbol)"
    if a.title and _squash(b.text) == _squash(a.title):
        return "headline (kept as the title)"
    if b.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return "heading"
    # a date with a short label, or a byline with a date (or a <time>) that is not a sentence
    if b.words <= 10 and pagemeta.is_date_line(b.text):
        return "date line"
    if (b.words <= 8 and pagemeta.text_date(b.text) or b.dated and b.words <= 20) and not \
            _SENTENCE_END.search(b.text):
        return "byline or date line"
    if b.words < p.min_words:
        return "short"
    return None


def _below_never(b: Block, depth: int, a: Analysis) -> str | None:
    """The reason of a never-article element between depth `depth` (exclusive) and the block."""
    for el in b.path[depth + 1:]:
        reason = a.never.get(id(el))
        if reason:
            return reason
    return None


def select(a: Analysis, p: Params = Params(), template: SiteTemplate | None = None) -> Page:
    blocks = a.blocks
    teasers = _teasers(blocks, p)
    why = [_why_not(b, i, a, p, teasers, template) for i, b in enumerate(blocks)]
    body = a.ld.get("articleBody")
    if isinstance(body, str) and _words(body) >= 30:
        from_ld, matched = _from_article_body(a, body, why)
        if matched:  # the page's own blocks hold it: they are the article
            return from_ld
        from_dom = _from_dom(a, p, why)
        # some sites put only the lead in articleBody: the page's own text is then the article
        if _words(from_dom.text) <= 1.5 * _words(from_ld.text):
            return from_ld
        return from_dom
    return _from_dom(a, p, why)


def _from_dom(a: Analysis, p: Params, why: list[str | None]) -> Page:
    blocks = a.blocks
    chosen = a.body_el is not None
    container = a.body_el if chosen else _best_container(a, why, p)
    # the body split around a box ("read also", an ad) is the container and its like siblings
    containers = [container] + ([] if chosen else _same_kind(a, container, why))
    depths = [(c, _depth(c)) for c in containers if c is not None]
    depth_of: dict[int, int] = {}
    for i, b in enumerate(blocks):
        for c, d in depths:
            if d >= 0 and len(b.path) > d and b.path[d] is c:
                depth_of[i] = d
                break
    inside = sorted(depth_of)
    prose = [i for i in inside if why[i] is None and not _below_never(blocks[i], depth_of[i], a)]
    lead = set(_lead(a, why, container, inside[0])) if inside else set()
    # elements that hold the article's paragraphs: as their own text (<br> layouts) or as
    # sibling <p>s
    own = {id(blocks[i].owner) for i in prose}
    parents = {id(blocks[i].owner.getparent()) for i in prose}
    siblings = {(id(blocks[i].owner.getparent()), blocks[i].tag) for i in prose}
    first, last = (prose[0], prose[-1]) if prose else (-1, -1)
    kept: list[int] = []
    reasons: dict[int, str] = {}
    for k, i in enumerate(inside):
        b = blocks[i]
        never = _below_never(b, depth_of[i], a)
        if never:
            reasons[i] = f"not the article: {never}"
        elif why[i] is None:
            kept.append(i)
        elif (why[i].startswith("links") and b.tag == "p"
              and b.words >= p.min_words and b.link_density <= p.sibling_link_density
              and id(b.owner.getparent()) in parents):
            kept.append(i)  # a paragraph of the article's whose names link elsewhere
        elif why[i] == "short" and (
                (id(b.owner.getparent()), b.tag) in siblings
                or (first < i < last and id(b.owner) in own)):
            kept.append(i)  # a short paragraph among the article's own
        elif (why[i] == "heading" and first < i < last and b.words >= 2
              and b.link_density <= p.max_link_density
              and _opens_text(inside[k + 1:], depth_of, a, why)):
            kept.append(i)  # a subheading inside the body: the paragraphs it opens follow
        else:
            reasons[i] = why[i] or ""
    if not kept:  # a page with no paragraph at all: its short text is all it has
        kept = [i for i in inside
                if why[i] == "short" and not _below_never(blocks[i], depth_of[i], a)]
        for i in kept:
            reasons.pop(i, None)
    kept = sorted(set(kept) | lead)
    for i in range(len(blocks)):
        if i not in depth_of and i not in lead:
            reasons[i] = "outside the article"
    return _page(a, [blocks[i].text for i in kept], reasons)


def _opens_text(after: list[int], depth_of: dict[int, int], a: Analysis,
                why: list[str | None]) -> bool:
    """The next block of the article (a box inside the body passed over) is text: a
    paragraph or a short line, not links (a box's title opens its links)."""
    for j in after:
        if not _below_never(a.blocks[j], depth_of[j], a):
            return why[j] is None or why[j] == "short"
    return False


def _lead(a: Analysis, why: list[str | None], container: Any, first: int) -> list[int]:
    """Prose between the headline and the body: the standfirst set beside the <h1> in the
    article's header block, an update pinned above a live page's feed. Sentences with no
    link, no date, in no widget (the element that holds the headline is the article's own
    header, whatever its tag)."""
    blocks = a.blocks
    head = a.headline
    if head is None or head >= first or container is None:
        return []
    above = {id(el) for el in blocks[head].path}
    region = container
    while region is not None and id(region) not in above:
        region = region.getparent()
    if region is None:
        return []
    d = _depth(region)
    lines = [i for i in range(head + 1, first)
             if why[i] in (None, "short") and not blocks[i].link_words and not blocks[i].dated
             and not any(a.never.get(id(el)) and id(el) not in above
                         for el in blocks[i].path[d + 1:])]
    out = [i for i in lines if why[i] is None and (
        blocks[i].words >= SENTENCE_WORDS or _SENTENCE_END.search(blocks[i].text))]
    # the lines right above the lead in its block (a dateline) go with it; a byline below
    # it does not
    kept = set(out)
    for i in out:
        j = i - 1
        while j in lines and j not in kept and (
                blocks[j].owner.getparent() is blocks[i].owner.getparent()):
            kept.add(j)
            j -= 1
    return sorted(kept)


def _same_kind(a: Analysis, container: Any, why: list[str | None]) -> list[Any]:
    """Elements of the container's tag and class in the story's part of the page (under the
    element that holds the headline as well, before the next <h1>), mostly prose: the body
    split in two by a box set between its paragraphs, a live page's updates."""
    if container is None or not container.get("class"):
        return []
    head = a.headline
    region = container.getparent()
    if head is not None:
        above = {id(el) for el in a.blocks[head].path}
        while region is not None and id(region) not in above:
            region = region.getparent()
    if region is None:
        return []
    start = head if head is not None else -1
    next_head = next((i for i, b in enumerate(a.blocks) if i > start and b.tag == "h1"), None)
    mine = {id(el) for el in container.iter()} | {id(el) for el in container.iterancestors()}
    out: list[Any] = []
    for el in region.iter(container.tag):
        if id(el) in mine or el.get("class") != container.get("class"):
            continue
        if any(el is o or o in el.iterancestors() for o in out):
            continue
        d = _depth(el)
        held = [i for i, b in enumerate(a.blocks) if len(b.path) > d and b.path[d] is el]
        if not held or (next_head is not None and held[-1] > next_head):
            continue
        if any(a.never.get(id(x)) for x in a.blocks[held[0]].path[_depth(region) + 1:d + 1]):
            continue
        total = sum(a.blocks[i].words for i in held)
        prose = sum(a.blocks[i].words for i in held
                    if why[i] is None and not _below_never(a.blocks[i], d, a))
        if prose and prose >= 0.5 * total:
            out.append(el)
    return out


def _depth(el: Any) -> int:
    n = -1
    while el is not None:
        n += 1
        el = el.getparent()
    return n


def _best_container(a: Analysis, why: list[str | None], p: Params) -> Any:
    """The element whose blocks are most prose, least anything else."""
    score: dict[int, float] = Counter()
    elements: dict[int, Any] = {}
    for i, b in enumerate(a.blocks):
        # the deepest never-article element above the block: only elements below it gain
        cut = max((d for d, el in enumerate(b.path) if a.never.get(id(el))), default=-1)
        if why[i] is None:
            gain, cost = b.words, 0.0
        elif (why[i] or "").startswith("links") and b.link_density <= p.sibling_link_density:
            # a paragraph whose names link elsewhere: its own words count, its links cost
            gain, cost = b.words - b.link_words, p.noise_weight * b.link_words
        else:
            gain, cost = 0, p.noise_weight * b.words
        for d, el in enumerate(b.path):
            k = id(el)
            elements[k] = el
            score[k] += (gain if d >= cut else -p.noise_weight * gain) - cost
    ranked = [k for k in score if not a.never.get(k)]
    if not ranked:
        return None
    best = elements[max(ranked, key=lambda k: score[k])]
    if _prose_blocks(a, best, why) != 1:
        return best
    # one paragraph is not a body (a long standfirst, a pinned update): the body is the best
    # element elsewhere that holds paragraphs; the paragraph joins it when it is the lead
    mine = {id(el) for el in best.iter()} | {id(el) for el in best.iterancestors()}
    # nor is the block that holds the headline (with a dateline and the standfirst)
    head = a.headline
    if head is not None:
        mine |= {id(el) for el in a.blocks[head].path}
    others = sorted((k for k in ranked if k not in mine and score[k] > 0),
                    key=lambda k: -score[k])
    for k in others[:5]:  # paragraphs in it, or in it and its like (a body split in two)
        el = elements[k]
        n = _prose_blocks(a, el, why)
        if n >= 2 or n and any(_prose_blocks(a, x, why) for x in _same_kind(a, el, why)):
            return el
    return best


def _prose_blocks(a: Analysis, el: Any, why: list[str | None]) -> int:
    d = _depth(el)
    return sum(1 for i, b in enumerate(a.blocks) if why[i] is None and len(b.path) > d
               and b.path[d] is el and not _below_never(b, d, a))


def _squash(text: str) -> str:
    return " ".join(text.split())


def _from_article_body(a: Analysis, body: str, why: list[str | None]) -> tuple[Page, bool]:
    """The blocks that JSON-LD articleBody holds, True; its own text when the page's blocks
    do not hold it, False."""
    if "<" in body and ">" in body:
        body = " ".join(pagemeta.parse(body).text_content().split("\n"))
    flat = _squash(body)
    lines = {_squash(x) for x in body.split("\n")}
    kept, reasons, covered = [], {}, 0
    seen: set[str] = set()
    for i, b in enumerate(a.blocks):
        text = _squash(b.text)
        # a short block only as a whole line of the body (a word alone is anywhere)
        inside = text in lines or (b.words >= 3 and text in flat)
        if inside and text not in seen and b.tag != "h1":
            kept.append(b.text)
            seen.add(text)
            covered += b.words
        else:
            reasons[i] = "not in the page's structured articleBody"
    if covered >= 0.8 * _words(flat):
        return _page(a, kept, reasons), True
    paragraphs = [p for p in (_squash(x) for x in re.split(r"\n\s*", body)) if p]
    reasons = {i: "not in the page's structured articleBody" for i in range(len(a.blocks))}
    return _page(a, paragraphs, reasons), False


def _page(a: Analysis, paragraphs: list[str], reasons: dict[int, str]) -> Page:
    text = "\n\n".join(paragraphs)
    meta = dict(a.meta)
    start = a.headline or 0
    # the date a page shows sits by its headline (a date header above it, a byline below):
    # the short dated blocks nearest the headline first, then the article's text
    window = sorted(range(max(0, start - 3), min(len(a.blocks), start + 4)),
                    key=lambda i: abs(i - start))
    near = "\n".join(a.blocks[i].text for i in window if a.blocks[i].words <= 12)
    date = pagemeta.page_date(a.doc, a.ld, near + "\n" + text, meta.get("url"))
    if date:
        meta["date"] = date
    # neighbouring blocks dropped for one reason are one entry (a menu is one, not forty)
    runs: list[tuple[str, list[str]]] = []  # joined once: a page of 50,000 links is one run
    last = -2
    for i in sorted(reasons):
        if not reasons[i] or not a.blocks[i].text or a.blocks[i].text == a.title:
            continue
        if runs and last == i - 1 and runs[-1][0] == reasons[i]:
            runs[-1][1].append(a.blocks[i].text)
        else:
            runs.append((reasons[i], [a.blocks[i].text]))
        last = i
    removed = [{"kind": "page", "reason": why, "text": "\n".join(texts)} for why, texts in runs]
    return Page(a.title, text, meta, removed)


def extract_page(html: str, url: str | None = None, template: SiteTemplate | None = None,
                 params: Params = Params()) -> Page:
    """The article of one page: its headline, paragraphs, metadata and what was dropped.
    `template`: what recurs on the site's pages (SiteTemplate.learn over a folder of them)."""
    return select(analyse(html, url), params, template)


def is_probably_arabic_page(html: str) -> bool:
    """The cheap look before extraction: enough Arabic letters in the page's text, against
    its Latin ones (markup and scripts, which are Latin, are left out of the count)."""
    sample = html if len(html) <= 400_000 else html[:200_000] + html[-200_000:]
    if len(_ARABIC.findall(sample)) < 50:  # most pages that are not Arabic stop here
        return False
    visible = re.sub(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", sample, flags=re.S | re.I)
    arabic = len(_ARABIC.findall(visible))
    return arabic >= 50 and arabic >= 0.3 * len(_LATIN.findall(visible))
