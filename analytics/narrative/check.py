"""The grounding check: model text is shown only if every claim in it traces to a fact.

A text passes when, after its placeholders are filled in:
- it is not empty, does not loop, ends with a full sentence and is not much longer than
  the draft;
- every placeholder is one of the draft's, and no other bracket or markup is left;
- every number equals a fact's display string (a change may drop its sign after a
  direction word), and no figure is spelled out in words;
- it mentions every required fact;
- a clause that names one metric holds only figures of that metric, and a stated
  direction (rose, fell, improved, ...) agrees with the sign of the change it refers to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.insights import Fact
from analytics.insights.model import CHANGE, LEVEL, PERIOD_KIND, SEGMENT
from analytics.narrative.numbers import NumberToken, find_numbers, number_forms
from analytics.narrative.template import PLACEHOLDER_PATTERN, Draft

LENGTH_FACTOR = 3  # a text may be this many times longer than the draft, plus slack
LENGTH_SLACK = 200  # characters
REPEATED_NGRAM = 8  # words; a run this long appearing twice is a loop

# Words of a metric; a clause naming exactly one family may only hold its figures.
FAMILIES = {
    "retention": r"retention|retained|retaining|retain|crr",
    "churn": r"churn\w*",
    "revenue": r"revenue|sales|income|turnover",
    "active": r"active",
    "new": r"new|first[- ]time",
    "returning": r"returning|returned|reactivated",
    "clv": r"lifetime value|clv|ltv",
}
METRIC_FAMILIES = {
    "crr": "retention",
    "churn_rate": "churn",
    "churned": "churn",
    "revenue": "revenue",
    "E": "active",
    "new_first_time": "new",
    "returning": "returning",
    "clv": "clv",
}
_FAMILY_PATTERNS = {
    family: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for family, words in FAMILIES.items()
}

UP, DOWN, BETTER, WORSE, FLAT = "up", "down", "better", "worse", "flat"
_DIRECTION_WORDS = {
    UP: r"rose|rise|rises|risen|rising|increased|increases|increase|increasing|grew|grow|"
    r"grows|growing|grown|up|higher|gained|gains|climbed|climbs|jumped|surged|boosted",
    DOWN: r"fell|fall|falls|fallen|falling|declined|declines|decline|declining|decreased|"
    r"decreases|decrease|decreasing|dropped|drops|drop|down|lower|shrank|shrunk|slipped|"
    r"slid|fewer",
    BETTER: r"improved|improves|improve|improving|improvement|better",
    WORSE: r"worsened|worsens|worsening|worse|deteriorated|deteriorating",
    FLAT: r"unchanged|flat|steady|stable",
}
_DIRECTION_PATTERN = re.compile(
    "|".join(rf"(?P<{kind}>\b(?:{words})\b)" for kind, words in _DIRECTION_WORDS.items()),
    re.IGNORECASE,
)
# "Up" and "down" that state no change: "signed up", "up to", "broke down".
_IDIOMS = re.compile(
    r"\b(?:sign(?:ed|s|ing)?|make|made|set|pick(?:ed)?|follow(?:ed)?|show(?:ed)?|end(?:ed)?|"
    r"keep|kept)[- ]up\b|\bup to\b|\bbr(?:oke|eak)(?:s)? down\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = re.compile(
    r"\b(?:zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozen|half|twice|double|doubled|triple|"
    r"tripled|quadrupled|quarter)\b",
    re.IGNORECASE,
)
# Words about the request rather than the business: the model talking to the user.
_META_WORDS = re.compile(
    r"\b(?:rewrite|rewritten|rewording|user|assistant|placeholders?|draft|original text|"
    r"as an ai|here is|here's)\b",
    re.IGNORECASE,
)
# The kinds of fact a figure may be right after these words: "from" names a period,
# "down" a change, "was" a level ("down from 60.00" and "increased by 66.67%" are wrong).
_DIRECTION_WORD_SET = frozenset(
    word.lower() for words in _DIRECTION_WORDS.values() for word in words.split("|")
)
_PRECEDING_KINDS = {
    **{word: (PERIOD_KIND, SEGMENT) for word in ("from", "since", "than")},
    "by": (CHANGE, SEGMENT),
    "to": (LEVEL, PERIOD_KIND),
    **{word: (LEVEL,) for word in ("was", "were", "is", "reached", "at")},
    **{word: (CHANGE,) for word in _DIRECTION_WORD_SET - {"higher", "lower", "fewer"}},
}
_LAST_WORD = re.compile(r"([A-Za-z]+)[^A-Za-z]*$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE_BREAK = re.compile(
    r"[;:]\s+|,\s+|\s+(?:and|but|while|whereas|although|though)\s+", re.IGNORECASE
)
_MARKUP = re.compile(r"[\[\]{}<>|\\]|[\x00-\x08\x0b-\x1f\x7f]")
_ENDS_WITH_SENTENCE = re.compile(r"[.!?][\"')\]]*$")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of the check: the filled-in text, what is wrong with it, what it mentions."""

    text: str
    problems: tuple[str, ...]
    mentioned: frozenset[str]  # ids of the facts the text mentions

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Reference:
    position: int
    text: str  # the placeholder or the number as written
    facts: tuple[Fact, ...]  # one fact for a placeholder; the candidates for a number


def check_text(raw: str, draft: Draft, facts: Iterable[Fact]) -> CheckResult:
    """Check ``raw`` (model output, with or without placeholders) against the facts."""
    facts = tuple(facts)
    forms = number_forms(facts)
    text = draft.fill(raw).strip()
    problems: list[str] = []
    mentioned: set[str] = set()

    if not re.search(r"[A-Za-z]", text):
        return CheckResult(text, ("the text is empty",), frozenset())

    unknown = sorted(
        f"[{name}]" for name in set(PLACEHOLDER_PATTERN.findall(raw)) if name not in draft.slots
    )
    if unknown:
        problems.append(f"it uses unknown placeholders {', '.join(unknown)}")
    if _MARKUP.search(PLACEHOLDER_PATTERN.sub("", raw)):
        problems.append("it contains brackets, markup or control characters")
    if not _ENDS_WITH_SENTENCE.search(text):
        problems.append("it stops in the middle of a sentence")
    if len(text) > LENGTH_FACTOR * len(draft.fill(draft.text)) + LENGTH_SLACK:
        problems.append("it is much longer than the draft")
    problems.extend(_repetition_problems(text))

    for token in find_numbers(PLACEHOLDER_PATTERN.sub(" ", raw)):
        candidates = _candidates(token, forms)
        if not candidates:
            problems.append(f"the number '{token.text}' is not a computed fact")
        mentioned.update(fact.id for fact in candidates)
    meta = sorted(
        {
            match.group(0).lower()
            for match in _META_WORDS.finditer(PLACEHOLDER_PATTERN.sub(" ", raw))
        }
    )
    if meta:
        problems.append(f"it talks about the request ({', '.join(meta)})")
    spelled = sorted({match.group(0).lower() for match in _NUMBER_WORDS.finditer(text)})
    if spelled:
        problems.append(f"it spells out figures in words ({', '.join(spelled)})")

    sentences = _references_by_clause(raw, draft, forms)
    for clauses in sentences:
        for _clause, _blanked, references in clauses:
            for reference in references:
                if len(reference.facts) == 1:
                    mentioned.add(reference.facts[0].id)
    problems.extend(_clause_problems(sentences, facts))

    missing = [fact_id for fact_id in draft.required if fact_id not in mentioned]
    if missing:
        labels = [draft_fact.label for draft_fact in _facts_by_id(facts, missing)]
        problems.append(f"it leaves out {', '.join(labels) or ', '.join(missing)}")
    return CheckResult(text, tuple(dict.fromkeys(problems)), frozenset(mentioned))


def _candidates(token: NumberToken, forms: dict) -> tuple[Fact, ...]:
    matches = forms.get(token.key, ())
    if token.sign:
        matches = [(fact, sign) for fact, sign in matches if sign == token.sign]
    return tuple(dict.fromkeys(fact for fact, _sign in matches))


def _references_by_clause(
    raw: str, draft: Draft, forms: dict
) -> list[list[tuple[str, str, list[_Reference]]]]:
    """Split ``raw`` into sentences of clauses, each with the facts it refers to."""
    sentences = []
    for sentence in _SENTENCE_BREAK.split(raw.strip()):
        clauses = []
        for clause in _CLAUSE_BREAK.split(sentence):
            references = []
            for match in PLACEHOLDER_PATTERN.finditer(clause):
                slot = draft.slots.get(match.group(1))
                if slot is not None:
                    references.append(_Reference(match.start(), slot.value, (slot.fact,)))
            blanked = PLACEHOLDER_PATTERN.sub(lambda m: " " * len(m.group(0)), clause)
            for token in find_numbers(blanked):
                candidates = _candidates(token, forms)
                if candidates:
                    references.append(_Reference(token.position, token.text, candidates))
            references.sort(key=lambda reference: reference.position)
            clauses.append((clause, blanked, references))
        sentences.append(clauses)
    return sentences


def _clause_problems(sentences, facts: tuple[Fact, ...]) -> list[str]:
    problems = []
    for clauses in sentences:
        subject = None  # the metric a clause without its own metric word is about
        for clause, blanked, references in clauses:
            named = _families(blanked)
            if len(named) == 1:
                subject = next(iter(named))
            elif named:
                subject = None
            families = named or ({subject} if subject is not None else set())
            problems.extend(_attribution_problems(clause, families, references))
            problems.extend(_phrase_problems(clause, references))
            family = next(iter(families)) if len(families) == 1 else None
            problems.extend(_direction_problems(clause, blanked, family, references, facts))
    return problems


def _families(clause: str) -> set[str]:
    return {family for family, pattern in _FAMILY_PATTERNS.items() if pattern.search(clause)}


def _attribution_problems(
    clause: str, families: set[str], references: list[_Reference]
) -> list[str]:
    """Check that each figure sits with its own metric's word, and that no metric is named
    in a clause without a figure of its own ("584 new customers were active")."""
    problems = []
    if not families:
        return problems
    covered: set[str] = set()
    has_values = False
    for reference in references:
        values = [fact for fact in reference.facts if fact.kind in (LEVEL, CHANGE)]
        if not values or len(values) < len(reference.facts):
            continue  # no figure, or a number that may also be a period or a segment
        has_values = True
        matching = {METRIC_FAMILIES.get(fact.metric) for fact in values} & families
        if not matching:
            problems.append(
                f"it gives {reference.text} as {' and '.join(sorted(families))} "
                f"in '{clause.strip()}'"
            )
        covered |= matching
    if has_values and len(families) > 1:
        for family in sorted(families - covered):
            problems.append(f"it calls a figure '{family}' in '{clause.strip()}'")
    return problems


def _phrase_problems(clause: str, references: list[_Reference]) -> list[str]:
    problems = []
    for reference in references:
        match = _LAST_WORD.search(clause[: reference.position])
        if match is None:
            continue
        word = match.group(1).lower()
        allowed = _PRECEDING_KINDS.get(word)
        if allowed is not None and not any(fact.kind in allowed for fact in reference.facts):
            problems.append(f"'{word} {reference.text}' does not read as a fact")
    return problems


def _direction_problems(
    clause: str,
    blanked: str,
    family: str | None,
    references: list[_Reference],
    facts: tuple[Fact, ...],
) -> list[str]:
    problems = []
    cleaned = _IDIOMS.sub(lambda match: " " * len(match.group(0)), blanked)
    for match in _DIRECTION_PATTERN.finditer(cleaned):
        kind = match.lastgroup
        changes = _changes_near(match.start(), references)
        if family is not None:
            of_family = [fact for fact in changes if METRIC_FAMILIES.get(fact.metric) == family]
            changes = of_family or changes
        if not changes and family is not None:
            changes = [
                fact
                for fact in facts
                if fact.kind == CHANGE
                and fact.segment is None
                and METRIC_FAMILIES.get(fact.metric) == family
                and not fact.id.endswith("_contribution")
            ]
            if not changes:
                problems.append(
                    f"it says '{match.group(0)}' about {family}, but no change of it was computed"
                )
                continue
        if changes and not any(_agrees(kind, fact) for fact in changes):
            problems.append(
                f"'{match.group(0)}' contradicts the computed change in '{clause.strip()}'"
            )
    return problems


def _changes_near(position: int, references: list[_Reference]) -> list[Fact]:
    """Return the change facts of the nearest reference after ``position``, else before it."""
    after = [reference for reference in references if reference.position >= position]
    before = [reference for reference in references if reference.position < position]
    for group in (after, list(reversed(before))):
        for reference in group:
            changes = [fact for fact in reference.facts if fact.kind == CHANGE]
            if changes:
                return changes
    return []


def _agrees(kind: str, fact: Fact) -> bool:
    direction = fact.direction
    if kind == UP:
        return direction > 0
    if kind == DOWN:
        return direction < 0
    if kind == FLAT:
        return direction == 0
    improving = direction > 0 if fact.higher_is_better is not False else direction < 0
    if kind == BETTER:
        return direction != 0 and improving
    return direction != 0 and not improving


def _repetition_problems(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for sentence in _SENTENCE_BREAK.split(text):
        key = re.sub(r"\W+", " ", sentence).strip().lower()
        if len(key.split()) < 3:
            continue
        if key in seen:
            return [f"it repeats the sentence '{sentence.strip()}'"]
        seen[key] = sentence
    words = re.sub(r"\W+", " ", text).lower().split()
    ngrams = Counter(
        tuple(words[index : index + REPEATED_NGRAM])
        for index in range(len(words) - REPEATED_NGRAM + 1)
    )
    if any(count > 1 for count in ngrams.values()):
        return ["it repeats itself"]
    return []


def _facts_by_id(facts: tuple[Fact, ...], fact_ids: list[str]) -> list[Fact]:
    by_id = {fact.id: fact for fact in facts}
    return [by_id[fact_id] for fact_id in fact_ids if fact_id in by_id]
