"""matplotlib figures made without pyplot, the one way codesim makes them.

pyplot keeps state for its caller: a backend, chosen once per process, and a list of open
figures.  A figure made here has neither: no backend is chosen (``savefig`` renders a PNG with
Agg itself) and pyplot is never imported, so codesim drawing inside a notebook, a worker process
or a headless server changes nothing of the caller's (its backend, its inline plots, its open
figures).  Each figure shows itself in a notebook (``_repr_png_``).

>>> from codesim.present import figures
>>> fig, ax = figures.subplots(figsize=(3, 2))
>>> _ = ax.plot([0, 1], [1, 0])
>>> figures.png_bytes(fig)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import functools
import io

from ..errors import OptionError

__all__ = ["load", "figure", "subplots", "png_bytes"]


def load() -> None:
    """Load matplotlib's Figure and the Agg renderer its PNGs are drawn with, now (an
    OptionError if matplotlib is not installed): worker processes forked after inherit them."""
    _figure_class()
    import matplotlib.backends.backend_agg  # noqa: F401


def figure(width: float, height: float, **options):
    """A figure of ``width`` x ``height`` inches (``options``: matplotlib's Figure's, e.g.
    ``layout="constrained"``)."""
    return _figure_class()(figsize=(width, height), **options)


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, **options):
    """(figure, axes) as ``matplotlib.pyplot.subplots`` gives them, without pyplot: the
    experiments' ``plot(outcome, plt)`` is handed this module as ``plt``.  ``figsize`` (width,
    height) in inches, None: matplotlib's default (``rcParams["figure.figsize"]``), as pyplot's;
    ``options`` go to :meth:`matplotlib.figure.Figure.subplots` (``squeeze``, ``sharex``, ...)."""
    fig = _figure_class()(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **options)


def png_bytes(fig, dpi: int = 100, **options) -> bytes:
    """The figure as PNG bytes at ``dpi`` (``options``: :meth:`~matplotlib.figure.Figure.savefig`'s,
    e.g. ``bbox_inches="tight"``, which draws the figure twice to find its box)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, **options)
    return buffer.getvalue()


@functools.lru_cache(maxsize=1)
def _figure_class():
    """matplotlib's Figure with a ``_repr_png_`` (made on first use: matplotlib is optional)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise OptionError("codesim draws its figures with matplotlib, which is not installed: "
                          "pip install -e '.[plot]'") from None

    class ShownFigure(Figure):
        """A figure that draws its own PNG for a notebook (pyplot's display hook is not there)."""

        def _repr_png_(self) -> bytes:
            return png_bytes(self)

    return ShownFigure
