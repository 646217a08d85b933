"""Which organisation a text is from, and its country (ISO 3166-1 alpha-2), each with its evidence.

When the page belongs to an organisation of the registry, the registry's name and country win: a
cluster manager checked them. Otherwise both are read from the text:
  - the organisation: names ending with a legal form (Inc., Ltd, GmbH, Pte. Ltd., Co., Ltd.) or built
    around University / Institute / Hospital / Medical Centre; the most often named wins, a company
    before an institution it merely cites;
  - the country: address evidence from taxonomy/places.yaml, strongest first — a US state with a ZIP
    code or a Canadian province with a postal code, an international phone number, a country or city
    name on a short address-like line; a country named in prose counts little ("approved in Japan"
    says where a product sells, not where its maker is).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis.phrases import compile_phrases, phrase_key
from taxonomy import PlaceVocabulary, load_places

_CAPITALISED = r"(?:[A-Z][\w'’.&-]*|&)"
_NAME_WORDS = rf"{_CAPITALISED}(?:\s+(?:{_CAPITALISED}|of|for|and|de|du|la|für))*?"
_LEGAL_FORM = (r"(?:Co\.,?\s+Ltd\.?|Pte\.?\s+Ltd\.?|Pty\.?\s+Ltd\.?|Sdn\.?\s+Bhd\.?|Inc\.?|Ltd\.?|Limited|GmbH|"
               r"Corp\.?|Corporation|LLC|AG|S\.A\.S?|SAS|B\.V\.|K\.K\.|plc|Oy)")
_COMPANY = re.compile(rf"(?<![\w-])({_NAME_WORDS}),?\s+{_LEGAL_FORM}(?![\w])")
_INSTITUTION_WORD = (r"(?:University|Universität|Université|Institute|Institut|Hospital|Medical\s+Cent(?:re|er)|"
                     r"Research\s+Cent(?:re|er)|Clinic|College)")
_INSTITUTION = re.compile(
    rf"(?<![\w-])((?:{_CAPITALISED}\s+){{0,4}}{_INSTITUTION_WORD}"
    rf"(?:\s+(?:of|for|für|de)\s+(?:the\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED})*)?)"
)
# Words that open a sentence or a name without belonging to it.
_LEADING_NOISE = re.compile(r"^(?:(?:The|A|An|At|In|Our|By|From|With|And|Contact|About|Copyright|©)\s+)+")
_TRAILING_NOISE = re.compile(r"(?:\s+(?:and|of|for|de|du|la|für|the))+$")
COMPANY_WEIGHT = 1.5  # a maker's own legal name beats the universities it cites

# Country evidence weights, and the least total accepted.
POSTAL_WEIGHT = 4.0
PHONE_WEIGHT = 3.0
ADDRESS_LINE_NAME_WEIGHT = 3.0
ADDRESS_LINE_CITY_WEIGHT = 2.0
PROSE_NAME_WEIGHT = 1.0
MIN_COUNTRY_SCORE = 2.0
ADDRESS_LINE_MAX_WORDS = 14
_PHONE = re.compile(r"(?:\+|\b00)\s?(\d{1,4})[\s.\-)(]")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Identified:
    """A value (organisation name or country code), where it was read and the line that shows it."""

    value: str
    evidence: str
    source: str  # "registry" or "text"

    def as_dict(self, key: str) -> dict:
        return {key: self.value, "evidence": self.evidence, "source": self.source}


def _clean_name(name: str) -> str:
    name = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", " ".join(name.split())))
    return name.strip(" ,")


class OrganisationReader:
    def __init__(self, places: PlaceVocabulary):
        self.places = places
        # One pattern for all countries' names (and one for cities), the match looked up afterwards.
        self._name_codes: dict[str, set[str]] = defaultdict(set)
        self._city_codes: dict[str, set[str]] = defaultdict(set)
        for code, country in places.countries.items():
            for name in country.names:
                self._name_codes[phrase_key(name)].add(code)
            for city in country.cities:
                self._city_codes[phrase_key(city)].add(code)
        self._names = compile_phrases((n for c in places.countries.values() for n in c.names),
                                      acronyms_case_sensitive=True)
        self._cities = compile_phrases((n for c in places.countries.values() for n in c.cities),
                                       acronyms_case_sensitive=True)
        self._phone_codes = defaultdict(list)
        for code, country in places.countries.items():
            if country.phone:
                self._phone_codes[country.phone].append(code)
        states = "|".join(places.us_states)
        provinces = "|".join(places.canadian_provinces)
        self._us_zip = re.compile(rf"\b(?:{states}),?\s+\d{{5}}(?:-\d{{4}})?\b")
        self._ca_postal = re.compile(rf"\b(?:{provinces}),?\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")
        self._ca_province = re.compile(rf"\b(?:{provinces})\b")

    # -- organisation name --------------------------------------------------------------

    def organisation(self, lines: list[str]) -> Identified | None:
        counts: Counter = Counter()
        first_line: dict[str, str] = {}
        for line in lines:
            for pattern, weight in ((_COMPANY, COMPANY_WEIGHT), (_INSTITUTION, 1.0)):
                for match in pattern.finditer(line):
                    # Companies keep their legal form in the name ("Merlion Lasers Pte. Ltd.").
                    name = _clean_name(match.group(0) if pattern is _COMPANY else match.group(1))
                    if len(name.split()) < 2 or len(name) < 5:
                        continue
                    counts[name] += weight
                    first_line.setdefault(name, line)
        if not counts:
            return None
        order = list(first_line)
        name = max(counts, key=lambda n: (counts[n], -order.index(n)))
        return Identified(name, first_line[name].strip(), "text")

    # -- country ------------------------------------------------------------------------

    def _phone_countries(self, line: str) -> list[str]:
        codes = []
        for match in _PHONE.finditer(line):
            digits = match.group(1)
            # The longest known dialling code that starts the number: +358 is Finland, +3 nothing.
            for length in range(len(digits), 0, -1):
                if digits[:length] in self._phone_codes:
                    codes += self._phone_codes[digits[:length]]
                    break
        return codes

    def country(self, lines: list[str]) -> Identified | None:
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, tuple[float, str]] = {}

        def add(code: str, weight: float, line: str) -> None:
            scores[code] += weight
            if weight > evidence.get(code, (0.0, ""))[0]:
                evidence[code] = (weight, line.strip())

        page_mentions_province = any(self._ca_province.search(line) for line in lines)
        for line in lines:
            if self._us_zip.search(line):
                add("US", POSTAL_WEIGHT, line)
            if self._ca_postal.search(line):
                add("CA", POSTAL_WEIGHT, line)
            for code in self._phone_countries(line):
                if code in ("US", "CA") and len(self._phone_codes["1"]) > 1:
                    # +1 is shared: a Canadian province on the page settles it, else it is American.
                    if (code == "CA") != page_mentions_province:
                        continue
                add(code, PHONE_WEIGHT, line)
            address_like = len(line.split()) <= ADDRESS_LINE_MAX_WORDS and (
                bool(_DIGITS.search(line)) or line.count(",") >= 1)
            named = {code for m in self._names.finditer(line) for code in self._name_codes[phrase_key(m.group(0))]}
            for code in named:
                add(code, ADDRESS_LINE_NAME_WEIGHT if address_like else PROSE_NAME_WEIGHT, line)
            if address_like:
                for code in {code for m in self._cities.finditer(line) for code in self._city_codes[phrase_key(m.group(0))]}:
                    add(code, ADDRESS_LINE_CITY_WEIGHT, line)
        if not scores:
            return None
        code = max(scores, key=lambda c: scores[c])
        if scores[code] < MIN_COUNTRY_SCORE:
            return None
        return Identified(code, evidence[code][1], "text")

    def identify(self, text: str, known_name: str | None = None, known_country: str | None = None
                 ) -> tuple[Identified | None, Identified | None]:
        """(organisation, country): the registry's values when given, else what the text shows."""
        lines = [line for line in text.splitlines() if line.strip()]
        name = Identified(known_name, "registry", "registry") if known_name else self.organisation(lines)
        country = (Identified(known_country.upper(), "registry", "registry") if known_country
                   else self.country(lines))
        return name, country


@lru_cache(maxsize=1)
def default_reader() -> OrganisationReader:
    return OrganisationReader(load_places())


def identify_organisation(text: str, known_name: str | None = None, known_country: str | None = None
                          ) -> tuple[Identified | None, Identified | None]:
    return default_reader().identify(text, known_name, known_country)
