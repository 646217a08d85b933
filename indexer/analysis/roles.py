"""The role an organisation plays in the value chain, read from a page and its registry type.

Vocabulary: taxonomy/roles.yaml. Each sentence holding a role's cue phrases supports that role once;
the role with the most support wins, with the sentence holding most of its cues as evidence. A known
organisation's registry type narrows the choice: a hospital is an end-user whatever its pages say,
a company a component or a system supplier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis.phrases import compile_phrases, phrase_key
from taxonomy import RoleVocabulary, load_roles

SETTLED_BY_TYPE_CONFIDENCE = 0.9
# Support (cue sentences) at which text-only confidence reaches 1 - 1/e of the winner's share.
SUPPORT_SCALE = 2.0


@dataclass(frozen=True)
class RoleAssignment:
    role: str
    evidence: str
    confidence: float


class RoleAssigner:
    def __init__(self, vocabulary: RoleVocabulary):
        self.vocabulary = vocabulary
        self._cues = {
            role.role: compile_phrases((p for phrases in role.cues.values() for p in phrases),
                                       acronyms_case_sensitive=True)
            for role in vocabulary.roles.values()
        }

    def _support(self, sentences: list[str], roles: tuple[str, ...]) -> dict[str, tuple[int, str]]:
        """role -> (sentences with a cue, the sentence with the most distinct cues)."""
        support: dict[str, tuple[int, str]] = {}
        for role in roles:
            count, best, best_cues = 0, "", 0
            for sentence in sentences:
                cues = {phrase_key(m.group(0)) for m in self._cues[role].finditer(sentence)}
                if cues:
                    count += 1
                    if len(cues) > best_cues:
                        best, best_cues = sentence, len(cues)
            if count:
                support[role] = (count, best)
        return support

    def assign(self, sentences: list[str], organisation_type: str | None = None) -> RoleAssignment | None:
        allowed = self.vocabulary.organisation_types.get(organisation_type or "", tuple(self.vocabulary.roles))
        support = self._support(sentences, allowed)
        if len(allowed) == 1:
            role = allowed[0]
            evidence = support[role][1] if role in support else f"registry: the organisation is a {organisation_type}"
            return RoleAssignment(role, evidence, SETTLED_BY_TYPE_CONFIDENCE)
        if not support:
            return None
        # Ties go to the role listed first in roles.yaml.
        role = max(support, key=lambda r: (support[r][0], -list(self.vocabulary.roles).index(r)))
        count = support[role][0]
        share = count / sum(c for c, _ in support.values())
        confidence = share * (1 - math.exp(-count / SUPPORT_SCALE))
        return RoleAssignment(role, support[role][1], round(confidence, 2))


@lru_cache(maxsize=1)
def default_assigner() -> RoleAssigner:
    return RoleAssigner(load_roles())


def assign_role(sentences: list[str], organisation_type: str | None = None) -> RoleAssignment | None:
    """The organisation's role from a page's sentences and, when known, its registry type."""
    return default_assigner().assign(sentences, organisation_type)
