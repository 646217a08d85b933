"""Regulatory status per market and Europe-entry signals, each with the sentence that states it.

Vocabulary: taxonomy/regulatory.yaml. A mention of an authority or pathway ("510(k)", "CE mark",
"ARTG") gets its status from the words around it in the same clause: a negation just before it
("not yet CE marked") makes it negated; otherwise the nearest planned / pending / granted cue wins
("plans to file a 510(k)", "510(k) submission is pending", "received 510(k) clearance"). A phrase
that states a status itself ("FDA-cleared", "CE marking in progress") keeps it unless a cue before it
says otherwise; it does not look after itself, where the words are about something else ("the
FDA-cleared laser will launch in Europe").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis.phrases import CLAUSE_BOUNDARY, compile_phrases, has_cjk, phrase_key
from taxonomy import RegulatoryVocabulary, load_regulatory
from taxonomy.model import REGULATORY_STATUSES, Authority, RegulatoryMention

# Words either side of a mention in which a status cue counts; a negation must be closer.
CUE_WINDOW_WORDS = 6
NEGATION_WINDOW_WORDS = 4
# Scripts without spaces: the same windows in characters.
CUE_WINDOW_CHARS = 14
# A phrase with its own status still reads what follows when a verb continues it: "FDA clearance is
# expected in 2026" is planned, "the FDA-cleared laser will launch" is not.
_CONTINUES_WITH_VERB = re.compile(
    r"^\s*(?:is|are|was|were|has|have|had|remains?|will|would|should|still|currently|expected)\b", re.IGNORECASE
)
# Nouns that complete a mention ("PMDA approval", "FDA-Zulassung", "l'autorisation de la FDA"): they
# say what is at stake, and only when nothing else in the clause gives a status do they give one
# (granted; pending for a submission or application). English and German put them after the mention,
# French and Spanish before it, joined by "de la", "del", ...
_NOUNS = (r"approval|clearance|registration|certification|certificate|licen[cs]e|mark(?:ing)?|designation|"
          r"authori[sz]ation|submission|application|"
          r"Zulassung|Zertifizierung|Zertifikat|Kennzeichnung|Freigabe|Registrierung|Zulassungsantrag|Antrag|"
          r"autorisation|approbation|homologation|certificat|marquage|enregistrement|agrément|demande|"
          r"aprobación|autorización|certificación|certificado|homologación|marcado|registro|solicitud")
_APPLICATION_NOUNS = re.compile(r"submission|application|antrag|demande|solicitud", re.IGNORECASE)
_STATUS_NOUNS = re.compile(rf"^[\s-]*(?:(?:{_NOUNS})\b[\s-]*)+", re.IGNORECASE)
_STATUS_NOUNS_BEFORE = re.compile(
    rf"(?<!\w)(?:{_NOUNS})\s+(?:de\s+la|de\s+l'|du|des|de|del|de\s+los|ante\s+la|auprès\s+de\s+la|auprès\s+du|"
    rf"par\s+la|por\s+la)\s*$", re.IGNORECASE
)
# An acronym or translation glossed in brackets right after a mention ("Food and Drug Administration
# (FDA) has cleared", "米国食品医薬品局（FDA）の承認") belongs to it: the clause goes on after the gloss.
_GLOSS = re.compile(r"^\s*[(（][^()（）]{1,60}[)）]")
# Regulatory sentences list several markets ("MFDS approval and PMDA approval is pending"): each
# conjunct is a clause of its own.
_CLAUSE = re.compile(CLAUSE_BOUNDARY.pattern + r"|\b(?:and|but|while|whereas)\b")
CE_IN_PROGRESS_SIGNAL = "ce-marking-in-progress"


@dataclass(frozen=True)
class RegulatoryFinding:
    authority: str
    market: str
    status: str
    evidence: str
    pathway: str | None = None

    def as_dict(self) -> dict:
        return {"authority": self.authority, "status": self.status, "market": self.market,
                "pathway": self.pathway, "evidence": self.evidence}


@dataclass(frozen=True)
class EuropeEntryFinding:
    signal: str
    evidence: str

    def as_dict(self) -> dict:
        return {"signal": self.signal, "evidence": self.evidence}


class RegulatoryReader:
    """Compiled once from the vocabulary; reads any number of passages."""

    def __init__(self, vocabulary: RegulatoryVocabulary):
        self._mentions: dict[str, tuple[Authority, RegulatoryMention]] = {}
        for authority in vocabulary.authorities:
            for mention in authority.mentions:
                self._mentions.setdefault(phrase_key(mention.phrase), (authority, mention))
        self._mention_pattern = compile_phrases((m.phrase for _, m in self._mentions.values()),
                                                acronyms_case_sensitive=True)
        self._status_patterns = {
            status: compile_phrases(p for phrases in vocabulary.status_cues[status].values() for p in phrases)
            for status in REGULATORY_STATUSES
        }
        self._europe_entry = [
            (signal.signal, [compile_phrases(group, acronyms_case_sensitive=True) for group in signal.all_of])
            for signal in vocabulary.europe_entry
        ]

    # -- regulatory status ------------------------------------------------------------

    def _status(self, sentence: str, start: int, end: int, mention: RegulatoryMention) -> str | None:
        cjk = has_cjk(sentence)
        before = _CLAUSE.split(sentence[:start])[-1]
        after = _CLAUSE.split(_GLOSS.sub("", sentence[end:], count=1))[0]
        noun = _STATUS_NOUNS.match(after)
        if noun:
            after = after[noun.end():]
        elif (noun := _STATUS_NOUNS_BEFORE.search(before)) is not None:
            before = before[:noun.start()]
        if cjk:
            before, after = before[-CUE_WINDOW_CHARS:], after[:CUE_WINDOW_CHARS]
        else:
            before = " ".join(before.split()[-CUE_WINDOW_WORDS:])
            after = " ".join(after.split()[:CUE_WINDOW_WORDS])

        def distance(text: str) -> int:
            return len(text) // 2 if cjk else len(text.split())

        negation = self._status_patterns["negated"]
        if any(distance(before[m.end():]) < NEGATION_WINDOW_WORDS for m in negation.finditer(before)):
            return "negated"
        if cjk and negation.search(after):  # Japanese and Korean negate after the verb
            return "negated"
        reads_after = mention.status is None or bool(_CONTINUES_WITH_VERB.match(after))
        candidates, following = [], []
        for rank, status in enumerate(("planned", "pending", "granted")):
            pattern = self._status_patterns[status]
            candidates += [(distance(before[m.end():]), rank, status) for m in pattern.finditer(before)]
            if reads_after:
                following += [(distance(after[:m.start()]), rank, status) for m in pattern.finditer(after)]
        if cjk and following:
            # Japanese and Korean end a clause with its predicate: in "承認の取得を目指す" or "허가를 받을
            # 예정" the last cue says what happened to the approval the first one names.
            return max(following, key=lambda cue: (cue[0], -cue[1]))[2]
        candidates += following
        if candidates:
            return min(candidates)[2]
        if mention.status or not noun:
            return mention.status
        return "pending" if _APPLICATION_NOUNS.search(noun.group(0)) else "granted"

    def regulatory(self, sentences: list[str]) -> list[RegulatoryFinding]:
        """One finding per authority, pathway and status, with the first sentence that states it."""
        findings: dict[tuple, RegulatoryFinding] = {}
        for sentence in sentences:
            per_authority: dict[tuple[str, str], RegulatoryFinding] = {}
            for match in self._mention_pattern.finditer(sentence):
                authority, mention = self._mentions[phrase_key(match.group(0))]
                status = self._status(sentence, match.start(), match.end(), mention)
                if status is None:
                    continue
                key = (authority.authority, status)
                # "received FDA 510(k) clearance" names FDA twice: keep the mention that names the pathway.
                if key not in per_authority or (mention.pathway and not per_authority[key].pathway):
                    per_authority[key] = RegulatoryFinding(authority.authority, authority.market, status,
                                                           sentence, mention.pathway)
            for finding in per_authority.values():
                findings.setdefault((finding.authority, finding.pathway, finding.status), finding)
        # A finding without a pathway adds nothing beside one with a pathway for the same authority and status.
        named = {(f.authority, f.status) for f in findings.values() if f.pathway}
        return [f for f in findings.values() if f.pathway or (f.authority, f.status) not in named]

    # -- Europe entry -----------------------------------------------------------------

    def _negated_before(self, sentence: str, start: int) -> bool:
        before = " ".join(CLAUSE_BOUNDARY.split(sentence[:start])[-1].split()[-NEGATION_WINDOW_WORDS:])
        return bool(self._status_patterns["negated"].search(before))

    def europe_entry(self, sentences: list[str], regulatory: list[RegulatoryFinding]) -> list[EuropeEntryFinding]:
        """Signals of intent to enter the European market, one per signal with its first sentence."""
        found: dict[str, EuropeEntryFinding] = {}
        for sentence in sentences:
            for signal, groups in self._europe_entry:
                if signal in found:
                    continue
                matches = []
                for group in reversed(groups):  # the place group, rarest in text, is listed last
                    match = group.search(sentence)
                    if match is None:
                        break
                    matches.append(match)
                else:
                    if not self._negated_before(sentence, min(m.start() for m in matches)):
                        found[signal] = EuropeEntryFinding(signal, sentence)
        for finding in regulatory:
            if finding.market == "EU" and finding.status in ("pending", "planned"):
                found.setdefault(CE_IN_PROGRESS_SIGNAL, EuropeEntryFinding(CE_IN_PROGRESS_SIGNAL, finding.evidence))
        return list(found.values())

    def read(self, sentences: list[str]) -> tuple[list[RegulatoryFinding], list[EuropeEntryFinding]]:
        regulatory = self.regulatory(sentences)
        return regulatory, self.europe_entry(sentences, regulatory)


@lru_cache(maxsize=1)
def default_reader() -> RegulatoryReader:
    return RegulatoryReader(load_regulatory())
