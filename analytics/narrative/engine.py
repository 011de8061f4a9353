"""The text-generation interface the narrative uses, and a scripted stand-in for tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol

TokenCallback = Callable[[str], None]


class Engine(Protocol):
    """A text generator the narrative can ask to reword a draft.

    ``name`` names the model that writes (it is shown with every narrative) and ``identity``
    changes whenever the model could write differently (path, size, modification time),
    so cached narratives of another model are not reused.
    """

    name: str
    identity: str

    def render_chat(self, messages: list[dict]) -> str:
        """Return the prompt text for chat ``messages`` in the model's own chat format."""
        ...

    def count_tokens(self, text: str) -> int:
        """Return how many tokens ``text`` takes in the model's tokenizer."""
        ...

    def generate(
        self,
        prompt: str,
        grammar: str | None,
        max_tokens: int,
        on_token: TokenCallback | None = None,
        seed: int | None = None,
    ) -> str:
        """Continue ``prompt`` with at most ``max_tokens`` tokens, constrained by the GBNF
        ``grammar`` when given, passing each piece of text to ``on_token`` as it comes."""
        ...


class ScriptedEngine:
    """An engine that returns prepared texts, in order, for tests.

    Each prepared text is either a string or a function of the prompt. Once they run out
    the last one is repeated. The prompts, grammars and seeds it received are kept.
    """

    def __init__(
        self,
        answers: Iterable[str | Callable[[str], str]],
        *,
        name: str = "scripted",
        tokens_per_word: float = 1.5,
    ) -> None:
        self.answers = list(answers)
        if not self.answers:
            raise ValueError("ScriptedEngine needs at least one prepared text")
        self.name = name
        self.identity = f"scripted:{name}"
        self.tokens_per_word = tokens_per_word
        self.prompts: list[str] = []
        self.grammars: list[str | None] = []
        self.seeds: list[int | None] = []

    def render_chat(self, messages: list[dict]) -> str:
        return "".join(f"<{message['role']}>\n{message['content']}\n" for message in messages) + (
            "<assistant>\n"
        )

    def count_tokens(self, text: str) -> int:
        return int(len(text.split()) * self.tokens_per_word) + 1

    def generate(
        self,
        prompt: str,
        grammar: str | None,
        max_tokens: int,
        on_token: TokenCallback | None = None,
        seed: int | None = None,
    ) -> str:
        index = min(len(self.prompts), len(self.answers) - 1)
        self.prompts.append(prompt)
        self.grammars.append(grammar)
        self.seeds.append(seed)
        answer = self.answers[index]
        text = answer(prompt) if callable(answer) else answer
        if on_token is not None:
            for piece in re.findall(r"\S+\s*|\s+", text):
                on_token(piece)
        return text
