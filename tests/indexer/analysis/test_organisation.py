"""Organisation name and country from text, and the registry's precedence."""

from __future__ import annotations

import pytest

from indexer.analysis.organisation import identify_organisation


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Acme Retina Imaging Inc. makes OCT systems.\nContact\n100 Main Street, Boston, MA 02110",
         "Acme Retina Imaging Inc.", "US"),
        ("Merlion Lasers Pte. Ltd.\n10 Science Park Road\nSingapore 117684", "Merlion Lasers Pte. Ltd.", "SG"),
        ("Maple Institute for Photonics\n200 College St, Toronto, ON M5S 3E5\nPhone +1 416 555 0199",
         "Maple Institute for Photonics", "CA"),
        ("WON TECH Co., Ltd. makes lasers.\nTel. +82 42 123 4567", "WON TECH Co., Ltd.", "KR"),
        ("Hanbit Medical Centre\nSeoul, Republic of Korea", "Hanbit Medical Centre", "KR"),
    ],
)
def test_name_and_country_from_text(text, name, country):
    organisation, found_country = identify_organisation(text)
    assert organisation.value == name and organisation.source == "text"
    assert found_country.value == country and found_country.evidence in text


def test_plus_one_without_a_province_is_american():
    _, country = identify_organisation("Call us on +1 617 555 0100 today.")
    assert country.value == "US"


def test_a_country_named_once_in_prose_is_not_enough():
    organisation, country = identify_organisation("The laser was approved in Japan after a long review.")
    assert organisation is None and country is None


def test_registry_values_win():
    organisation, country = identify_organisation("Acme Inc.\nBoston, MA 02110", known_name="Maple", known_country="ca")
    assert (organisation.value, organisation.source) == ("Maple", "registry")
    assert (country.value, country.source) == ("CA", "registry")
