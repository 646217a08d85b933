import pytest

from indexer.analysis.trl import TRLEstimate, estimate_trl


def test_fda_510k_clearance_is_nine():
    estimate = estimate_trl(["The imaging system received FDA 510(k) clearance in 2021.", "It is sold worldwide."])
    assert isinstance(estimate, TRLEstimate)
    assert estimate.level == 9
    assert "510(k)" in estimate.cue
    assert 0 < estimate.confidence <= 1


def test_not_yet_ce_marked_is_not_eight():
    estimate = estimate_trl(["The device is not yet CE marked.", "A prototype was tested in a pilot study."])
    assert estimate is not None and estimate.level != 8
    assert estimate.level == 6


def test_future_clinical_trial_is_not_seven():
    estimate = estimate_trl(["The start-up will start a clinical trial next year.", "It plans to seek 510(k) clearance."])
    assert estimate is None or estimate.level not in (7, 9)


def test_negated_fda_approval_is_not_nine():
    estimate = estimate_trl(["The laser is not FDA approved.", "It was tested in an animal model."])
    assert estimate is not None and estimate.level == 4


def test_proof_of_concept_is_three():
    assert estimate_trl(["We report a proof of concept of a fibre Raman probe."]).level == 3


def test_highest_supported_level_wins():
    sentences = [
        "Early prototypes were validated ex vivo on porcine tissue.",
        "A randomised multicentre trial followed.",
        "The system is now commercially available and in routine clinical use.",
    ]
    assert estimate_trl(sentences).level == 9


def test_randomised_trial_is_seven():
    assert estimate_trl(["In a randomized, double-blind study, 80 patients were treated."]).level == 7


def test_nothing_returns_none():
    assert estimate_trl(["The weather in Lyon was mild this week."]) is None
    assert estimate_trl([]) is None


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("本製品は2020年に薬事承認を取得しました。", 8),
        ("식약처로부터 품목허가를 획득했다.", 8),
        ("Das System ist CE-gekennzeichnet und im Handel erhältlich.", 9),
        ("Le dispositif est commercialisé en France et remboursé par l'Assurance maladie.", 9),
        ("El equipo está disponible comercialmente en España.", 9),
        ("In einer randomisierten, multizentrischen Studie wurden 120 Patienten behandelt.", 7),
        ("Une étude pilote a été menée chez les premiers patients.", 6),
        ("Les chercheurs ont testé la sonde chez la souris.", 4),
    ],
)
def test_cues_in_every_language(sentence, level):
    assert estimate_trl([sentence]).level == level


def test_german_present_passive_is_not_a_plan():
    assert estimate_trl(["Das Lasersystem wird routinemäßig in Kliniken eingesetzt."]).level == 9


@pytest.mark.parametrize("sentence", ["新型装置は来年発売する予定である。", "이 장비는 내년에 출시할 예정이다."])
def test_japanese_and_korean_plans_after_the_verb_cancel_the_cue(sentence):
    estimate = estimate_trl([sentence])
    assert estimate is None or estimate.level != 9
