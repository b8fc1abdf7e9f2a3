"""Sphinx configuration of the skdl documentation site.

Build it with ``make docs`` (offline, warnings are errors); the pages land in
``docs/_build/html``.  The API reference and each user-guide page's API list are
generated from the package at every build (``sphinxext/skdl_api.py``), and the
gallery runs every ``examples/plot_*.py`` (``sphinxext/skdl_gallery.py``).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the checkout's skdl, installed or not
sys.path.insert(0, str(HERE / "sphinxext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import skdl_api  # noqa: E402

import skdl  # noqa: E402

project = "skdl"
author = "the skdl developers"
copyright = "the skdl developers"
release = skdl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into the build: math renders offline
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "skdl_api",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "api/_families", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- user-guide families: page -> modules whose public names it lists ------------------
# Patterns are matched against the module that defines each public name
# (``obj.__module__``); the first matching page wins.  A name whose module matches no
# pattern goes to its subpackage's fallback page.
SKDL_FAMILIES = {
    "basis_functions": ["skdl.linear_model._basis*", "skdl.linear_model._rbf*",
                        "skdl.linear_model._kernel*"],
    "logistic": ["skdl.linear_model._logistic*", "skdl.linear_model._softmax*"],
    "linear_model": ["skdl.linear_model._linear*", "skdl.linear_model._coordinate*"],
    "decomposition": ["skdl.decomposition*"],
    "manifold": ["skdl.manifold*"],
    "optim": ["skdl.optim*"],
    "neural_network": ["skdl.neural_network*"],
    "metrics_datasets": ["skdl.metrics*", "skdl.datasets*"],
}
SKDL_FALLBACK = {"skdl.linear_model": "linear_model"}

_unplaced = skdl_api.generate(HERE, "skdl", SKDL_FAMILIES, SKDL_FALLBACK)
if _unplaced:  # a new family: give it a user-guide page and an entry above
    raise RuntimeError(f"estimators on no user-guide page: {_unplaced}; edit SKDL_FAMILIES")

# -- autodoc / autosummary / numpydoc ----------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autosummary_generate_overwrite = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# a docstring that documents a parameter the signature lacks, or misses one, is an
# error (numpydoc validation warnings fail the -W build)
numpydoc_validation_checks = {"PR01", "PR02"}
numpydoc_validation_exclude = {r"\.__init__$"}

# -- math ---------------------------------------------------------------------------------
mathjax3_config = {"tex": {"tags": "none"}, "chtml": {"scale": 1.0}}

# -- gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # every plot_*.py runs; anything else in examples/ (tour.py, helpers) is left out
    "filename_pattern": r"[\\/]plot_",
    "ignore_pattern": r"^(?!plot_).*\.py$",
    "image_scrapers": ("skdl_gallery.saved_figures_scraper",),
    "reset_argv": "skdl_gallery.reset_argv",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skdl",),
    "backreferences_dir": "api/generated/backreferences",
    "reference_url": {"skdl": None},
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "matplotlib_animations": False,
}

# -- HTML -----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdl {release}"
html_static_path = ["_static"]
html_css_files = ["skdl.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = True
html_last_updated_fmt = None
