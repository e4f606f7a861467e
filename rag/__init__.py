"""政策问答: questions about Chinese AI-industry policy, answered with clause-level citations.

    import rag
    rag.answer("北京对引进图灵奖获得者有什么支持？")  # -> Answer(text="…[1]。", citations=(…,))

The heavy parts (index, embedder) load on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import Answer

__all__ = ["Answer", "answer", "answer_stream"]


def answer(question: str, history: list[Any] | None = None, filters: dict[str, Any] | None = None) -> Answer:
    """A cited Chinese answer from the default pipeline (settings from the environment)."""
    from . import pipeline

    return pipeline.answer(question, history, filters)


def answer_stream(
    question: str, history: list[Any] | None = None, filters: dict[str, Any] | None = None
) -> Iterator[str | Answer]:
    """Text deltas, then the final checked Answer."""
    from . import pipeline

    return pipeline.answer_stream(question, history, filters)
