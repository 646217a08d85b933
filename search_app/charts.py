"""Charts of a result set as server-rendered SVG: no script, no CDN, readable by screen readers.

Each chart is built as an ElementTree, so every label and title is XML-escaped by the serialiser and the
output is always well-formed; it is the one place the app makes markup from data, and it returns Markup
only for that escaped serialisation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from xml.etree import ElementTree as ET

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
MAX_HEATMAP_ROWS = 12  # applications; the rest are in the facet list
MAX_HEATMAP_COLUMNS = 10  # countries
CELL = 34
LABEL_WIDTH = 210
HEADER_HEIGHT = 28
BAR_WIDTH = 34
BAR_GAP = 8
BAR_AREA = 120
LABEL_CHARS = 30

ET.register_namespace("", SVG_NS)


def _svg(width: int, height: int, title: str, description: str, chart_id: str) -> ET.Element:
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height),
        "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "class": "chart",
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", **attributes})
    element.text = text
    return element


def _markup(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))


def _clip(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def heatmap_svg(counts: Mapping[str, Mapping[str, int]], application_label: Callable[[str], str],
                country_label: Callable[[str], str], href: Callable[[str, str], str] | None = None,
                chart_id: str = "heatmap") -> Markup | None:
    """Applications (rows, most pages first) × countries (columns); a cell's shade is its share of the largest.

    `counts[application][country]` is a page count. Returns None when no page has both.
    """
    application_totals = {app: sum(by_country.values()) for app, by_country in counts.items() if by_country}
    if not application_totals:
        return None
    rows = sorted(application_totals, key=lambda app: (-application_totals[app], app))[:MAX_HEATMAP_ROWS]
    country_totals: dict[str, int] = {}
    for app in rows:
        for country, count in counts[app].items():
            country_totals[country] = country_totals.get(country, 0) + count
    columns = sorted(country_totals, key=lambda c: (-country_totals[c], c))[:MAX_HEATMAP_COLUMNS]
    largest = max(counts[app].get(country, 0) for app in rows for country in columns) or 1

    width = LABEL_WIDTH + CELL * len(columns)
    height = HEADER_HEIGHT + CELL * len(rows)
    svg = _svg(width, height, "Applications by country",
               f"Pages of the results per application ({len(rows)} shown) and country ({len(columns)} shown); "
               "darker cells hold more pages.", chart_id)
    for column, country in enumerate(columns):
        header = _text(svg, LABEL_WIDTH + CELL * column + CELL / 2, HEADER_HEIGHT - 10, country,
                       **{"text-anchor": "middle", "class": "chart-axis"})
        ET.SubElement(header, "title").text = country_label(country)
    for row, app in enumerate(rows):
        y = HEADER_HEIGHT + CELL * row
        label = _text(svg, 0, y + CELL / 2 + 4, _clip(application_label(app)), **{"class": "chart-label"})
        ET.SubElement(label, "title").text = application_label(app)
        for column, country in enumerate(columns):
            count = counts[app].get(country, 0)
            parent = svg
            if href is not None and count:
                parent = ET.SubElement(svg, "a", {"href": href(app, country)})
            cell = ET.SubElement(parent, "rect", {
                "x": str(LABEL_WIDTH + CELL * column + 1), "y": str(y + 1), "width": str(CELL - 2),
                "height": str(CELL - 2), "class": "chart-cell" if count else "chart-cell empty",
                "fill-opacity": f"{0.15 + 0.85 * count / largest:.2f}" if count else "1",
            })
            ET.SubElement(cell, "title").text = (
                f"{application_label(app)} · {country_label(country)}: {count} page{'' if count == 1 else 's'}")
            if count:
                _text(parent, LABEL_WIDTH + CELL * column + CELL / 2, y + CELL / 2 + 4, str(count),
                      **{"text-anchor": "middle", "class": "chart-count"})
    return _markup(svg)


def trl_distribution_svg(levels: Mapping[int, int], unknown: int, chart_id: str = "trl-chart") -> Markup | None:
    """Pages per TRL 1..9, plus those without a readiness cue, as bars. None when there are no pages."""
    bars = [(str(level), f"TRL {level}", levels.get(level, 0)) for level in range(1, 10)]
    bars.append(("?", "TRL unknown", unknown))
    largest = max(count for _, _, count in bars)
    if not largest:
        return None
    width = (BAR_WIDTH + BAR_GAP) * len(bars)
    height = BAR_AREA + 40
    svg = _svg(width, height, "TRL distribution",
               "Pages of the results per technology readiness level, and without a readiness cue.", chart_id)
    for index, (axis_label, name, count) in enumerate(bars):
        x = index * (BAR_WIDTH + BAR_GAP)
        bar_height = round(BAR_AREA * count / largest)
        bar = ET.SubElement(svg, "rect", {
            "x": str(x), "y": str(20 + BAR_AREA - bar_height), "width": str(BAR_WIDTH), "height": str(bar_height),
            "class": "chart-bar unknown" if axis_label == "?" else "chart-bar",
        })
        ET.SubElement(bar, "title").text = f"{name}: {count} page{'' if count == 1 else 's'}"
        _text(svg, x + BAR_WIDTH / 2, 20 + BAR_AREA - bar_height - 4, str(count),
              **{"text-anchor": "middle", "class": "chart-count"})
        _text(svg, x + BAR_WIDTH / 2, height - 6, axis_label, **{"text-anchor": "middle", "class": "chart-axis"})
    return _markup(svg)
