import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis.extract import (
    CONTROL_CHARACTERS, ExtractionError, decode_html, extract, extract_html, extract_pdf,
)

ARTICLE = """<html><head><title>RetinaScan product</title></head><body>
<nav><a href="/">Home</a> | <a href="/oct">OCT</a></nav>
<article><h1>RetinaScan</h1>
<p>RetinaScan is a swept-source optical coherence tomography system for retinal imaging in eye clinics.
It captures a widefield scan in under a minute and segments every retinal layer automatically.</p>
<p>The system received FDA 510(k) clearance and is available now from our distributors.</p>
<script>alert('xss')</script></article>
<footer>Copyright Acme</footer></body></html>"""


def test_main_text_keeps_content_and_drops_scripts():
    extracted = extract_html(ARTICLE)
    assert extracted.title.startswith("RetinaScan")
    assert "swept-source optical coherence tomography" in extracted.text
    assert "FDA 510(k) clearance" in extracted.text
    assert "alert(" not in extracted.text


def test_malformed_html_still_yields_text():
    extracted = extract_html("<html><body><p>Unclosed <b>bold <div>OCT angiography module<p>second")
    assert "OCT angiography module" in extracted.text


def test_latin1_page_is_decoded_with_its_declared_charset():
    body = "<html><body><p>Tomographie par cohérence optique pour l'ophtalmologie.</p></body></html>".encode("latin-1")
    extracted = extract(body, "text/html", "iso-8859-1")
    assert "cohérence" in extracted.text


def test_wrong_charset_declaration_never_raises():
    body = "Tomographie par cohérence".encode("utf-8") + b"\xff\xfe"
    assert "Tomographie" in decode_html(body, "no-such-charset")


def test_binary_garbage_does_not_raise():
    extracted = extract(bytes(range(256)) * 20, "text/html", "utf-8")
    assert isinstance(extracted.text, str)


def test_corrupt_pdf_is_a_clear_extraction_error():
    with pytest.raises(ExtractionError, match="unreadable PDF"):
        extract_pdf(b"%PDF-1.4\nthis is not really a pdf")


def test_demo_pdf_brochure_text_is_extracted(demo_sites):
    from scout.demo_site import DEMO_SITE_ROOT
    extracted = extract((DEMO_SITE_ROOT / "merlion-lasers" / "brochure.pdf").read_bytes(), "application/pdf", None)
    assert extracted.method == "pypdf"
    assert len(extracted.text.split()) > 20


SPECIFICATIONS = """<html><head><title>RetinaScan specifications</title></head><body><article>
<h1>RetinaScan specifications</h1>
<p>RetinaScan is a swept-source optical coherence tomography system for retinal imaging in eye clinics.</p>
<table>
  <thead><tr><th>Parameter</th><th>Value</th></tr></thead>
  <tbody>
    <tr><td>Wavelength</td><td>1060 nm</td></tr>
    <tr><td>Scan speed</td><td>100,000 A-scans/s</td></tr>
    <tr><td>Axial resolution</td><td>5 &micro;m in tissue</td></tr>
  </tbody>
</table>
<p>The system received FDA 510(k) clearance and is available now from our distributors.</p>
</article></body></html>"""


def test_table_rows_are_plain_lines_of_their_cells_without_markdown_pipes():
    extracted = extract_html(SPECIFICATIONS)
    lines = extracted.text.splitlines()
    assert "|" not in extracted.text
    assert ["Parameter; Value", "Wavelength; 1060 nm", "Scan speed; 100,000 A-scans/s",
            "Axial resolution; 5 µm in tissue"] == [line for line in lines if ";" in line]
    assert lines[-1].startswith("The system received FDA 510(k) clearance")


def test_a_pipe_written_in_a_cell_is_kept_as_written():
    html = SPECIFICATIONS.replace("1060 nm", "1060 nm | 1310 nm")
    assert "Wavelength; 1060 nm | 1310 nm" in extract_html(html).text.splitlines()


# -- hostile bodies --------------------------------------------------------------------------------------------

SENTENCE = "Optical coherence tomography images the retina in micrometre detail for eye clinics."


def test_a_tag_flooded_with_attributes_is_parsed_in_bounded_time():
    # libxml2 compares every attribute with every other: 30,000 of them took minutes to extract.
    attributes = " ".join(f'data-a{i}="v"' for i in range(30_000))
    html = f"<html><body><div {attributes}><p>{SENTENCE}</p></div></body></html>"
    started = time.monotonic()
    extracted = extract_html(html)
    assert time.monotonic() - started < 5
    assert SENTENCE in extracted.text


def test_an_endless_unclosed_tag_is_parsed_in_bounded_time():
    # Looking for attribute floods must not itself retry a long tag name at every length.
    html = f"<html><body><p>{SENTENCE}</p><" + "a" * 200_000
    started = time.monotonic()
    extracted = extract_html(html)
    assert time.monotonic() - started < 5
    assert SENTENCE in extracted.text


def test_a_byte_order_mark_wins_over_the_declared_charset():
    body = f"<html><body><p>{SENTENCE}</p></body></html>".encode("utf-16")
    assert SENTENCE in extract(body, "text/html", "utf-8").text


def test_control_characters_are_not_text():
    body = b"Optical\x00 coherence\x01 tomography\x1b images."  # too short for trafilatura, which strips them
    assert extract(body, "text/html", "utf-8").text == "Optical coherence tomography images."


ENCODINGS = st.sampled_from([None, "utf-8", "iso-8859-1", "windows-1252", "shift_jis", "utf-16", "no-such-charset"])
CONTENT_TYPES = st.sampled_from([None, "text/html", "application/pdf", "application/octet-stream"])
TAGS = st.sampled_from(["div", "p", "span", "table", "tr", "td", "ul", "li", "a", "b", "article", "nav", "script"])
ATTRIBUTE_VALUES = st.one_of(st.text(max_size=20), st.integers(0, 200_000).map(lambda size: "x" * size))


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attributes = st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), ATTRIBUTE_VALUES),
                          max_size=3)
    return st.builds(
        lambda tag, attrs, inner, closed: (
            f"<{tag} " + " ".join(f'{name}="{value}"' for name, value in attrs) + ">" + "".join(inner)
            + (f"</{tag}>" if closed else "")),
        TAGS, attributes, st.lists(children, max_size=4), st.booleans())


HTML_FRAGMENTS = st.recursive(st.text(max_size=60), _element, max_leaves=40)


@settings(deadline=timedelta(seconds=5), max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=20_000), content_type=CONTENT_TYPES, encoding=ENCODINGS)
def test_any_bytes_give_text_or_a_clear_extraction_error(body, content_type, encoding):
    try:
        extracted = extract(body, content_type, encoding)
    except ExtractionError:
        return
    assert isinstance(extracted.text, str) and not CONTROL_CHARACTERS.search(extracted.text)


@settings(deadline=timedelta(seconds=5), max_examples=60,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(fragment=HTML_FRAGMENTS, depth=st.integers(0, 3000), encoding=ENCODINGS)
def test_any_markup_however_deep_or_broken_gives_text(fragment, depth, encoding):
    html = "<html><body>" + "<div>" * depth + fragment + f"<p>{SENTENCE}</p>" + "</div>" * depth
    extracted = extract(html.encode("utf-8", errors="replace"), "text/html", encoding)
    assert isinstance(extracted.text, str) and not CONTROL_CHARACTERS.search(extracted.text)
