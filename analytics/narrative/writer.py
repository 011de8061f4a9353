"""Writing the narrative: facts, draft, model rewording, check, and the template fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from analytics.config import Settings
from analytics.errors import ModelUnavailableError
from analytics.insights import Fact, Insights, build_insights
from analytics.narrative.cache import NarrativeCache, cache_key
from analytics.narrative.check import check_text
from analytics.narrative.engine import Engine, TokenCallback
from analytics.narrative.grammar import placeholder_grammar
from analytics.narrative.prompt import PROMPT_VERSION, SentencePrompt, plan_prompts
from analytics.narrative.streaming import PlaceholderStream
from analytics.narrative.template import Draft, build_draft

logger = logging.getLogger(__name__)

MODEL = "model"
TEMPLATE = "template"
# Changes whenever the template, the check or the retries change a narrative's text.
NARRATIVE_VERSION = f"{PROMPT_VERSION}/check-2"


@dataclass(frozen=True)
class Narrative:
    """A narrative and where it came from.

    ``model`` names the model that was asked to write, also when its text failed the
    check and the template is shown. It is None when no model could be loaded.
    """

    text: str
    source: str  # MODEL or TEMPLATE
    model: str | None
    facts: tuple[Fact, ...]
    notes: tuple[str, ...] = ()
    insights: Insights | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        """Return the narrative as ``growthlens narrate --format json`` prints it."""
        return {
            "text": self.text,
            "source": self.source,
            "model": self.model,
            "facts": [fact.to_dict() for fact in self.facts],
            "notes": list(self.notes),
        }


def write_narrative(
    metrics: dict,
    settings: Settings,
    engine: Engine | None = None,
    on_token: TokenCallback | None = None,
    segment_metrics: dict | None = None,
    *,
    on_attempt: Callable[[int], None] | None = None,
    use_cache: bool = True,
) -> Narrative:
    """Write the narrative for a metrics result (the JSON of ``growthlens metrics``).

    The model (``engine``, or llama.cpp with ``settings.model`` when None) rewords the
    template draft one sentence at a time. Its text is shown only if it passes the
    grounding check. Otherwise the template is shown, with a note giving the reason.
    ``on_token`` receives the model's text as it is generated, figures filled in.
    ``on_attempt`` is called with the try number before the first try and before each
    retry of a sentence that failed the check; a display should then clear what it
    streamed, because the text that still stands is streamed again before the retry.
    """
    insights = build_insights(
        metrics,
        segment_metrics,
        small_cohort_threshold=settings.small_cohort_threshold,
        max_attribute_chars=settings.limits.max_attribute_chars,
    )
    draft = build_draft(insights)
    warnings = tuple(warning.message for warning in insights.warnings)

    def template(model: str | None, *notes: str) -> Narrative:
        return Narrative(
            draft.render(), TEMPLATE, model, insights.facts, warnings + notes, insights
        )

    if insights.period is None:
        return template(None)
    if engine is None:
        try:
            from analytics.narrative.llama import LlamaEngine

            engine = LlamaEngine(settings.model)
        except ModelUnavailableError as error:
            return template(None, f"The template narrative is shown: {error}")

    cache = NarrativeCache(settings.home) if use_cache else None
    key = _cache_key(insights, draft, engine, settings)
    cached = cache.get(key) if cache is not None else None
    if cached is not None and cached.get("source") in (MODEL, TEMPLATE):
        logger.info("narrative taken from the cache")
        if on_token is not None and cached.get("source") == MODEL:
            on_token(str(cached["text"]))
        return Narrative(
            str(cached["text"]),
            str(cached["source"]),
            cached.get("model"),
            insights.facts,
            warnings + tuple(cached.get("notes") or ()),
            insights,
        )

    notes: list[str] = []
    try:
        text = _reword(insights, engine, settings, on_token, on_attempt, notes)
    except ModelUnavailableError as error:
        return template(engine.name, f"The template narrative is shown: {error}")
    if text is None:
        narrative = template(engine.name, *notes)
    else:
        narrative = Narrative(
            text, MODEL, engine.name, insights.facts, warnings + tuple(notes), insights
        )
    if cache is not None:
        entry = {"text": narrative.text, "source": narrative.source, "model": narrative.model}
        cache.put(key, {**entry, "notes": notes})
    return narrative


def _reword(
    insights: Insights,
    engine: Engine,
    settings: Settings,
    on_token: TokenCallback | None,
    on_attempt: Callable[[int], None] | None,
    notes: list[str],
) -> str | None:
    """Return the model's rewording of the draft if it passes the check, else None; add
    notes on the way."""
    max_tokens = settings.model.max_tokens
    context_size = getattr(engine, "context_size", settings.model.context_size)
    budget = min(settings.limits.prompt_budget_tokens, context_size - max_tokens)
    plan = plan_prompts(insights, engine, budget)
    full_draft = build_draft(insights)
    left_out = [
        slot.fact.label for slot in full_draft.slots.values() if slot.fact.id in plan.facts_left_out
    ]
    if left_out:
        notes.append(
            "To fit the model's context, the narrative leaves out: " + ", ".join(left_out) + "."
        )

    accepted: list[str] = []  # filled in, as shown
    accepted_raw: list[str] = []  # with the whole draft's placeholder names
    attempts = [0]
    for index, sentence in enumerate(plan.sentences, start=1):
        text = _reword_sentence(
            sentence, insights, engine, settings, on_token, on_attempt, accepted, attempts
        )
        if isinstance(text, list):
            reasons = "; ".join(text)
            notes.append(
                f"The model's text failed the grounding check in sentence {index} ({reasons}), "
                "so the template narrative is shown."
            )
            return None
        accepted.append(text[0])
        accepted_raw.append(sentence.draft.restore_names(text[1]))
    # The whole text is checked with its placeholders, so that a figure repeated across
    # sentences (such as the period) is not mistaken for a loop.
    whole = check_text(" ".join(accepted_raw), plan.draft, insights.facts)
    if not whole.passed:
        notes.append(
            f"The model's text failed the grounding check ({'; '.join(whole.problems)}), so "
            "the template narrative is shown."
        )
        return None
    closing = plan.draft.with_closing("")
    if on_token is not None and closing:
        on_token(" " + closing)
    return plan.draft.with_closing(" ".join(accepted))


def _reword_sentence(
    sentence: SentencePrompt,
    insights: Insights,
    engine: Engine,
    settings: Settings,
    on_token: TokenCallback | None,
    on_attempt: Callable[[int], None] | None,
    accepted: list[str],
    attempts: list[int],
) -> tuple[str, str] | list[str]:
    """Return the first rewording of one sentence that passes the check, filled in and
    raw, or the problems of every try. ``attempts`` contains the number of tries so far, for ``on_attempt``."""
    grammar = placeholder_grammar(sentence.draft.slots, sentences=1)
    problems: list[str] = []
    for retry, prompt in enumerate(sentence.texts):
        attempts[0] += 1
        if on_attempt is not None and (attempts[0] == 1 or retry):
            on_attempt(attempts[0])
            if retry and accepted and on_token is not None:
                on_token(" ".join(accepted))
        stream = None
        if on_token is not None:
            stream = PlaceholderStream(sentence.draft, on_token, lead=" " if accepted else "")
        raw = engine.generate(
            prompt,
            grammar,
            settings.model.max_tokens,
            stream.feed if stream is not None else None,
            seed=settings.model.seed,
        )
        if stream is not None:
            stream.close()
        result = check_text(raw, sentence.draft, insights.facts)
        if result.passed:
            return result.text, raw
        logger.info("sentence failed the check: %s", "; ".join(result.problems))
        problems.extend(result.problems)
    return list(dict.fromkeys(problems))


def _cache_key(insights: Insights, draft: Draft, engine: Engine, settings: Settings) -> str:
    model_settings = settings.model
    return cache_key(
        version=NARRATIVE_VERSION,
        facts=[(fact.to_dict(), fact.priority, fact.kind) for fact in insights.facts],
        draft=draft.text,
        closing=list(draft.closing),
        model=engine.identity,
        seed=model_settings.seed,
        temperature=model_settings.temperature,
        max_tokens=model_settings.max_tokens,
        context_size=model_settings.context_size,
        budget=settings.limits.prompt_budget_tokens,
    )
