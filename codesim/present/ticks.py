r"""Log axes' tick labels as plain text: 10⁻³ instead of matplotlib's mathtext ``$10^{-3}$``.

matplotlib labels a log (or symlog) axis with mathtext, which it parses afresh for every
figure (its parser's cache belongs to one renderer): in the experiments' figures the parsing
was a seventh of the time to draw them.  The same labels as Unicode superscripts are laid out
like any text.  A label in another form is left as matplotlib wrote it.

>>> plain_label(r"$\mathdefault{10^{-3}}$"), plain_label(r"$\mathdefault{-2.5\times10^{1}}$")
('10⁻³', '−2.5×10¹')
>>> plain_label(r"$\mathdefault{0}$"), plain_label(r"$\mathdefault{\alpha}$")
('0', '$\\mathdefault{\\alpha}$')
"""

from __future__ import annotations

import re

__all__ = ["plain_log_labels", "plain_label"]

_POWER = re.compile(r"\$\\mathdefault\{(-?)(?:([0-9.]+)\\times)?([0-9]+)\^\{(-?[0-9]+)\}\}\$")
_NUMBER = re.compile(r"\$\\mathdefault\{(-?[0-9.]+)\}\$")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain_label(text: str) -> str:
    """A log formatter's mathtext label as plain text (the minus sign as mathtext draws it,
    U+2212); a label of any other form unchanged."""
    power = _POWER.fullmatch(text)
    if power:
        sign, coefficient, base, exponent = power.groups()
        return (("\u2212" if sign else "") + (f"{coefficient}\u00d7" if coefficient else "")
                + base + exponent.translate(_SUPERSCRIPT))
    number = _NUMBER.fullmatch(text)
    return number.group(1).replace("-", "\u2212") if number else text


def plain_log_labels(fig) -> None:
    """Give every log-formatted axis of ``fig`` (major and minor ticks) plain-text labels: the
    same ticks, the same numbers, without mathtext."""
    from matplotlib.ticker import Formatter, LogFormatter

    class PlainLabels(Formatter):
        """A log formatter's labels, through :func:`plain_label`."""

        def __init__(self, inner):
            self.inner = inner

        def set_locs(self, locs):
            self.inner.set_locs(locs)

        def __call__(self, x, pos=None):
            return plain_label(self.inner(x, pos))

        def format_ticks(self, values):
            return [plain_label(label) for label in self.inner.format_ticks(values)]

        def format_data_short(self, value):
            return self.inner.format_data_short(value)

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), LogFormatter):
                axis.set_major_formatter(PlainLabels(axis.get_major_formatter()))
            if isinstance(axis.get_minor_formatter(), LogFormatter):
                axis.set_minor_formatter(PlainLabels(axis.get_minor_formatter()))
