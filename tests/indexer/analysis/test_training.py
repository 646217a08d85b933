"""The learning helpers of indexer/analysis/training.py on hand-computed cases, and its command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.analysis.maturity import with_bands
from indexer.analysis.training import _window_confidence, abstention_threshold, main


def test_band_model_multiplies_each_level_by_its_band_and_renormalises():
    classes = np.array([2, 5, 8])
    levels = np.array([[0.5, 0.3, 0.2]])
    bands = np.array([[0.1, 0.1, 0.8]])  # 1-3, 4-6, 7-9
    joint = with_bands(levels, bands, classes)
    expected = np.array([0.05, 0.03, 0.16]) / 0.24
    assert joint == pytest.approx(expected[None, :])
    assert _window_confidence(joint, classes)[0].tolist() == [8]  # the band model overturned level 2


def test_window_confidence_is_the_mass_within_one_level():
    predicted, confidence = _window_confidence(np.array([[0.2, 0.5, 0.3]]), np.array([3, 4, 9]))
    assert predicted.tolist() == [4] and confidence == pytest.approx([0.7])


def test_abstention_keeps_the_most_right_estimates_net_of_wrong_ones():
    # Below 0.5 one of four is right; from 0.5 up three of four (abstaining from 0.7 nets as much: abstain less).
    confidence = np.array([0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.9])
    correct = np.array([0, 1, 0, 0, 1, 0, 1, 1], dtype=float)
    assert abstention_threshold(confidence, correct) == 0.5
    # All right: never abstain.
    assert abstention_threshold(confidence, np.ones(8)) == 0.0


@pytest.mark.parametrize("content, message", [
    (b"not json\n", "invalid JSON"),
    (b"\xff\xfe\x00binary", "not UTF-8 text"),
    (json.dumps({"text": "OCT", "applications": ["A20"], "trl": 9, "genre": "brochure"}).encode(), "genres"),
])
def test_bad_training_files_give_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    assert main([str(path), "-o", str(tmp_path / "models")]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error and error.count("\n") == 1
    assert not (tmp_path / "models").exists()
