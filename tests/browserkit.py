"""Headless Chromium for the tests that look at a page as a person would (and docs' pictures).

Debian's ``chromium`` (.ci/run installs it when absent) is run as a subprocess,
each time with a profile of its own in a scratch folder (helpers and test workers
run side by side), a proxy that leads nowhere (a page that needs the network shows
it: nothing loads) and a timeout. :func:`need_chromium` skips a test, saying why,
only where Chromium is missing and this is not CI; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# A cold start on a loaded machine takes seconds; a hung one is cut off.
TIMEOUT_S = 180
NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """Where Chromium is, or None."""
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def need_chromium() -> str:
    """Chromium's path; skips (outside CI) or fails (in CI) a test without it."""
    import pytest

    found = chromium_path()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: install Debian's chromium (.ci/run does)")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI runs this")
    return found


def run(page: Path, *args: str, binary: str | None = None) -> subprocess.CompletedProcess[str]:
    """Chromium, headless and offline, on the file ``page`` with ``args``; its output."""
    binary = binary or chromium_path()
    if binary is None:
        raise RuntimeError("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [
                binary,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                # Offline: anything the page asked of the network would fail to load.
                "--proxy-server=127.0.0.1:9",
                f"--user-data-dir={profile}",
                *args,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=True,
            stdin=subprocess.DEVNULL,
        )


def screenshot(page: Path, png: Path, width: int, height: int, binary: str | None = None) -> Path:
    """A PNG of ``page`` as a window ``width`` x ``height`` pixels shows it."""
    run(page, f"--screenshot={png}", f"--window-size={width},{height}", binary=binary)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot of {page.name}")
    return png


def dump_dom(page: Path, binary: str | None = None) -> str:
    """The page's DOM after it loaded (and after any script it ran), serialised."""
    return run(page, "--dump-dom", binary=binary).stdout
