"""Tagger behaviour on short passages written for these tests."""

from __future__ import annotations

import pytest

from indexer.analysis.tagger import ApplicationTag, Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_taxonomy()


def ids(tags: list[ApplicationTag]) -> list[str]:
    return [tag.application for tag in tags]


def test_oct_in_ophthalmology_is_tagged_with_evidence(tagger):
    text = (
        "Our spectral-domain optical coherence tomography (OCT) system images the retina of "
        "patients with glaucoma. The OCT scan gives clinicians cross-sectional views of the eye."
    )
    tags = tagger.tag(text, "en")
    assert ids(tags)[0] == "A20"
    top = tags[0]
    assert 0 < top.score <= 1
    assert top.evidence in text
    assert top.signal == "term+acronym"


def test_tags_are_sorted_by_score(tagger):
    text = (
        "Photodynamic therapy uses a photosensitizer activated by red laser light to destroy tumours "
        "in patients. The PDT laser delivers 652 nm light through a diffuser fibre. Endoscopy guides "
        "the fibre; an endoscope is used in each treatment."
    )
    tags = tagger.tag(text)
    assert ids(tags)[0] == "A31"
    assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)


def test_menu_only_mention_is_not_enough(tagger):
    text = (
        "Home | Products | Endoscopy | Contact\n\n"
        "We are a family company serving hospitals and clinics since 1990. Our staff advise patients "
        "on insurance and billing questions every day."
    )
    assert tagger.tag(text, "en") == []


def test_acronym_without_context_is_not_tagged(tagger):
    text = (
        "The PDT meeting is on Friday and the OCT deadline was moved. Patients and clinicians at the "
        "hospital were informed by the board about the new parking rules."
    )
    assert tagger.tag(text, "en") == []


def test_french_and_german_terms(tagger):
    french = (
        "La tomographie par cohérence optique permet d'examiner la rétine des patients. "
        "Cette tomographie par cohérence optique est utilisée en ophtalmologie pour le suivi du glaucome."
    )
    german = (
        "Die photodynamische Therapie zerstört Tumorzellen bei Patienten mit Hautkrebs. "
        "Bei der photodynamischen Therapie wird ein Photosensibilisator mit Laserlicht aktiviert."
    )
    assert "A20" in ids(tagger.tag(french, "fr"))
    assert ids(tagger.tag(german, "de"))[0] == "A31"


def test_japanese_text_matches_character_by_character(tagger):
    text = "光干渉断層計(OCT)は網膜の断層像を撮影する眼科の検査機器である。OCTは網膜疾患の診断に広く使われている。"
    assert "A20" in ids(tagger.tag(text, "ja"))


def test_generic_technology_is_tagged_outside_health_but_others_are_not(tagger):
    weld = (
        "Our pulsed laser illumination lets high-speed cameras watch the weld pool without glare. "
        "The laser illumination is synchronised with the camera shutter for sharp images."
    )
    lidar = "The lidar uses a fiber laser and a diode laser module. Each diode laser is eye-safe and the laser system is cheap."
    assert ids(tagger.tag(weld)) == ["A05"]
    assert tagger.tag(lidar) == []


def test_life_science_techniques_need_no_other_health_word(tagger):
    oct_theory = ("We present the theory of the optical coherence tomography signal in dispersive and turbid media. "
                  "A one-dimensional optical coherence tomography model reproduces the measured interferograms.")
    gas_sensor = ("The photoacoustic gas sensor detects methane at ppb levels. "
                  "Photoacoustic spectroscopy with a quantum cascade laser gives the selectivity.")
    assert ids(tagger.tag(oct_theory)) == ["A20"]
    eye_tracker = ("The eye tracker records gaze position at 120 Hz with near-infrared illumination. "
                   "Eye tracking data show where shoppers look on the shelf.")
    assert ids(tagger.tag(eye_tracker)) == ["A24"]
    assert "A14" not in ids(tagger.tag(gas_sensor))  # photoacoustics also serves industry: it needs health words


def test_japanese_and_korean_terms_count_as_multi_word_phrases(tagger):
    # Written without spaces, "共焦点顕微鏡" (confocal microscope) is as specific as its English two-word name.
    japanese = tagger.lexical(["共焦点顕微鏡で細胞を観察した。", "患者の組織を調べた。"])
    english = tagger.lexical(["The confocal microscope showed the cells.", "Tissue from the patient was examined."])
    assert japanese.scores["A01"] == pytest.approx(english.scores["A01"])


def test_antimicrobial_photodynamic_therapy_is_disinfection_not_cancer_therapy(tagger):
    text = (
        "Antimicrobial photodynamic therapy kills bacteria in periodontal pockets of patients. "
        "The aPDT light activates a photosensitizer that destroys bacteria without antibiotics."
    )
    assert ids(tagger.tag(text))[0] == "A17"
    assert "A31" not in ids(tagger.tag(text))


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        (
            "ja",
            "ハイパースペクトルカメラを用いて手術中に患者の組織の酸素飽和度を可視化する。"
            "病院での臨床研究では、ハイパースペクトルカメラが腫瘍の境界の診断に役立った。",
            "A11",
        ),
        (  # the long-vowel mark dropped, as technical Japanese often writes it (レーザ for レーザー)
            "ja",
            "当院ではレーザ脂肪溶解による部分痩身を行っています。"
            "レーザ脂肪溶解は皮下の脂肪細胞を溶かす施術で、患者の負担が少ない治療です。",
            "A29",
        ),
        (
            "ko",
            "유동세포분석으로 환자의 혈액 세포를 분석한다. 유동세포분석은 면역 질환의 진단에 쓰인다.",
            "A06",
        ),
        (  # an inflected German adjective, not the dictionary form
            "de",
            "Die Hautklinik entfernt Tätowierungen mit einem gütegeschalteten Nd:YAG-Laser. "
            "Der gütegeschaltete Laser zerstört die Farbpigmente in der Haut der Patienten.",
            "A08",
        ),
        (
            "fr",
            "Le cabinet dentaire nettoie ses instruments dans un stérilisateur UV. "
            "Le stérilisateur UV élimine les bactéries et protège les patients.",
            "A16",
        ),
        (
            "es",
            "La clínica de fisioterapia ofrece terapia láser de alta intensidad para el dolor de los pacientes. "
            "La terapia láser de alta intensidad reduce la inflamación de la rodilla.",
            "A28",
        ),
    ],
)
def test_terms_in_other_languages(tagger, lang, text, expected):
    assert expected in ids(tagger.tag(text, lang))


def test_japanese_clinic_words_show_the_page_is_about_health(tagger):
    # クリニック (clinic) and 診療 (medical care) are the only health words here.
    text = "当クリニックではフォトフェイシャルによる診療を行っています。フォトフェイシャルはIPLを使った光治療です。"
    assert ids(tagger.tag(text, "ja")) == ["A13"]


def test_lasik_eye_surgery_is_not_also_ophthalmic_diagnostics(tagger):
    text = (
        "Patients considering LASIK eye surgery should discuss the risks with their surgeon. "
        "After LASIK, some patients report dry eyes and glare at night."
    )
    assert ids(tagger.tag(text, "en")) == ["A26"]
