"""report.html rendered by a real browser with the network cut: Debian's chromium, headless,
driven from its command line (playwright's own browser download needs the network).

Every request to another host is refused (`--host-resolver-rules` maps every name to nothing, and a
dead proxy takes anything else); the page must still draw its four figures with no console error.
A screenshot is saved under the test's temporary folder and its path printed. Skipped, with the
reason shown, where no chromium is installed (`.ci/run` installs it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from report_cases import written_outputs

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def _browser() -> str | None:
    return os.environ.get("BMDCOOP_CHROMIUM") or next((p for p in map(shutil.which, CANDIDATES) if p), None)


OFFLINE = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
           "--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0"]


@pytest.mark.skipif(_browser() is None, reason="no chromium on this machine (Debian: apt-get install chromium; "
                                               "or set BMDCOOP_CHROMIUM): the browser rendering test is pending here; "
                                               "offline-ness is still checked by parsing in test_report.py")
def test_report_renders_offline_in_headless_chromium(tmp_path):
    page = written_outputs()["report"].resolve()
    profile = tmp_path / "profile"
    dom = subprocess.run([_browser(), *OFFLINE, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    errors = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln and ("ERROR" in ln or "Uncaught" in ln)]
    assert errors == [], errors
    assert len(re.findall(r'class="main-svg"', dom.stdout)) >= 4          # each figure drew its SVG layers
    for div in ("bmdcoop-map", "bmdcoop-comparison", "bmdcoop-timeline", "bmdcoop-trajectories"):
        block = dom.stdout.split(f'id="{div}"', 1)[1][:400_000]
        assert 'class="scatterlayer' in block and re.search(r'<path class="(?:point|js-line)"', block), div
    shot = tmp_path / "report.png"
    subprocess.run([_browser(), *OFFLINE, f"--user-data-dir={profile}", "--window-size=1300,5200",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=180)
    assert shot.is_file() and shot.stat().st_size > 50_000
    print(f"screenshot: {shot}")
