"""Screenshots of a report for the README, in the system Chromium (as the browser test uses).

    python docs/screenshot.py outputs/news-articles.report.html docs/report.png
    python docs/screenshot.py outputs/news-articles.report.html docs/report-phone.png --phone

The desktop shot is the page as it opens, with the first sentence of the first article
hovered so its counterpart is lit; the phone shot shows the first article's columns.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--phone", action="store_true", help="390 x 844, the first article's top")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    size = {"width": 390, "height": 844} if args.phone else {"width": 1280, "height": 1250}
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=args.chromium, headless=True, args=ARGS, viewport=size)
        page = ctx.new_page()
        page.goto(args.report.resolve().as_uri())
        first = page.locator("main > article").first
        if args.phone:
            page.evaluate("document.querySelector('main > article').scrollIntoView()")
        else:  # the page as it opens, with a sentence of the first article hovered
            first.locator(".pair .ar .seg").first.hover()
            page.evaluate("window.scrollTo(0, 0)")
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png))
        ctx.close()
    print(f"{args.png}: {args.png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
