"""The documentation site builds, offline, with warnings as errors (``make docs``).

Runs the same Sphinx build as ``make docs`` into a temporary directory, so a broken
docstring, cross-reference or gallery example fails the test suite; it skips when the
``docs`` extra is not installed.  It also checks that the build shows what the site
promises: a gallery page with its figures for every ``examples/plot_*.py``, and an
API page and a user-guide entry for every public estimator.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skdl.utils import all_estimators

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOCS_DEPS = ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme",
             "sphinx-mathjax-offline")


def _missing_docs_deps():
    return [dep for dep in DOCS_DEPS if importlib.util.find_spec(dep) is None]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    missing = _missing_docs_deps()
    if missing:
        pytest.skip(f"the docs extra is not installed (missing: {', '.join(missing)})")
    out = tmp_path_factory.mktemp("docs")
    cmd = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
        "-d", str(out / "doctrees"),
        # run every example, even one sphinx-gallery ran before and cached
        "-D", "sphinx_gallery_conf.run_stale_examples=1",
        str(DOCS), str(out / "html"),
    ]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        # sphinx prints the warnings (with their detail lines) on stderr
        pytest.fail("the docs build failed:\n" + (proc.stderr.strip() or proc.stdout[-5000:]))
    return out / "html"


def test_docs_build_without_warnings(built_site):
    assert (built_site / "index.html").is_file()
    # MathJax is served from the site itself: the pages render offline
    page = (built_site / "user_guide" / "linear_model.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in page
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_gallery_shows_every_example_with_its_figures(built_site):
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert examples, "no examples/plot_*.py"
    for name in examples:
        page = built_site / "auto_examples" / f"{name}.html"
        assert page.is_file(), f"no gallery page for examples/{name}.py"
        assert f"sphx_glr_{name}_001.png" in page.read_text(), f"{name}: no figure in the gallery"
        assert (built_site / "_images" / f"sphx_glr_{name}_001.png").is_file()
    assert not (built_site / "auto_examples" / "tour.html").exists()


def test_every_estimator_has_an_api_page_and_a_user_guide_entry(built_site):
    guide = "".join(p.read_text() for p in (built_site / "user_guide").glob("*.html"))
    for name, cls in all_estimators():
        subpackage = ".".join(cls.__module__.split(".")[:2])
        target = f"skdl.{subpackage.split('.')[1]}.{name}"
        assert (built_site / "api" / "generated" / f"{target}.html").is_file(), target
        assert f"{target}.html" in guide, f"{name} is on no user-guide page"


def test_no_broken_inline_markup_in_the_pages(built_site):
    """A literal or role docutils could not parse shows its backticks in the page."""
    import re

    broken = []
    for page in sorted(built_site.glob("**/*.html")):
        if "_static" in page.parts or "_modules" in page.parts or "_sources" in page.parts:
            continue
        html = page.read_text()
        # source listings (examples' code, doctests) legitimately show backticks
        html = re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
        text = re.sub(r"<[^>]*>", "", html)
        if "``" in text:
            i = text.index("``")
            broken.append(f"{page.relative_to(built_site)}: ...{text[max(0, i - 60):i + 40]!r}")
    assert not broken, "\n".join(broken)


def test_tagged_multiline_equations_are_not_wrapped_in_split():
    """Sphinx wraps a multi-line display in ``split``, where MathJax refuses ``\\tag``.

    Such a block must use ``:nowrap:`` and its own ``\\[ ... \\]``; the build cannot
    see this (MathJax renders in the browser), so it is checked here.
    """
    import re

    offenders = []
    for page in sorted(DOCS.rglob("*.rst")):
        if "_build" in page.parts or "auto_examples" in page.parts or "api" in page.parts:
            continue
        for block in re.findall(r"^\.\. math::\n((?:[ ]{3}.*\n|\n)+)", page.read_text(), re.M):
            if "\\tag" in block and "\\\\" in block and ":nowrap:" not in block:
                offenders.append(f"{page.relative_to(ROOT)}: {block.split(chr(10))[0].strip()}")
    assert not offenders, offenders


def test_examples_have_a_gallery_title():
    """sphinx-gallery needs each example's docstring to open with a reST title."""
    import ast

    for path in sorted((ROOT / "examples").glob("plot_*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()), clean=False) or ""
        lines = [line.rstrip() for line in doc.strip("\n").splitlines()]
        assert len(lines) >= 2 and lines[1] and set(lines[1]) == {"="}, (
            f"{path.name}: the docstring must start with a title line underlined by '='"
        )
        assert len(lines[1]) >= len(lines[0]), f"{path.name}: title underline too short"
