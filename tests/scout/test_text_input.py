"""What `scout tag` reads on stdin: text in any encoding Scout meets, or one clear error; never a crash."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scout.text_input import TextInputError, decode_text, parse_records


@pytest.mark.parametrize(("data", "text"), [
    ("Tomographie par cohérence optique".encode("utf-8"), "Tomographie par cohérence optique"),
    (b"\xef\xbb\xbfOCT", "OCT"),
    ("Die photodynamische Therapie zerstört Tumorzellen".encode("latin-1"),
     "Die photodynamische Therapie zerstört Tumorzellen"),
    ("Café optique à cohérence – OCT".encode("cp1252"), "Café optique à cohérence – OCT"),
    ("光干渉断層計を開発しています".encode("shift_jis"), "光干渉断層計を開発しています"),
    ("광간섭 단층촬영 장비를 개발합니다".encode("euc-kr"), "광간섭 단층촬영 장비를 개발합니다"),
])
def test_decode_text_reads_utf8_and_the_legacy_encodings_of_scouts_languages(data, text):
    assert decode_text(data) == text


@pytest.mark.parametrize("data", [
    bytes(range(256)),
    b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00",
])
def test_decode_text_refuses_binary_data(data):
    with pytest.raises(TextInputError, match="^stdin: binary data, not text"):
        decode_text(data)


def test_parse_records_names_the_bad_line():
    with pytest.raises(TextInputError, match="^stdin:3: 'lang' must be a string or null$"):
        parse_records('{"text": "a"}\n\n{"text": "b", "lang": 5}\n')
    with pytest.raises(TextInputError, match="^stdin:1: holds an unpaired surrogate"):
        parse_records('{"text": "\\udc80"}')


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=12)
RECORD_LIKE = st.fixed_dictionaries({}, optional={"text": JSON_VALUES | st.text(), "lang": JSON_VALUES,
                                                  "organisation_type": JSON_VALUES})
INPUT = (st.binary(max_size=400) | st.text(max_size=400).map(str.encode)
         | st.text(max_size=200).map(lambda text: text.encode("utf-16"))
         | st.lists(RECORD_LIKE | JSON_VALUES, max_size=4).map(
             lambda values: "\n".join(json.dumps(value) for value in values).encode()))


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(INPUT, st.booleans())
def test_stdin_readers_return_text_or_their_own_error_for_any_input(data, as_jsonl):
    try:
        text = decode_text(data)
        records = parse_records(text) if as_jsonl else None
    except TextInputError as error:
        assert str(error).startswith("stdin") and "\n" not in str(error)
        return
    text.encode("utf-8")  # what the analyser gets can always be encoded (spaCy hashes it as UTF-8)
    for record in records or ():
        assert isinstance(record["text"], str)
        record["text"].encode("utf-8")
