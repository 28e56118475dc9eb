"""Stories: articles that report the same news, grouped on the cleaned Arabic text.

Two similarities, both computed from a small sketch per article, so a first pass over the whole
corpus holds sketches, never texts:

* near-copies (syndicated agency copy): MinHash over word 5-gram shingles, candidates from an
  LSH index (datasketch), kept when the estimated Jaccard reaches `near_jaccard`;
* same-event coverage told in other words: TF-IDF cosine over normalised content words (the
  article's most frequent `sketch_terms` words, title included), kept when it reaches
  `cosine`, or `cosine_with_title` where the headlines agree too (TF-IDF cosine of their
  character n-grams of at least `title_cosine`): a headline states the event, and two
  reports of one event say it in alike words, while two events of one topic (a death, then a
  decree about the dead) share the body's names but not the headline.

Both links hold only between articles whose dates (where known) lie within `window_days`. A
story is a connected group of links; its lead is the most complete article (most words, then
the earliest, then the smallest id); its id is a hash of its smallest member's id. All of it
depends only on the set of articles (sketches are ordered by id before anything is computed),
so a resumed run, a shard run or a Ray run that feeds the same whole input gets the same
stories.

The runner feeds `StoryGrouper.add(id, paragraphs, meta, title)` in a first pass, calls
`finish()` once, then asks `Stories.field(id)` for each record's `story` and
`Stories.translates(id, mode)` whether to translate it (`--translate leads`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from scipy import sparse

from arabic_digest.inputs.dates import meta_date
from arabic_digest.text import plural

STORIES_VERSION = "v1"
TRANSLATE_MODES = ("all", "leads")
BLOCK = 1024  # rows of the cosine product computed at once


@dataclass(frozen=True)
class StoryOptions:
    """Thresholds of the grouping; `benchmarks/stories_quality.py` chose the defaults."""

    shingle_words: int = 5
    num_perm: int = 128
    near_jaccard: float = 0.5  # near-copy: estimated word 5-gram Jaccard
    cosine: float = 0.62  # same event: TF-IDF cosine of the articles' content words alone,
    cosine_with_title: float = 0.2  # or this much when the titles agree too:
    title_cosine: float = 0.45  # TF-IDF cosine of the titles' character n-grams
    title_ngram: int = 3  # n-grams inside words match a headline's other word forms
    window_days: float = 3.0  # same-event links only between articles this close in time
    sketch_terms: int = 400  # words kept per article for the cosine (its most frequent)
    min_words: int = 8  # shorter articles (a caption, a headline) stay alone

    def signature(self) -> str:
        return (f"stories:{STORIES_VERSION}|shingle:{self.shingle_words}|perm:{self.num_perm}"
                f"|near:{self.near_jaccard}|cos:{self.cosine}|cos+title:{self.cosine_with_title}"
                f"+{self.title_cosine}|title:{self.title_ngram}g|window:{self.window_days}d"
                f"|terms:{self.sketch_terms}|min:{self.min_words}")


# --- words --------------------------------------------------------------------------------
# Matching only (never shown, never translated), so the normalisation may be as aggressive
# as the MT-safe cleaning must not be: alef/hamza forms, ى/ي and ة/ه are unified.
_WORD = re.compile(r"\w+")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و",
                       "ئ": "ي", "_": " "})
_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال")
_STOP = frozenset("""
في من على الى عن مع ان او ثم قد لا ما لم لن هذا هذه ذلك تلك التي الذي الذين اللذين هو هي هم
كان كانت يكون تكون وقد وفي ومن وعلى والى وان كما حيث بين بعد قبل عند حتى اي كل بعض غير اذا
ايضا فيما منذ خلال له لها لهم به بها فيه فيها منه منها عليه عليها انه انها وهو وهي التى اليه
اليها الا او اما ولا وما ولم وكان وكانت وذلك هناك هنا لدى نحو ضمن عبر وفق اكثر اقل امس اليوم
""".split())


def words(text: str) -> list[str]:
    """Folded words of `text`, in order (for shingles)."""
    return _WORD.findall(text.translate(_FOLD))


def stem(word: str) -> str:
    """The word without a leading article or conjunction+article (light, for the cosine)."""
    for p in _PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    if word.startswith("و") and len(word) >= 5:
        return word[1:]
    return word


def content_terms(ws: Iterable[str]) -> Counter[str]:
    return Counter(s for w in ws if w not in _STOP and len(s := stem(w)) >= 2
                   and s not in _STOP)


def char_ngrams(ws: Iterable[str], n: int) -> Counter[str]:
    """Character n-grams of each content word (a shorter word counts whole): headlines use
    other forms of the same words (الإماراتيين / الإمارات) that whole words miss."""
    out: Counter[str] = Counter()
    for w in ws:
        if w in _STOP:
            continue
        w = stem(w)
        if len(w) <= n:
            out[w] += 1
        else:
            out.update(w[k:k + n] for k in range(len(w) - n + 1))
    return out


# --- sketches and grouping ------------------------------------------------------------------

Bag = tuple[np.ndarray, np.ndarray]  # sorted 64-bit term hashes, their counts (uint16)


def bag(counts: Mapping[str, int], limit: int | None = None) -> Bag:
    """The `limit` most frequent terms as hashes and counts: a few bytes a term, not a str."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    merged: Counter[int] = Counter()
    for term, n in top:
        digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
        merged[int.from_bytes(digest, "little")] += n
    keys = np.array(sorted(merged), dtype=np.uint64)
    return keys, np.array([min(merged[int(k)], 65535) for k in keys], dtype=np.uint16)


@dataclass
class Sketch:
    """What the first pass keeps of one article: no text (about 2-3 KB)."""

    id: str
    words: int  # length of the cleaned text in words: "most complete" picks the lead
    timestamp: float | None  # seconds since the epoch, None without a date
    terms: Bag  # the `sketch_terms` most frequent content words and their counts
    title_terms: Bag  # the title's content words as character n-grams
    minhash: LeanMinHash | None  # None when shorter than one shingle


@dataclass(frozen=True)
class Story:
    id: str
    lead: str
    members: tuple[str, ...]  # sorted ids, lead included

    @property
    def size(self) -> int:
        return len(self.members)


def story_id(members: Iterable[str]) -> str:
    """A stable name for a story: a hash of its smallest member's id (a function of the set)."""
    return "story-" + hashlib.sha1(min(members).encode("utf-8")).hexdigest()[:12]


class _Union:
    def __init__(self, items: Sequence[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller id becomes the root: the same components whatever the order of links.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


@dataclass
class Stories:
    """The stories of a corpus: per article id its story."""

    options: StoryOptions
    by_id: dict[str, Story] = field(default_factory=dict)
    links: list[tuple[str, str, str, float]] = field(default_factory=list)  # (a, b, kind, score)

    def story(self, article_id: str) -> Story | None:
        return self.by_id.get(article_id)

    def field(self, article_id: str) -> dict[str, Any] | None:
        """The record's `story` field: {id, size, role}; None for an id not in the first pass."""
        s = self.by_id.get(article_id)
        if s is None:
            return None
        return {"id": s.id, "size": s.size, "role": "lead" if s.lead == article_id else "member"}

    def translates(self, article_id: str, mode: str = "all") -> bool:
        """Whether the run translates this article: all of them, or only each story's lead.

        An article the first pass did not see (no text) is translated: nothing is skipped on a
        guess.
        """
        if mode not in TRANSLATE_MODES:
            raise ValueError(f"translate must be one of {', '.join(TRANSLATE_MODES)}, not {mode!r}")
        s = self.by_id.get(article_id)
        return mode == "all" or s is None or s.lead == article_id

    def skip_reason(self, article_id: str) -> dict[str, str]:
        """The `error` of a member's skipped record under `--translate leads`."""
        s = self.by_id[article_id]
        return {"stage": "stories", "type": "story_member",
                "message": f"{article_id} is a member of {s.id} "
                           f"({plural(s.size, 'article')}); only its lead {s.lead} is "
                           "translated (--translate leads)"}

    def all(self) -> list[Story]:
        return sorted({s.id: s for s in self.by_id.values()}.values(), key=lambda s: s.id)


class StoryGrouper:
    """First pass: `add` every article (any order), then `finish` once."""

    def __init__(self, options: StoryOptions | None = None) -> None:
        self.options = options or StoryOptions()
        self.sketches: dict[str, Sketch] = {}
        self.lsh = MinHashLSH(threshold=self.options.near_jaccard, num_perm=self.options.num_perm)
        self.duplicates = 0

    def add(self, article_id: str, paragraphs: Sequence[str],
            meta: Mapping[str, Any] | None = None, title: str | None = None) -> None:
        """One article's cleaned Arabic paragraphs (and title). A repeated id is ignored."""
        if article_id in self.sketches:
            self.duplicates += 1
            return
        o = self.options
        ws = words("\n".join(paragraphs))
        n = o.shingle_words
        mh: LeanMinHash | None = None
        if len(ws) >= max(n, o.min_words):
            full = MinHash(num_perm=o.num_perm)
            full.update_batch([" ".join(ws[i:i + n]).encode("utf-8")
                               for i in range(len(ws) - n + 1)])
            mh = LeanMinHash(full)  # the signature only, without the permutations
            self.lsh.insert(article_id, mh)
        title_words = words(title) if title else []
        terms = bag(content_terms(ws + title_words), o.sketch_terms)
        dt = meta_date(meta)
        title_grams = bag(char_ngrams(title_words, o.title_ngram))
        self.sketches[article_id] = Sketch(article_id, len(ws), dt.timestamp() if dt else None,
                                           terms, title_grams, mh)

    def _near_links(self, ids: list[str]) -> list[tuple[str, str, str, float]]:
        links = []
        for a in ids:
            mh = self.sketches[a].minhash
            if mh is None:
                continue
            for b in sorted(self.lsh.query(mh)):
                if b <= a:
                    continue
                score = mh.jaccard(self.sketches[b].minhash)
                if score >= self.options.near_jaccard and self._close(a, b):
                    links.append((a, b, "near", round(score, 4)))
        return links

    def _close(self, a: str, b: str) -> bool:
        ta, tb = self.sketches[a].timestamp, self.sketches[b].timestamp
        return ta is None or tb is None or abs(ta - tb) <= self.options.window_days * 86400

    def tfidf(self, ids: list[str], part: str = "terms") -> sparse.csr_matrix:
        """Rows of L2-normalised TF-IDF (sublinear tf, smoothed idf) of the sketches' `terms`
        or `title_terms`, in `ids` order; the dot product of two rows is their cosine."""
        docs: list[Bag] = [getattr(self.sketches[i], part) for i in ids]
        n = len(docs)
        keys = np.concatenate([d[0] for d in docs]) if docs else np.zeros(0, np.uint64)
        counts = np.concatenate([d[1] for d in docs]) if docs else np.zeros(0, np.uint16)
        vocab, cols = np.unique(keys, return_inverse=True)  # each bag's keys are distinct
        df = np.bincount(cols, minlength=len(vocab))
        idf = np.log((1 + n) / (1 + df)) + 1
        indptr = np.concatenate([[0], np.cumsum([len(d[0]) for d in docs])])
        data = (1 + np.log(counts.astype(np.float64))) * idf[cols]
        x = sparse.csr_matrix((data, cols, indptr), shape=(n, len(vocab)))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1 / norms) @ x

    def _cosine_links(self, ids: list[str]) -> list[tuple[str, str, str, float]]:
        o = self.options
        eligible = [i for i in ids if self.sketches[i].words >= o.min_words]
        if len(eligible) < 2:
            return []
        x = self.tfidf(eligible)
        xt = x.T.tocsc()
        y = self.tfidf(eligible, "title_terms")
        floor = min(o.cosine, o.cosine_with_title)
        links = []
        # Row blocks of the sparse product: memory follows the pairs that share words, never
        # a dense articles x articles matrix.
        for start in range(0, len(eligible), BLOCK):
            sim = (x[start:start + BLOCK] @ xt).tocoo()
            keep = (sim.data >= floor) & (sim.row + start < sim.col)
            rows, cols, body = sim.row[keep] + start, sim.col[keep], sim.data[keep]
            if not len(rows):
                continue
            titles = np.asarray(y[rows].multiply(y[cols]).sum(axis=1)).ravel()
            hit = (body >= o.cosine) | ((body >= o.cosine_with_title) & (titles >= o.title_cosine))
            for r, c, v in zip(rows[hit].tolist(), cols[hit].tolist(), body[hit].tolist()):
                a, b = eligible[r], eligible[c]
                if self._close(a, b):
                    links.append((a, b, "similar", round(v, 4)))
        return links

    def finish(self) -> Stories:
        ids = sorted(self.sketches)
        links = self._near_links(ids) + self._cosine_links(ids)
        groups = _Union(ids)
        for a, b, _, _ in links:
            groups.union(a, b)
        members: dict[str, list[str]] = {}
        for i in ids:
            members.setdefault(groups.find(i), []).append(i)
        stories = Stories(self.options, links=sorted(links))
        for group in members.values():
            lead = min(group, key=self._lead_key)
            story = Story(story_id(group), lead, tuple(sorted(group)))
            for i in group:
                stories.by_id[i] = story
        return stories

    def _lead_key(self, article_id: str) -> tuple[int, float, str]:
        # The most complete telling leads; on a tie the earliest, then the smallest id.
        s = self.sketches[article_id]
        return (-s.words, s.timestamp if s.timestamp is not None else math.inf, article_id)


def group_articles(articles: Iterable[tuple[str, Sequence[str], Mapping[str, Any] | None,
                                            str | None]],
                   options: StoryOptions | None = None) -> Stories:
    """Stories of (id, cleaned paragraphs, meta, cleaned title) tuples, in one call."""
    grouper = StoryGrouper(options)
    for article_id, paragraphs, meta, title in articles:
        grouper.add(article_id, paragraphs, meta, title)
    return grouper.finish()


# --- what the runner calls ------------------------------------------------------------------
# The runner's part is three calls: `first_pass` over the WHOLE input (every shard and engine
# does the same pass, so they all get the same stories and merge has nothing to settle),
# `member_record` where `--translate leads` skips an article, and `annotate` on the records
# just before they are appended.


def first_pass(items: Iterable[Any], clean_options: Any = None,
               options: StoryOptions | None = None) -> Stories:
    """Stories of the input items (Articles; anything else, such as the error record of a
    duplicate id, is passed over), cleaned as `pipeline.prepare` cleans them."""
    from arabic_digest.inputs.readers import Article
    from arabic_digest.pipeline.preparation import prepare_text
    from arabic_digest.translate.cleaning.options import CleanOptions

    clean_options = clean_options or CleanOptions()
    grouper = StoryGrouper(options)
    for item in items:
        if not isinstance(item, Article) or item.error or not item.text:
            continue
        try:
            # As prepare() cleans it: with what was learned of its source's boilerplate.
            _, cleaned = prepare_text(item, clean_options)
        except Exception:  # noqa: BLE001 - prepare() reports the article's own error
            continue
        grouper.add(item.id, cleaned.paragraphs, item.meta, cleaned.title)
    return grouper.finish()


def batch_stories(records: Iterable[dict[str, Any]], options: StoryOptions | None = None
                  ) -> Stories:
    """Stories among finished records (their cleaned text): `Pipeline.process` over a stream
    groups each batch's articles, as it cannot read the stream twice."""
    return group_articles(((str(r["id"]), r["clean"]["paragraphs"], r["source"]["meta"],
                            r["clean"].get("title")) for r in records
                           if r.get("clean") and r["clean"].get("paragraphs")), options)


def lead_or_member(item: Any, stories: Stories | None, mode: str) -> Any:
    """The item to process, or under `--translate leads` a story member's skipped record."""
    from arabic_digest.inputs.readers import Article

    if (stories is not None and isinstance(item, Article)
            and not stories.translates(item.id, mode)):
        return member_record(item, stories)
    return item


def story_field(stories: Stories, article_id: str) -> dict[str, Any]:
    """The `story` of a record; an id the first pass did not group is a story of its own."""
    return stories.field(article_id) or {"id": story_id([article_id]), "size": 1,
                                         "role": "lead"}


def with_stories(records: list[dict[str, Any]], stories: Stories | None
                 ) -> list[dict[str, Any]]:
    """The records, each with its `story` field (as they are without stories)."""
    if stories is None:
        return records
    return [{**rec, "story": story_field(stories, str(rec.get("id")))} for rec in records]


def member_record(article: Any, stories: Stories) -> dict[str, Any]:
    """The skipped record of a story member under `--translate leads`: source kept, nothing
    translated, the reason and the story said."""
    from arabic_digest.records import base_record

    rec = base_record(article)
    rec["status"] = "skipped"
    rec["error"] = stories.skip_reason(article.id)
    rec["story"] = story_field(stories, article.id)
    return rec


def manifest_entry(stories: Stories | None, mode: str = "all") -> dict[str, Any] | None:
    """What the run manifest says about the stories."""
    if stories is None:
        return None
    all_stories = stories.all()
    return {"signature": stories.options.signature(), "translate": mode,
            "articles": len(stories.by_id), "stories": len(all_stories),
            "multi_article": sum(1 for s in all_stories if s.size > 1),
            "leads_only_skips": (sum(s.size - 1 for s in all_stories) if mode == "leads"
                                 else 0)}
