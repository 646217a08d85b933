import pytest

from indexer.analysis.extract import ExtractionError, decode_html, extract, extract_html, extract_pdf

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
