"""Numbers for people: one formatter for the terminal tables and the HTML reports.

`number` gives four significant figures, thousands separators from 1,000, millions and billions as
`M` and `bn` (so budget lines stay readable), never scientific notation, and `n/a` for a missing
value. Differences of sums of large numbers carry float noise (2.3e-13 where the answer is 0): a
value smaller than 1e-9 of `scale` (the size of the numbers it was computed from) prints as 0.
"""

from __future__ import annotations

import math

NOISE = 1e-9  # relative to the scale of the numbers a value was computed from
SUFFIXES = ((1e9, " bn"), (1e6, " M"))


def denoise(v: float, scale: float = 0.0) -> float:
    """0 for float noise: |v| below 1e-9 of (1 + |scale|); otherwise v (NaN stays NaN)."""
    return 0.0 if abs(v) < NOISE * (1.0 + abs(scale)) else v


def _significant(v: float, sign: str) -> str:
    """Four significant figures in fixed-point notation (|v| below 1,000, not 0)."""
    decimals = max(0, 3 - math.floor(math.log10(abs(v))))
    text = f"{v:{sign}.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def number(v: float | None, sign: bool = False, scale: float = 0.0) -> str:
    """860848 -> '860,848'; 6.005e9 -> '6.005 bn'; 2.274e-13 -> '0'; 0.61953 -> '0.6195'; NaN -> 'n/a'.

    `sign` puts + before positive numbers and 0 (effects, differences); `scale` sets the float-noise
    floor (see the module's docstring).
    """
    if v is None or v != v:
        return "n/a"
    v = float(v)
    if math.isinf(v):
        return "+inf" if v > 0 and sign else ("inf" if v > 0 else "-inf")
    v = denoise(v, scale)
    s = "+" if sign else ""
    if v == 0.0:
        return f"{s}0"
    for size, suffix in SUFFIXES:
        if abs(v) >= size:
            text = f"{v / size:{s}.4g}"
            if suffix == " M" and abs(float(text)) >= 1000:  # 999,999,999.7 rounds up to 1 bn, not 1000 M
                return f"{v / 1e9:{s}.4g} bn"
            return text + suffix
    if abs(v) >= 999.5:  # rounds to 1,000 or more: whole numbers with separators
        text = f"{v:{s},.0f}"
        return f"{v / 1e6:{s}.4g} M" if abs(v) >= 999_999.5 else text
    text = _significant(v, s)
    return text if float(text) != 0 else f"{s}0"


def percent(v: float | None, digits: int = 0) -> str:
    """0.934 -> '93%'; NaN -> 'n/a'."""
    if v is None or v != v:
        return "n/a"
    return f"{v:.{digits}%}"


def html_table(frame, columns: dict[str, str] | None = None, formats: dict | None = None, scale=None,
               signed=(), classes: str = "table") -> str:
    """A DataFrame as an HTML table with every float through `number`.

    `columns` renames (and orders, when given) the columns for people; `formats` maps a column to its
    own formatter (after renaming); `signed` names columns printed with a sign; `scale` is a column
    (after renaming) whose value per row sets the noise floor of the signed columns.
    """
    import html

    import numpy as np

    t = frame[list(columns)].rename(columns=columns) if columns else frame
    formats = formats or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
    rows = []
    for _, row in t.iterrows():
        cells = []
        for col in t.columns:
            v = row[col]
            if col in formats:
                text = formats[col](v)
            elif isinstance(v, (bool, np.bool_)):
                text = "yes" if v else "no"
            elif isinstance(v, (int, float, np.integer, np.floating)):
                base = float(row[scale]) if scale is not None and col in signed else 0.0
                text = number(v, sign=col in signed, scale=base)
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>' + "".join(rows)
            + "</tbody></table>")
