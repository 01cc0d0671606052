"""report.html of the demo month in a real browser (issue 13): the page the deployed reporter wrote for the
replayed October 2026 (the e2e session's ``report_run``, the same run as ``make demo``), loaded by headless
Chromium from a file: the four charts drawn, no console message, a screenshot in ``out/browser/`` to look at
(``docs/report.png`` is made from it, see the README).

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

from tests.conftest import ROOT
from tests.e2e.conftest import ReportRun

pytestmark = pytest.mark.e2e

OUT = ROOT / "out" / "browser"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1280, 2000)
CHARTS = ("chart-daily", "chart-cost", "chart-savings", "chart-idle")
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


def test_headless_chromium_draws_the_demo_months_report_page(report_run: ReportRun, tmp_path: Path) -> None:
    binary = browser()
    OUT.mkdir(parents=True, exist_ok=True)
    page = OUT / "report.html"
    shutil.copyfile(report_run.files["report.html"], page)  # the page as the deployed reporter wrote it
    screenshot = OUT / "report.png"
    screenshot.unlink(missing_ok=True)

    dom = run_browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    shot = run_browser(binary, tmp_path / "profile", f"--screenshot={screenshot}", page.as_uri())

    # The DOM Chromium built holds the charts with their bars and their tables: 31 days x 2 columns, and per
    # endpoint two cost bars, two savings bars and three idle-capacity bars.
    for chart in CHARTS:
        assert f'id="{chart}"' in dom.stdout
    endpoints = len(report_run.document["endpoints"])
    assert dom.stdout.count("<rect") >= 31 * 2 + endpoints * (2 + 2 + 3)
    assert dom.stdout.count("Figures of this chart") == len(CHARTS)
    assert "infersave cost report 2026-10-01 to 2026-11-01" in dom.stdout
    for line in report_run.document["endpoints"]:
        assert line["endpoint_name"] in dom.stdout
    # No console message (errors from a blocked or broken resource would be logged there).
    for run in (dom, shot):
        assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []
    # A screenshot of the window, not a blank page (a white 1280x2000 PNG is about 10 kB).
    assert png_size(screenshot) == WINDOW
    assert screenshot.stat().st_size > 50_000
