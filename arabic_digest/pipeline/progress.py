"""The run's progress bar: segments translated, with a rate and an ETA.

Articles go to the models in pools of thousands of segments, so a bar over articles sits
still for minutes and then jumps. This bar moves with every model batch instead; its total
is the segments of the pools planned so far plus an estimate for the articles not yet
pooled (their count times the segments per article seen so far).
"""

from __future__ import annotations

import sys

from tqdm import tqdm


class Progress:
    def __init__(self, articles: int | None, quiet: bool) -> None:
        self.articles = articles  # None on stdin: no total, no ETA
        self.articles_done = 0  # written or resumed
        self.resumed_articles = 0
        self.planned_articles = 0  # handed to the models in this run
        self.planned_segments = 0
        self.segments_done = 0  # in finished pools (exact; batches count model rows)
        self.bar = tqdm(total=None, unit="segment", desc="translating", file=sys.stderr,
                        disable=quiet, dynamic_ncols=True)
        self._postfix()

    def resumed(self) -> None:
        self.resumed_articles += 1
        self.articles_done += 1
        self._postfix()

    def planned(self, articles: int, segments: int) -> None:
        """A pool is about to be translated: its segments are known, the rest estimated."""
        self.planned_articles += articles
        self.planned_segments += segments
        if self.articles is not None and self.planned_articles:
            rest = max(0, self.articles - self.resumed_articles - self.planned_articles)
            per_article = self.planned_segments / self.planned_articles
            self.bar.total = max(self.bar.n, round(self.planned_segments + rest * per_article))
            self.bar.refresh()

    def translated(self, rows: int) -> None:
        self.bar.update(rows)

    def finished(self, articles: int, segments: int) -> None:
        """A pool's records are written: set the count to the exact segments done."""
        self.articles_done += articles
        self.segments_done += segments
        self.bar.n = self.segments_done
        if self.bar.total is not None:
            self.bar.total = max(self.bar.total, self.bar.n)
        self._postfix()
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()

    def _postfix(self) -> None:
        total = f"/{self.articles}" if self.articles is not None else ""
        self.bar.set_postfix_str(f"{self.articles_done}{total} articles", refresh=False)
