"""Rows as tables: print them, write them as CSV or JSON, or read them as HTML in a notebook."""

from __future__ import annotations

import math
from .errors import OptionError
from .files import atomic_write
import csv
import html
import io
import json

__all__ = ["format_table", "Table", "SHOWN_ROWS"]


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isinf(v):
            return "inf"
        return f"{v:.6f}" if abs(v) < 1e6 else f"{v:.4g}"
    return str(v)


def format_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Align a list of dicts as a text table.

    >>> print(format_table([{"a": 1, "b": 0.5}, {"a": 10, "b": float("inf")}]))
    a   b
    --  --------
    1   0.500000
    10  inf
    """
    if not rows:
        return "(no rows)"
    columns = columns or [k for k, v in rows[0].items() if not isinstance(v, dict)]
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


#: rows a printed or displayed table of a code or model shows (the rest are counted, not built)
SHOWN_ROWS = 64


class Table(list):
    """A list of row dicts that prints as a table and writes CSV and JSON (a slice of it too)."""

    def __getitem__(self, index):
        rows = super().__getitem__(index)
        return type(self)(rows) if isinstance(index, slice) else rows

    def to_json(self, path=None) -> str:
        """JSON text of the rows (infinity written as the string "inf"); also saved to ``path``."""
        text = json.dumps([{k: _jsonable(v) for k, v in row.items()} for row in self], indent=2)
        if path is not None:
            atomic_write(path, text + "\n")
        return text

    def to_csv(self, path=None) -> str:
        """CSV text of the rows (columns: union of keys in first-seen order; a dict cell such
        as a ledger spreads into columns ``key.subkey``)."""
        flat = [_flatten(row) for row in self]
        columns = list(dict.fromkeys(k for row in flat for k in row))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
        if path is not None:
            atomic_write(path, buf.getvalue())
        return buf.getvalue()

    def to_dict(self) -> dict:
        """The table by column: {column: [value of each row]} (a row without a column: None),
        columns in first-seen order, a dict cell (a ledger) spread into ``key.subkey`` columns.

        >>> Table([{"coder": "huffman", "bits": 3}, {"coder": "ans"}]).to_dict()
        {'coder': ['huffman', 'ans'], 'bits': [3, None]}
        """
        flat = [_flatten(row) for row in self]
        columns = list(dict.fromkeys(k for row in flat for k in row))
        return {c: [row.get(c) for row in flat] for c in columns}

    def to_pandas(self):
        """A pandas DataFrame of the rows (pandas is loaded here, on first use), one column per
        :meth:`to_dict` column."""
        try:
            import pandas
        except ImportError:
            raise OptionError("Table.to_pandas needs pandas, which is not installed: "
                              "pip install pandas (or use to_dict, to_csv or to_json)") from None
        return pandas.DataFrame(self.to_dict())

    def __str__(self) -> str:
        return format_table(list(self))

    def _repr_html_(self) -> str:
        """An HTML table, for notebooks and the report (a dict cell, a ledger, spread into
        ``key.subkey`` columns, as in CSV)."""
        flat = [_flatten(row) for row in self]
        columns = list(dict.fromkeys(k for row in flat for k in row))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns)
                       + "</tr>" for r in flat)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _flatten(row: dict) -> dict:
    """{"a": 1, "ledger": {"x": 2}} -> {"a": 1, "ledger.x": 2}."""
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update({f"{k}.{sub}": w for sub, w in v.items()})
        else:
            out[k] = v
    return out


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(w) for k, w in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return "inf" if v > 0 else ("-inf" if v < 0 else "nan")
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v
