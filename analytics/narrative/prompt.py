"""The prompts that ask the model to reword the draft, one sentence at a time, within the
token budget.

The model receives a draft sentence whose figures are placeholders ([F1], [F2], ...) and never
the figures, the segment names or any other data: nothing from the data can act as an
instruction, and nothing the model writes can carry a figure except through a
placeholder. One sentence at a time is what the bundled 135M model can reword without
moving a figure into the wrong place; a whole draft makes it merge and repeat clauses.

Prompt size is measured with the model's own tokenizer. When a sentence's prompt is over
budget, facts are left out of the draft from the lowest priority up (a sentence loses a
clause or goes), never cut in the middle.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.errors import ModelUnavailableError
from analytics.insights import Insights
from analytics.narrative.engine import Engine
from analytics.narrative.template import Draft, build_draft

# Changes whenever the wording below changes, so cached narratives are not reused.
PROMPT_VERSION = "sentence-1"


@dataclass(frozen=True)
class PromptStyle:
    """One way of asking; a sentence whose text fails the check is asked again in the next."""

    system: str
    instruction: str


PROMPT_STYLES = (
    PromptStyle(
        system=(
            "You are an editor. Rewrite the user's text so it reads naturally. Keep every "
            "placeholder like [F1] exactly once. Write no numbers."
        ),
        instruction="Rewrite:\n",
    ),
    PromptStyle(
        system=(
            "You are a careful copy editor for a marketing team. Repeat the user's sentence, "
            "improving its wording only where it reads badly. Keep every placeholder like "
            "[F1] exactly once. Write no numbers."
        ),
        instruction="Sentence:\n",
    ),
)


class PromptTooLongError(ModelUnavailableError):
    """Even the headline facts do not fit in the model's context."""


@dataclass(frozen=True)
class SentencePrompt:
    """The prompts for one draft sentence, one per style that fits the budget."""

    draft: Draft  # the sentence alone, placeholders renamed [F1], [F2], ...
    texts: tuple[str, ...]
    tokens: int  # size of the largest prompt


@dataclass(frozen=True)
class PromptPlan:
    """The draft the prompts carry, one entry per sentence, and the facts left out."""

    draft: Draft
    sentences: tuple[SentencePrompt, ...]
    facts_left_out: tuple[str, ...] = ()


def build_messages(sentence: str, style: PromptStyle) -> list[dict]:
    """Return the chat messages asking for a rewording of one draft ``sentence``."""
    return [
        {"role": "system", "content": style.system},
        {"role": "user", "content": style.instruction + sentence},
    ]


def plan_prompts(insights: Insights, engine: Engine, budget_tokens: int) -> PromptPlan:
    """Build the prompts for the fullest draft whose every sentence fits ``budget_tokens``.

    Raises PromptTooLongError when even the headline facts do not fit.
    """
    fact_ids = _fact_ids_by_priority(insights)
    minimum = sum(1 for fact in insights.facts if fact.priority == _top_priority(insights))
    smallest_tokens = None
    tried: set[str] = set()
    for keep in range(len(fact_ids), max(minimum, 1) - 1, -1):
        draft = build_draft(insights, fact_ids[:keep])
        if draft.text in tried:
            continue  # the dropped fact was not in the draft
        tried.add(draft.text)
        sentences = []
        for index in range(len(draft.sentences)):
            sentence_draft = draft.sentence_draft(index)
            texts, sizes = [], []
            for style in PROMPT_STYLES:
                text = engine.render_chat(build_messages(sentence_draft.text, style))
                tokens = engine.count_tokens(text)
                smallest_tokens = (
                    tokens if smallest_tokens is None else min(smallest_tokens, tokens)
                )
                if tokens <= budget_tokens:
                    texts.append(text)
                    sizes.append(tokens)
            if not texts:
                break
            sentences.append(SentencePrompt(sentence_draft, tuple(texts), max(sizes)))
        else:
            return PromptPlan(draft, tuple(sentences), tuple(fact_ids[keep:]))
    raise PromptTooLongError(
        f"The prompt needs at least {smallest_tokens} tokens for the headline facts, but "
        f"only {budget_tokens} fit in the model's context; raise model.context_size or "
        "limits.prompt_budget_tokens."
    )


def _fact_ids_by_priority(insights: Insights) -> list[str]:
    ordered = sorted(
        enumerate(insights.facts), key=lambda indexed: (indexed[1].priority, indexed[0])
    )
    return [fact.id for _index, fact in ordered]


def _top_priority(insights: Insights) -> int:
    return min((fact.priority for fact in insights.facts), default=0)
