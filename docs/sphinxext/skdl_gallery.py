"""sphinx-gallery hooks for skdl's examples.

skdl's examples are plain scripts that save their own figures into
``examples/figures/`` (``python examples/plot_x.py`` must work on its own).  Two
things make such scripts build into the gallery unchanged:

* :func:`reset_argv` runs before each example; it gives the example a ``__file__``
  (sphinx-gallery deliberately does not, as its notebooks have none) so that
  ``Path(__file__).parent / "figures"`` works in both settings, and it records the
  PNGs already in ``examples/figures/``.
* :func:`saved_figures_scraper` runs after each code block; it shows the PNGs the
  block wrote into ``examples/figures/`` - exactly the figures a user running the
  script gets, even when the script closed its matplotlib figures - and falls back
  to sphinx-gallery's matplotlib scraper for a block that saved nothing.
"""

import shutil
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst, matplotlib_scraper

# PNG path -> modification time, as last seen by the scraper
_seen = {}


def _figure_dir(src_file):
    return Path(src_file).resolve().parent / "figures"


def _snapshot(src_file):
    folder = _figure_dir(src_file)
    return {p: p.stat().st_mtime_ns for p in folder.glob("*.png")} if folder.is_dir() else {}


def reset_argv(gallery_conf, script_vars):
    """Before an example runs: set its ``__file__``, remember the saved figures."""
    src_file = script_vars["src_file"]
    script_vars["example_globals"]["__file__"] = str(Path(src_file).resolve())
    _seen.clear()
    _seen.update(_snapshot(src_file))
    return []


def saved_figures_scraper(block, block_vars, gallery_conf, **kwargs):
    """Show the PNGs this block saved into ``examples/figures/``, in saving order."""
    now = _snapshot(block_vars["src_file"])
    new = sorted((p for p, t in now.items() if _seen.get(p) != t), key=lambda p: (now[p], p))
    _seen.update(now)
    if not new:
        return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    import matplotlib.pyplot as plt

    plt.close("all")  # saved and shown from the file: do not show the figure twice
    image_path_iterator = block_vars["image_path_iterator"]
    images = []
    for png, target in zip(new, image_path_iterator, strict=False):
        shutil.copyfile(png, target)
        images.append(target)
    return figure_rst(images, gallery_conf["src_dir"])
