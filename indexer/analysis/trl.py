"""Estimate a passage's technology readiness level (EU Horizon 2020 scale, 1..9).

Each sentence is searched for the cue phrases of taxonomy/trl.yaml. A cue does not
count when negation ("not yet CE marked") or future/plan wording ("will start a clinical
trial", "plans to seek 510(k)") precedes it in the same clause: such a sentence says the
level has not been reached. A level is supported by the sentences holding its cues
(a cue counts 1, a weak cue less); the estimate is the highest level with enough support,
because a passage states its most advanced milestone alongside the history that led to it
(an FDA-cleared device was once in trials). Confidence grows with the support.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis.phrases import CLAUSE_BOUNDARY, compile_phrases, has_cjk
from taxonomy import TRLScale, load_trl

logger = logging.getLogger(__name__)

CUE_STRENGTH = 1.0
WEAK_CUE_STRENGTH = 0.4
# One cue, or three weak hints in different sentences, make a level well supported.
MIN_SUPPORT = 1.0
# Without a well-supported level the most supported one is returned with this confidence.
WEAK_ONLY_CONFIDENCE = 0.25
# Negation or future wording this many words before a cue (within its clause) cancels it.
SCOPE_WORDS = 10
# Japanese and Korean put negation and plans after the verb ("発売する予定", "출시할 예정"): this many
# characters after a cue, within its clause, are read too.
CJK_AFTER_CHARS = 12


@dataclass(frozen=True)
class TRLEstimate:
    """The estimated level, the sentence that supports it, and a 0..1 confidence."""

    level: int
    cue: str
    confidence: float
    runner_up: int | None = None


@dataclass(frozen=True)
class _Cue:
    level: int
    strength: float
    start: int
    end: int


class TRLEstimator:
    """Cue-based TRL estimator compiled once from the TRL scale."""

    def __init__(self, scale: TRLScale):
        self.scale = scale
        self._cues = []
        every_phrase: list[str] = []
        for level in scale.levels.values():
            for phrases, strength in ((level.cues, CUE_STRENGTH), (level.weak_cues, WEAK_CUE_STRENGTH)):
                level_phrases = [p for group in phrases.values() for p in group]
                every_phrase += level_phrases
                pattern = compile_phrases(level_phrases)
                if pattern is not None:
                    self._cues.append((level.level, strength, pattern))
        # Most sentences hold no cue at all: one search of every phrase at once rules them out before the
        # per-level searches (it matches exactly where some level's pattern would).
        self._any_cue = compile_phrases(every_phrase)
        self._negation = compile_phrases(p for group in scale.negation.values() for p in group)
        self._future = compile_phrases(p for group in scale.future.values() for p in group)

    def _scope_before(self, sentence: str, start: int) -> str:
        """The words of the cue's clause that precede it, at most SCOPE_WORDS of them."""
        before = CLAUSE_BOUNDARY.split(sentence[:start])[-1]
        if has_cjk(before):
            return before[-SCOPE_WORDS * 2:]
        return " ".join(before.split()[-SCOPE_WORDS:])

    def _frame(self, sentence: str, cue: _Cue) -> str:
        """present, or what cancels the cue: negated ("not yet CE marked") or planned ("will start a trial")."""
        scope = self._scope_before(sentence, cue.start)
        after = CLAUSE_BOUNDARY.split(sentence[cue.end: cue.end + CJK_AFTER_CHARS])[0]
        after = after if has_cjk(after) else ""
        if self._negation is not None and (self._negation.search(scope) or self._negation.search(after)):
            return "negated"
        if self._future is not None and (self._future.search(scope) or self._future.search(after)):
            return "planned"
        return "present"

    def sentence_cues(self, sentence: str) -> list[_Cue]:
        """Cues in one sentence, longest first wins where cues overlap, cancelled ones dropped."""
        return [cue for cue, frame in self.framed_cues(sentence) if frame == "present"]

    def framed_cues(self, sentence: str) -> list[tuple[_Cue, str]]:
        """Every cue in one sentence with its frame (present, negated, planned); overlaps resolved longest first."""
        sentence = sentence.replace("’", "'")  # same length, so offsets stay valid
        if self._any_cue is None or self._any_cue.search(sentence) is None:
            return []
        found = [
            _Cue(level, strength, m.start(), m.end())
            for level, strength, pattern in self._cues
            for m in pattern.finditer(sentence)
        ]
        found.sort(key=lambda c: (-(c.end - c.start), -c.strength))
        kept: list[_Cue] = []
        for cue in found:
            if all(cue.end <= k.start or cue.start >= k.end for k in kept):
                kept.append(cue)
        return [(cue, self._frame(sentence, cue)) for cue in kept]

    def estimate(self, sentences: list[str]) -> TRLEstimate | None:
        support: dict[int, float] = {}
        best_sentence: dict[int, tuple[float, str]] = {}
        for sentence in sentences:
            per_level: dict[int, float] = {}
            for cue in self.sentence_cues(sentence):
                per_level[cue.level] = max(per_level.get(cue.level, 0.0), cue.strength)
            for level, strength in per_level.items():
                support[level] = support.get(level, 0.0) + strength
                if strength > best_sentence.get(level, (0.0, ""))[0]:
                    best_sentence[level] = (strength, sentence)
        if not support:
            return None
        well_supported = [level for level, value in support.items() if value >= MIN_SUPPORT]
        if well_supported:
            level = max(well_supported)
            confidence = min(0.95, 0.5 + 0.15 * support[level])
        else:
            level = max(support, key=lambda lv: (support[lv], lv))
            confidence = WEAK_ONLY_CONFIDENCE
        logger.debug("TRL support %s -> %d", support, level)
        return TRLEstimate(level=level, cue=best_sentence[level][1], confidence=round(confidence, 2))


@lru_cache(maxsize=1)
def default_estimator() -> TRLEstimator:
    return TRLEstimator(load_trl())


def estimate_trl(sentences: list[str]) -> TRLEstimate | None:
    """Estimate the TRL of a passage given as sentences; None when no cue supports a level."""
    return default_estimator().estimate(sentences)
