"""The release files: they build, pass ``twine check``, and carry what the package needs."""

from __future__ import annotations

import email.parser
import importlib.metadata
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import aftersales

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "aftersales"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # no isolation: the build backend comes from the dev environment, not the network
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)]
    done = subprocess.run(build, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_wheel_and_sdist_pass_twine_check(dist: Path) -> None:
    files = sorted(str(f) for f in dist.iterdir())
    assert len(files) == 2, files
    check = [sys.executable, "-m", "twine", "check", "--strict", *files]
    done = subprocess.run(check, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_carries_templates_data_types_and_license(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "aftersales/py.typed" in names
    assert "aftersales/board/templates/board.html" in names
    # the labelled reviews that decide a review's cause when sure (reviews._ngrams)
    assert "aftersales/reviews/cause_model.json" in names
    templates = SRC / "messages" / "templates"
    shipped = {f"aftersales/{p.relative_to(SRC).as_posix()}" for p in templates.rglob("*.txt")}
    assert shipped
    assert shipped <= names
    info = f"aftersales-{aftersales.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    meta = email.parser.Parser().parsestr(zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode())
    assert meta["Version"] == aftersales.__version__
    assert meta["License-Expression"] == "MIT"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL", []))
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= urls.keys()


def test_the_sdist_has_the_license_and_the_tests(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "src/aftersales/py.typed"} <= names
    assert "tests/test_packaging.py" in names


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    # the installed metadata comes from __version__ (reinstall after changing it)
    assert importlib.metadata.version("aftersales") == aftersales.__version__


def test_the_license_file_matches_the_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
