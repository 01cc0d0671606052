"""report.html in a real browser (issue 13): headless Chromium loads the page from a file, draws the charts
with no console message, and leaves a screenshot in ``out/browser/`` to look at.

Without a browser the test fails with how to install one (never skips: a page nobody opened is not checked);
under CI (``CI=true``) ``.ci/run`` installs Debian's ``chromium`` first. Set ``CHROMIUM`` to use another
Chromium-based binary.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from cost_helpers import sample_report

from lambdas.cost_reporter.logic.html import render_html

OUT = Path(__file__).resolve().parents[2] / "out" / "browser"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1280, 2000)
INSTALL = (
    "no Chromium found for the report.html browser test: install one (Debian/Ubuntu: "
    "`sudo apt-get update && sudo apt-get install -y chromium`; macOS: `brew install --cask chromium`), "
    "or point CHROMIUM at a Chromium or Chrome binary"
)


def browser() -> str:
    """The browser binary, or a test failure saying how to get one."""
    found = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, NAMES)), None)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {INSTALL}; .ci/run installs Debian's chromium before `make test`")
    pytest.fail(INSTALL)


def run_browser(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--disable-gpu",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{binary} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_headless_chromium_draws_the_report_page(tmp_path: Path) -> None:
    binary = browser()
    OUT.mkdir(parents=True, exist_ok=True)
    page = OUT / "report.html"
    page.write_text(render_html(sample_report()), encoding="utf-8")
    screenshot = OUT / "report.png"
    screenshot.unlink(missing_ok=True)

    dom = run_browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    shot = run_browser(binary, tmp_path / "profile", f"--screenshot={screenshot}", page.as_uri())

    # The DOM Chromium built holds the three charts with their bars and their tables.
    for chart in ("chart-daily", "chart-cost", "chart-savings", "chart-idle"):
        assert f'id="{chart}"' in dom.stdout
    assert dom.stdout.count("<rect") >= 5 * 2 + 5 + 5
    assert dom.stdout.count("Figures of this chart") == 4
    assert "infersave cost report 2026-10-01 to 2026-11-01" in dom.stdout
    # No console message (errors from a blocked or broken resource would be logged there).
    for run in (dom, shot):
        assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []
    # A screenshot of the window, not a blank page (a white 1280x2000 PNG is about 10 kB).
    assert png_size(screenshot) == WINDOW
    assert screenshot.stat().st_size > 50_000
