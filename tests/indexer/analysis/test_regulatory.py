"""Regulatory status per market and Europe-entry signals on sentences written for these tests."""

from __future__ import annotations

import pytest

from indexer.analysis.regulatory import default_reader


def statuses(*sentences: str) -> set[tuple[str, str | None, str]]:
    findings, _ = default_reader().read(list(sentences))
    return {(f.authority, f.pathway, f.status) for f in findings}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The imager received FDA 510(k) clearance in 2021.", ("FDA", "510(k)", "granted")),
        ("The company plans to file a 510(k) next year.", ("FDA", "510(k)", "planned")),
        ("Its 510(k) submission is pending.", ("FDA", "510(k)", "pending")),
        ("The device is not yet CE marked.", ("CE", None, "negated")),
        ("CE marking in progress.", ("CE", None, "pending")),
        ("The scanner is MDR certified.", ("CE", "MDR", "granted")),
        ("The firm was granted Breakthrough Device designation by the FDA.", ("FDA", "Breakthrough Device", "granted")),
        ("FDA clearance is expected in 2026.", ("FDA", None, "planned")),
        ("The laser holds a Health Canada Medical Device Licence.", ("Health Canada", "MDL", "granted")),
        ("We obtained HSA registration for Singapore.", ("HSA", None, "granted")),
        ("The probe is included in the ARTG.", ("TGA", "ARTG", "granted")),
        ("The system received AMAR approval.", ("AMAR", None, "granted")),
        ("식약처 허가를 획득했다.", ("MFDS", None, "granted")),
        ("薬事承認を取得した。", ("PMDA/MHLW", "Shonin", "granted")),
    ],
)
def test_authority_pathway_and_status(sentence, expected):
    assert expected in statuses(sentence)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Das System ist CE-gekennzeichnet und in Europa erhältlich.", ("CE", None, "granted")),
        ("Die FDA-Zulassung wurde beantragt.", ("FDA", None, "pending")),
        ("Das Gerät wird mit CE-Kennzeichnung vertrieben.", ("CE", None, "granted")),
        ("Die FDA-Zulassung wurde 2021 erteilt.", ("FDA", None, "granted")),
        ("L'appareil a obtenu l'autorisation de la FDA.", ("FDA", None, "granted")),
        ("La société a déposé une demande d'autorisation auprès de la FDA.", ("FDA", None, "pending")),
        ("L'appareil n'est pas encore marqué CE.", ("CE", None, "negated")),
        ("El dispositivo cuenta con marcado CE.", ("CE", None, "granted")),
        ("La empresa solicitó la aprobación de la FDA.", ("FDA", None, "pending")),
        ("COFEPRIS otorgó el registro sanitario al equipo.", ("COFEPRIS", None, "granted")),
        ("本製品は製造販売承認を取得しています。", ("PMDA/MHLW", "Shonin", "granted")),
        ("米国FDAの承認を取得した。", ("FDA", None, "granted")),
        ("米国食品医薬品局（FDA）の承認を取得した。", ("FDA", None, "granted")),
        ("薬事承認の取得を目指す。", ("PMDA/MHLW", "Shonin", "planned")),
        ("FDA의 승인을 받았다.", ("FDA", None, "granted")),
        ("식약처 허가를 받을 예정이다.", ("MFDS", None, "planned")),
        ("The U.S. Food and Drug Administration (FDA) has cleared the device.", ("FDA", None, "granted")),
    ],
)
def test_status_in_every_language(sentence, expected):
    assert expected in statuses(sentence)


def test_each_market_of_one_sentence_keeps_its_own_status():
    found = statuses("The scanner has received MFDS approval and PMDA approval is pending.")
    assert found == {("MFDS", None, "granted"), ("PMDA/MHLW", None, "pending")}


def test_a_status_of_its_own_does_not_read_what_follows():
    assert statuses("The FDA-cleared laser will launch in Europe next year.") == {("FDA", None, "granted")}


def test_bare_mentions_and_lower_case_letters_say_nothing():
    assert statuses("The FDA issued new guidance on lasers.", "Once the idea was approved, ce and hsa met.") == set()


def test_findings_carry_market_and_evidence():
    sentence = "The imager received FDA 510(k) clearance in 2021."
    findings, _ = default_reader().read(["Intro.", sentence])
    assert findings[0].as_dict() == {"authority": "FDA", "status": "granted", "market": "US", "pathway": "510(k)",
                                     "evidence": sentence}


@pytest.mark.parametrize(
    ("sentence", "signal"),
    [
        ("We are seeking distributors in Europe.", "seeking-distributors"),
        ("We are looking for European partners to co-develop the probe.", "seeking-partners"),
        ("Expanding to the EU is next on our roadmap.", "expanding-to-europe"),
        ("Our EU representative is based in Dublin.", "eu-representative"),
        ("Meet us at MEDICA in Düsseldorf.", "european-trade-fair"),
        ("The project is funded by Horizon Europe.", "eu-programme"),
        ("CE marking in progress.", "ce-marking-in-progress"),
    ],
)
def test_europe_entry_signals(sentence, signal):
    _, signals = default_reader().read([sentence])
    assert signal in {s.signal for s in signals}
    assert all(s.evidence == sentence for s in signals)


def test_negated_europe_entry_is_not_a_signal():
    _, signals = default_reader().read(["We have no plans to enter the European market."])
    assert signals == []
