"""codesim report: one self-contained page with every experiment and the teaching views, which
renders in a real browser (headless Chromium) with every figure loaded and no console error."""

import json
import os
import re
import resource
import shutil
import subprocess
import sys

import pytest

from tests.helpers import limited

pytest.importorskip("matplotlib")

from codesim.experiments.runner import list_experiments

#: builds the whole report in a child process and opens it in Chromium
pytestmark = pytest.mark.slow

MEMORY_CAP = 6 << 30
REPORT_TIMEOUT = 600          # the build takes about a minute; this only stops a hang


_limit_child = limited(MEMORY_CAP)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """``codesim report --quick`` in a bounded subprocess (its calibration starts workers)."""
    out = tmp_path_factory.mktemp("report")
    done = subprocess.run([sys.executable, "-m", "codesim", "report", "--quick", "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=REPORT_TIMEOUT,
                          preexec_fn=_limit_child)
    assert done.returncode == 0, done.stderr[-2000:]
    return out, done


def test_the_report_holds_every_experiment_and_view_self_contained(report):
    out, done = report
    page = (out / "index.html").read_text()
    for name in list_experiments():
        assert f'id="{name}"' in page and f"codesim experiment {name} --quick --seed 0" in page
        assert (out / "experiments" / f"{name}.json").exists()
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == len(list_experiments()) + 5                  # + the five views
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert "<script" not in page.lower() and "http://" not in page and "https://" not in page
    assert f"report: {len(list_experiments())}/{len(list_experiments())}" in done.stderr
    assert oct((out / "index.html").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_the_report_says_what_it_ran_as_json_and_its_tables_fit(report):
    out, done = report
    summary = json.loads(done.stdout)
    assert summary == json.loads((out / "report.json").read_text())
    assert [e["experiment"] for e in summary["experiments"]] == list_experiments()
    assert summary["n"] == 20_000 and summary["seed"] == 0 and summary["codesim_version"]
    assert all((out / f).exists() for e in summary["experiments"] for f in e["files"])
    page = (out / "index.html").read_text()
    assert "{&#x27;" not in page and "<th>ledger.sample_entropy</th>" in page   # no dict in a cell
    demo = page[page.index("The demo"):page.index("Teaching views")]
    assert "<th>expected (theory)</th>" in demo and "Shannon-Fano-Elias" in demo  # and its footer


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


#: Chromium reserves terabytes of address space (V8's sandbox) and cannot start under a finite
#: RLIMIT_AS such as a CI container's `ulimit -v`: there the browser is absent in effect
ADDRESS_LIMITED = resource.getrlimit(resource.RLIMIT_AS)[1] != resource.RLIM_INFINITY


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")
@pytest.mark.skipif(ADDRESS_LIMITED, reason="Chromium cannot start under an inherited address-space "
                    "limit (ulimit -v): it reserves terabytes of virtual memory")
def test_the_report_renders_in_headless_chromium_with_every_figure_loaded(report, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    out, _ = report
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,2000",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.set_page_load_timeout(120)
        driver.get((out / "index.html").resolve().as_uri())
        widths = driver.execute_script(
            "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0);")
        assert len(widths) == len(list_experiments()) + 5 and min(widths) > 0, widths
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        assert driver.title == "codesim report"
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot)) and shot.read_bytes().startswith(b"\x89PNG")
        if os.environ.get("CODESIM_REPORT_SCREENSHOT"):        # how docs/figures/report.png is made
            shutil.copy(shot, os.environ["CODESIM_REPORT_SCREENSHOT"])
    finally:
        driver.quit()
