"""Publication and update dates of pages, and the dates in their text."""

from __future__ import annotations

from indexer.analysis.extract import extract_html, page_dates

PRESS_RELEASE = """<html><head><title>Clearance</title>
<meta property="article:published_time" content="2024-03-04T09:00:00Z">
<meta property="article:modified_time" content="2024-05-10T12:00:00Z"></head>
<body><main><h1>RetinaScan receives clearance</h1>
<p class="dateline"><time datetime="2024-03-04">4 March 2024</time>, Springfield</p>
<p>The swept-source optical coherence tomography system for imaging the retina can now be marketed.
It was validated in a multi-centre study with 240 patients at five eye hospitals.</p></main></body></html>"""

NEWS_LIST = """<html><head><title>News</title></head><body><main><h1>News</h1><ul>
<li><time datetime="2024-09-12">12 September 2024</time> — <a href="a.html">Trial starts</a></li>
<li><time datetime="2024-03-04">4 March 2024</time> — <a href="b.html">Clearance</a></li>
</ul></main></body></html>"""

UNDATED = """<html><head><title>Products</title></head><body><main><h1>Products</h1>
<p>Our OCT systems image the retina. © 2024 Example Inc.</p></main></body></html>"""


def test_a_press_release_gives_its_publication_and_update_dates():
    extracted = extract_html(PRESS_RELEASE, "https://acme.example/news/clearance.html")
    assert (extracted.published_date, extracted.modified_date) == ("2024-03-04", "2024-05-10")


def test_the_text_of_time_elements_stays_in_the_main_text():
    assert "4 March 2024, Springfield" in extract_html(PRESS_RELEASE).text
    text = extract_html(NEWS_LIST).text
    assert "12 September 2024 — " in text and "4 March 2024 — " in text
    assert "- —" not in text


def test_a_page_stating_no_date_has_none_rather_than_a_guess_from_a_copyright_year():
    assert page_dates(UNDATED) == (None, None)
    extracted = extract_html(UNDATED)
    assert extracted.published_date is None and extracted.modified_date is None
