"""Screenshots of the web UI's main pages, for the README (docs/screenshots/).

Serves the sample registry of the UI's tests on a loopback port and photographs each page
in the system's Chromium. Run from the repository root: `python scripts/screenshots.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from registry.testing._server import LoopbackServer  # noqa: E402
from tests.registry.ui.browser import chromium  # noqa: E402
from tests.registry.ui.conftest import sample_app  # noqa: E402
from tests.registry.ui.sample import INCOMPATIBLE_ORDER  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    """Photograph the subjects list, a subject, a diff, a failing check, the settings and
    the keys."""
    OUT.mkdir(parents=True, exist_ok=True)
    server = LoopbackServer(sample_app())  # type: ignore[arg-type]
    try:
        with chromium() as browser:
            page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 800})
            shots = {
                "subjects.png": "/ui/subjects",
                "subject.png": "/ui/subject?name=orders-value&version=2",
                "diff.png": "/ui/diff?subject=events-value&a=1&b=2",
                "settings.png": "/ui/settings",
                "keys.png": "/ui/keys",
            }
            for name, path in shots.items():
                page.goto(path)
                page.screenshot(path=str(OUT / name), full_page=True)
            page.goto("/ui/check?subject=orders-value")
            page.fill("#schema", INCOMPATIBLE_ORDER)
            page.locator("#run-check").click()
            page.locator("#verdict").wait_for()
            page.screenshot(path=str(OUT / "check.png"), full_page=True)
    finally:
        server.stop()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
