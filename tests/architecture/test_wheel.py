"""codesim runs from an installed wheel, not only from a checkout: its experiments and its
report ship inside the package."""

import os
import sys

import pytest

from tests.helpers import REPOSITORY, run_bounded

pytestmark = pytest.mark.slow
MEMORY = 6 << 30
TIMEOUT = 600


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv holding codesim's wheel, installed from the built file (no editable path); its
    dependencies come from this interpreter's site-packages (pip fetches only the build backend)."""
    pytest.importorskip("matplotlib")
    top = tmp_path_factory.mktemp("wheel")
    wheels = top / "dist"
    built = run_bounded([sys.executable, "-m", "pip", "wheel", "--no-deps",
                         "-w", str(wheels), str(REPOSITORY)], MEMORY, TIMEOUT)
    assert built.returncode == 0, built.stderr[-2000:]
    venv = top / "venv"
    made = run_bounded([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], MEMORY, TIMEOUT)
    assert made.returncode == 0, made.stderr[-2000:]
    wheel = next(wheels.glob("codesim-*.whl"))
    done = run_bounded([str(venv / "bin" / "pip"), "install", "--no-deps", "--force-reinstall",
                        str(wheel)], MEMORY, TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    outside = top / "elsewhere"
    outside.mkdir()
    return venv, outside


def run(installed, *argv):
    venv, outside = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return run_bounded([str(venv / "bin" / "codesim"), *argv], MEMORY, TIMEOUT, cwd=outside, env=env)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    venv, outside = installed
    where = run_bounded([str(venv / "bin" / "python"), "-c", "import codesim; print(codesim.__file__)"],
                        MEMORY, TIMEOUT, cwd=outside)
    assert str(venv) in where.stdout and str(REPOSITORY) not in where.stdout, where.stdout


def test_the_experiments_run_from_the_wheel(installed, tmp_path):
    listed = run(installed, "experiment", "list")
    assert listed.returncode == 0 and "wrong_codebook" in listed.stdout, listed.stderr
    done = run(installed, "experiment", "wrong_codebook", "--quick", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert {p.name for p in tmp_path.iterdir()} >= {"wrong_codebook.json", "wrong_codebook.csv",
                                                     "wrong_codebook.png"}


def test_the_report_builds_from_the_wheel(installed, tmp_path):
    done = run(installed, "report", "--quick", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "index.html").stat().st_size > 10_000
