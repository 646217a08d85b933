"""Tag passages with the scouting applications (A01..A35) they are substantially about.

Method, per passage:
  1. Split into sentences and match every application's terms in each sentence with a
     spaCy PhraseMatcher on a normalised form (lower case + English lookup lemma), so
     plurals and case variants match. Text in scripts written without spaces (Japanese,
     Chinese, Korean particles) is matched character by character.
  2. Acronyms match case-sensitively and only when a context word occurs in the same or a
     neighbouring sentence ("OCT" near retina/imaging, not the month or a ticker).
  3. Each sentence gives an application a strength from the specificity of what matched;
     weak (supporting) terms never tag alone, and list-like lines (menus, footers) count
     little. Summed strength and the share of sentences that match give a 0..1 score.
  4. Applications other than the generic ones (A05, A22, A27) need the passage to be about
     health; a residual application (A35) only counts sentences no other application
     explains; an application is kept when its score reaches its threshold and is not
     dwarfed by the passage's main application.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import spacy
from spacy.lookups import load_lookups
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from indexer.analysis.phrases import has_cjk
from indexer.analysis.semantic import SemanticMatch
from indexer.analysis.sentences import split_sentences
from taxonomy import ApplicationInfo, ContextVocabulary, load_applications, load_context_vocabulary

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
# Secondary applications must reach this share of the best application's score: a passing
# mention beside a well-developed main topic is not what the passage is about.
RELATIVE_THRESHOLD = 0.3
# Evidence needed for a score of 1 - 1/e (about 0.63): roughly two solid sentences.
EVIDENCE_SCALE = 1.6
# Distinct health words a passage needs before non-generic applications apply; one
# stray word ("eye" on a welding page) is not enough. Photonics vocabulary is less
# ambiguous, so one word suffices where an application requires it.
MIN_HEALTH_HITS = 2
MIN_PHOTONICS_HITS = 1
# A catch-all application (A35) needs repeated evidence of its own.
MIN_RESIDUAL_SENTENCES = 2
# The opening sentence of an abstract, news item or product page usually names its topic.
LEAD_SENTENCE_FACTOR = 1.3

MULTIWORD_SPECIFICITY = 1.0
SINGLE_WORD_SPECIFICITY = 0.8
ACRONYM_SPECIFICITY = 0.9
EXTRA_MATCH_BONUS = 0.2
MAX_SENTENCE_STRENGTH = 1.4
WEAK_TERM_STRENGTH = 0.25
MAX_WEAK_STRENGTH = 0.5
LIST_LINE_FACTOR = 0.25
# The embedding signal reads at most this many sentences per page, of at least this many words:
# MiniLM costs about as much per sentence as the whole rule-based tagger does per page.
MAX_EMBEDDED_SENTENCES = 4
MIN_EMBEDDED_WORDS = 5
MIN_COMPOUND_SUFFIX = 6
CJK_COMPOUND_CHARACTERS = 4

_LIST_SEPARATORS = re.compile(r"[|•·»›>/]|\s-\s")
_WORD = re.compile(r"\w+")
# Typographic hyphens and dashes ("x‐ray") would otherwise split terms differently.
_HYPHENS = re.compile(r"[\u2010\u2011\u2012\u2013\u00ad]")


@dataclass(frozen=True)
class ApplicationTag:
    """One application found in a passage."""

    application: str
    score: float
    evidence: str
    signal: str


@dataclass
class LexicalEvidence:
    """The term signal of one passage, before thresholds, so that other signals can join it."""

    sentences: list[str]
    eligible: set[str]
    relevant: list[int]  # sentences worth embedding, most telling first
    health_words: int = 0  # distinct health words in the passage
    photonics_words: int = 0  # distinct photonics words
    scores: dict[str, float] = field(default_factory=dict)  # applications named by terms or acronyms
    weak_scores: dict[str, float] = field(default_factory=dict)  # applications hinted at by weak terms only
    evidence: dict[str, str] = field(default_factory=dict)
    signals: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EmbeddingPolicy:
    """How the calibrated embedding similarity (z, see indexer/semantic.py) joins the term signal.

    Support grows from 0 at ``z_floor`` to 1 at ``z_full`` and raises a term score towards 1 by up
    to ``weight`` of the remaining distance. ``weak_terms_gate`` lets an application hinted at by weak
    terms only be tagged when the embedding supports it; ``alone_z`` (None: never) lets the embedding
    tag an application no term names; ``veto_z`` (None: never) drops a term tag the embedding
    contradicts.
    """

    z_floor: float = 2.0
    z_full: float = 4.0
    weight: float = 0.5
    weak_terms_gate: bool = False
    alone_z: float | None = None
    veto_z: float | None = None

    def support(self, z: float) -> float:
        return min(1.0, max(0.0, (z - self.z_floor) / (self.z_full - self.z_floor)))


DEFAULT_EMBEDDING_POLICY = EmbeddingPolicy()


@dataclass
class _SentenceMatch:
    strong: set[str] = field(default_factory=set)
    acronyms: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    """English lookup lemmas from spacy-lookups-data (installed data, no download)."""
    try:
        return dict(load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup").items())
    except (ValueError, ImportError) as error:  # package absent: fall back to lower case
        logger.warning("English lemma lookup unavailable (%s); matching on lower case", error)
        return {}


def _context_pattern(words: Iterable[str]) -> re.Pattern | None:
    """Word prefixes (latin) or substrings (CJK) as one case-insensitive regex; the word-start test
    stands outside the alternation so the engine tries the words only where a word starts."""
    words = sorted({word.lower() for word in words}, key=len, reverse=True)
    latin = [re.escape(word) for word in words if not has_cjk(word)]
    cjk = [re.escape(word) for word in words if has_cjk(word)]
    parts = [r"(?<![^\W_])(?:" + "|".join(latin) + ")"] if latin else []
    if cjk:
        # Tried at every character of a page: the lookahead on the words' first characters rules most out at once.
        first = "".join(sorted({re.escape(word[0]) for word in words if has_cjk(word)}))
        parts.append(f"(?=[{first}])(?:" + "|".join(cjk) + ")")
    return re.compile("|".join(parts)) if parts else None


def _distinct_hits(pattern: re.Pattern | None, text: str) -> int:
    return len({m.group(0) for m in pattern.finditer(text.lower())}) if pattern else 0


def _is_compound_term(term: str) -> bool:
    """A term of several words is more specific than one word. Japanese and Korean terms are written
    without spaces: one of CJK_COMPOUND_CHARACTERS or more characters holds several words
    ("共焦点顕微鏡" is "confocal microscope")."""
    if has_cjk(term):
        return len(term.replace(" ", "")) >= CJK_COMPOUND_CHARACTERS
    return bool(re.search(r"[\s\-:/]", term))


def _is_list_line(sentence: str) -> bool:
    """Menus, footers and keyword lists: few words or several separators."""
    words = len(_WORD.findall(sentence))
    if has_cjk(sentence):
        return len(sentence) < 8
    return words < 4 or (len(_LIST_SEPARATORS.findall(sentence)) >= 2 and words < 20)


class Tagger:
    """Rule-based application tagger built once from the taxonomy."""

    def __init__(self, applications: dict[str, ApplicationInfo], context: ContextVocabulary):
        self.applications = applications
        # One tokenizer for all space-delimited languages, so that patterns and text are
        # always cut the same way (the English one also splits hyphenated compounds).
        self._word_nlp = spacy.blank("en")
        self._char_vocab = self._word_nlp.vocab
        self._lemmas = _lemma_table()
        self._word_matcher = PhraseMatcher(self._word_nlp.vocab, attr="NORM")
        self._char_matcher = PhraseMatcher(self._char_vocab, attr="NORM")
        # German compounds ("Farbfluoreszenz", "Kapselendoskopie") end with the term they
        # are a kind of, so single-word German terms also match as word endings.
        # Looked up by the suffix's length, so a token costs one lookup per distinct length.
        self._compound_suffixes: dict[str, list[str]] = defaultdict(list)  # suffix -> applications
        for app in applications.values():
            self._add_terms(app.id, "strong", app.all_terms())
            self._add_terms(app.id, "weak", app.all_weak_terms())
            for term in app.terms.get("de", ()):
                if " " not in term and len(term) >= MIN_COMPOUND_SUFFIX:
                    self._compound_suffixes[term.lower()].append(app.id)
        self._suffix_lengths = sorted({len(suffix) for suffix in self._compound_suffixes})
        self._acronyms = {
            app.id: [
                (
                    acronym.acronym,
                    re.compile(r"(?<![A-Za-z0-9])" + re.escape(acronym.acronym) + r"s?(?![A-Za-z0-9])"),
                    _context_pattern(acronym.context),
                )
                for acronym in app.acronyms
            ]
            for app in applications.values()
        }
        # Most sentences hold no acronym at all: one pass over all of them spares a search per acronym.
        all_acronyms = sorted({a.acronym for app in applications.values() for a in app.acronyms}, key=len, reverse=True)
        self._any_acronym = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, all_acronyms)) + r")s?(?![A-Za-z0-9])"
        ) if all_acronyms else None
        self._negative = {app.id: _context_pattern(app.negative_context) for app in applications.values()}
        self._health = _context_pattern(w for words in context.health.values() for w in words)
        self._photonics = _context_pattern(w for words in context.photonics.values() for w in words)

    @classmethod
    def from_taxonomy(cls, applications_path=None) -> "Tagger":
        return cls(load_applications(applications_path), load_context_vocabulary(applications_path))

    # -- building -------------------------------------------------------------------------

    def _normalise(self, doc: Doc) -> list[str]:
        """Sets each token's norm to its lemma; returns the tokens' lower case forms (one pass over them)."""
        lowers = []
        for token in doc:
            lower = token.lower_
            token.norm_ = self._lemmas.get(lower, lower)
            lowers.append(lower)
        return lowers

    def _word_doc(self, text: str) -> tuple[Doc, list[str]]:
        """The text as the word matcher reads it, and its tokens in lower case."""
        # Apostrophes split French elisions ("l'endoscopie") into separate tokens.
        text = _HYPHENS.sub("-", re.sub(r"['’]", " ", text))
        doc = self._word_nlp.make_doc(text)
        return doc, self._normalise(doc)

    def _char_doc(self, text: str) -> Doc:
        chars = [c for c in text.lower() if not c.isspace()]
        doc = Doc(self._char_vocab, words=chars or [" "], spaces=[False] * max(len(chars), 1))
        for token in doc:
            token.norm_ = token.text
        return doc

    def _add_terms(self, app_id: str, strength: str, terms: Iterable[str]) -> None:
        terms = list(dict.fromkeys(terms))
        if not terms:
            return
        key = f"{app_id}|{strength}"
        self._word_matcher.add(key, [self._word_doc(t)[0] for t in terms if not has_cjk(t)])
        self._char_matcher.add(key, [self._char_doc(t) for t in terms])

    # -- matching -------------------------------------------------------------------------

    def _match_sentence(self, sentence: str) -> dict[str, _SentenceMatch]:
        cjk = has_cjk(sentence)
        if cjk:
            doc, matcher, lowers = self._char_doc(sentence), self._char_matcher, []
        else:
            (doc, lowers), matcher = self._word_doc(sentence), self._word_matcher
        strong_spans, weak_spans = [], []
        for match_id, start, end in matcher(doc):
            app_id, strength = self._word_nlp.vocab.strings[match_id].split("|")
            span = Span(doc, start, end, label=app_id)
            (strong_spans if strength == "strong" else weak_spans).append(span)
        # The most specific (longest) phrase explains the words it covers, e.g.
        # "antimicrobial photodynamic therapy" is A17, not also A31's "photodynamic therapy".
        kept = filter_spans(strong_spans)
        covered = {i for span in kept for i in range(span.start, span.end)}
        matches: dict[str, _SentenceMatch] = defaultdict(_SentenceMatch)
        for span in kept:
            matches[span.label_].strong.add(span.text.lower())
        for span in weak_spans:
            if not covered.intersection(range(span.start, span.end)):
                matches[span.label_].weak.add(span.text.lower())
        if not cjk:
            for lower in lowers:
                for length in self._suffix_lengths:
                    if length >= len(lower):
                        break
                    for app_id in self._compound_suffixes.get(lower[-length:], ()):
                        matches[app_id].strong.add(lower[-length:])
        return matches

    def _match_acronyms(self, sentences: list[str], index: int) -> dict[str, set[str]]:
        sentence = sentences[index]
        found: dict[str, set[str]] = defaultdict(set)
        if self._any_acronym is None or not self._any_acronym.search(sentence):
            return found
        window = " ".join(sentences[max(0, index - 1): index + 2])
        for app_id, acronyms in self._acronyms.items():
            for acronym, pattern, context in acronyms:
                if pattern.search(sentence) and context is not None and _distinct_hits(context, window):
                    found[app_id].add(acronym)
        return found

    # -- scoring --------------------------------------------------------------------------

    @staticmethod
    def _sentence_strength(match: _SentenceMatch) -> float:
        specificities = [
            MULTIWORD_SPECIFICITY if _is_compound_term(term) else SINGLE_WORD_SPECIFICITY for term in match.strong
        ] + [ACRONYM_SPECIFICITY] * len(match.acronyms)
        if specificities:
            extra = EXTRA_MATCH_BONUS * (len(specificities) - 1)
            return min(MAX_SENTENCE_STRENGTH, max(specificities) + extra)
        return min(MAX_WEAK_STRENGTH, WEAK_TERM_STRENGTH * len(match.weak))

    def _eligible(self, health_words: int, photonics_words: int) -> set[str]:
        about_health = health_words >= MIN_HEALTH_HITS
        about_photonics = photonics_words >= MIN_PHOTONICS_HITS
        return {
            app.id
            for app in self.applications.values()
            if (app.generic or app.health_by_itself or about_health)
            and (not app.requires_photonics or about_photonics)
        }

    def lexical(self, sentences: list[str], text: str | None = None) -> LexicalEvidence:
        """What the vocabulary says about a passage: per-application scores, evidence and signals."""
        text = "\n".join(sentences) if text is None else text
        health_words, photonics_words = _distinct_hits(self._health, text), _distinct_hits(self._photonics, text)
        eligible = self._eligible(health_words, photonics_words)
        per_sentence: list[dict[str, _SentenceMatch]] = []
        for index, sentence in enumerate(sentences):
            matches = self._match_sentence(sentence)
            for app_id, acronyms in self._match_acronyms(sentences, index).items():
                matches[app_id].acronyms |= acronyms
            per_sentence.append({a: m for a, m in matches.items() if a in eligible})

        evidence: dict[str, float] = defaultdict(float)
        best: dict[str, tuple[float, str]] = {}
        matched_sentences: dict[str, int] = defaultdict(int)
        strong_sentences: dict[str, int] = defaultdict(int)
        signals: dict[str, set[str]] = defaultdict(set)
        for index, (sentence, matches) in enumerate(zip(sentences, per_sentence)):
            explained = any(
                (m.strong or m.acronyms) and not self.applications[a].residual for a, m in matches.items()
            )
            for app_id, match in matches.items():
                app = self.applications[app_id]
                if app.residual and explained:
                    continue
                negative = self._negative[app_id]
                if negative is not None and negative.search(sentence.lower()):
                    continue
                strength = self._sentence_strength(match)
                if _is_list_line(sentence):
                    strength *= LIST_LINE_FACTOR
                elif index == 0:
                    strength *= LEAD_SENTENCE_FACTOR
                if strength <= 0:
                    continue
                evidence[app_id] += strength
                matched_sentences[app_id] += 1
                strong_sentences[app_id] += bool(match.strong or match.acronyms)
                if match.strong:
                    signals[app_id].add("term")
                if match.acronyms:
                    signals[app_id].add("acronym")
                if app_id not in best or strength > best[app_id][0]:
                    best[app_id] = (strength, sentence)

        result = LexicalEvidence(sentences=sentences, eligible=eligible,
                                 relevant=self._sentences_worth_embedding(sentences, per_sentence),
                                 health_words=health_words, photonics_words=photonics_words)
        for app_id, total in evidence.items():
            if self.applications[app_id].residual and strong_sentences[app_id] < MIN_RESIDUAL_SENTENCES:
                continue
            density = matched_sentences[app_id] / len(sentences)
            score = (1 - math.exp(-total / EVIDENCE_SCALE)) * (0.85 + 0.15 * min(1.0, 3 * density))
            # Weak terms alone never tag; they only let the embedding signal confirm an application.
            (result.scores if signals[app_id] else result.weak_scores)[app_id] = score
            result.evidence[app_id] = best[app_id][1]
            result.signals[app_id] = "+".join(s for s in ("term", "acronym") if s in signals[app_id])
        return result

    def _sentences_worth_embedding(self, sentences: list[str], per_sentence: list[dict[str, _SentenceMatch]]
                                   ) -> list[int]:
        """Indexes of the sentences the embedding signal reads: those naming an application's terms
        first, then those with health or photonics vocabulary; never menus, never more than a few."""
        ranked = []
        for index, (sentence, matches) in enumerate(zip(sentences, per_sentence)):
            if _is_list_line(sentence) or len(_WORD.findall(sentence)) < MIN_EMBEDDED_WORDS:
                continue
            if any(m.strong or m.acronyms for m in matches.values()):
                rank = 0
            elif matches:
                rank = 1
            elif _distinct_hits(self._health, sentence) + _distinct_hits(self._photonics, sentence) >= 2:
                rank = 2
            else:
                continue
            ranked.append((rank, index))
        return [index for _, index in sorted(ranked)[:MAX_EMBEDDED_SENTENCES]]

    def decide(self, lexical: LexicalEvidence, semantic: dict[str, SemanticMatch] | None = None,
               policy: EmbeddingPolicy = DEFAULT_EMBEDDING_POLICY) -> list[ApplicationTag]:
        """Combine the term signal with the embedding signal (when given) into tags, best first."""
        semantic = semantic or {}
        candidates: dict[str, tuple[float, str, str]] = {}  # app -> (score, evidence, signal)
        for app_id in lexical.eligible:
            match = semantic.get(app_id)
            support = policy.support(match.z) if match else 0.0
            if app_id in lexical.scores:
                score, signal = lexical.scores[app_id], lexical.signals[app_id]
                if match and policy.veto_z is not None and match.z < policy.veto_z:
                    continue
                if support > 0:
                    score, signal = score + policy.weight * support * (1 - score), f"{signal}+embedding"
                candidates[app_id] = (score, lexical.evidence[app_id], signal)
            elif app_id in lexical.weak_scores and policy.weak_terms_gate and support > 0:
                weak = lexical.weak_scores[app_id]
                candidates[app_id] = (weak + policy.weight * support * (1 - weak), match.sentence, "embedding")
            elif policy.alone_z is not None and match and match.z >= policy.alone_z:
                candidates[app_id] = (policy.weight * support, match.sentence, "embedding")
        if not candidates:
            return []
        top = max(score for score, _, _ in candidates.values())
        tags = [
            ApplicationTag(application=app_id, score=round(score, 4), evidence=evidence, signal=signal)
            for app_id, (score, evidence, signal) in candidates.items()
            if score >= self._threshold(app_id) and score >= RELATIVE_THRESHOLD * top
        ]
        return sorted(tags, key=lambda t: (-t.score, t.application))

    def tag(self, text: str, lang: str | None = None, sentences: list[str] | None = None) -> list[ApplicationTag]:
        """Applications the passage is about, best first, from the term signal alone."""
        sentences = split_sentences(text, lang) if sentences is None else sentences
        if not sentences:
            return []
        return self.decide(self.lexical(sentences, text))

    def _threshold(self, app_id: str) -> float:
        threshold = self.applications[app_id].threshold
        return DEFAULT_THRESHOLD if threshold is None else threshold
