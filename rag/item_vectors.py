"""Vectors of clause items, for judging which sentences of a clause answer a question by meaning.

    rows = layout(index.clauses)        # rows[i][j]: row of clause i's item j in the matrix, or None
    matrix = embed_items(clauses, embedder, reusable={}, progress=None)  # (n_rows, dim), unit vectors

Built at index time with the same embedder as the clauses (adding a file embeds only its items; an
item whose embedded text is unchanged keeps its vector), saved beside the FAISS file as a .npy matrix
(no pickle), and scored at question time against the question's one query vector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .items import Item
from .model import Clause

EMBED_BATCH = 32
Progress = Callable[[int, int], None]


def embeddable(item: Item) -> bool:
    """Headings and units notes say nothing a question asks about by meaning."""
    return item.role not in ("heading", "units")


def passage(clause: Clause, item: Item) -> str:
    """What is embedded for an item: its text, after the clause's title when the item does not repeat it.

    Example: (title "近期目标", item "实施100个以上应用示范项目。") -> "近期目标：实施100个以上应用示范项目。"
    """
    text = clause.item_text(item)
    return f"{clause.title}：{text}" if clause.title and clause.title not in text else text


def key(clause: Clause, item: Item) -> str:
    return hashlib.sha256(passage(clause, item).encode()).hexdigest()


def layout(clauses: Sequence[Clause]) -> list[list[int | None]]:
    """Matrix row of each item of each clause (None for items that are not embedded)."""
    rows: list[list[int | None]] = []
    n = 0
    for clause in clauses:
        own: list[int | None] = []
        for item in clause.items:
            if embeddable(item):
                own.append(n)
                n += 1
            else:
                own.append(None)
        rows.append(own)
    return rows


def reusable(clauses: Sequence[Clause], matrix: np.ndarray | None) -> dict[str, np.ndarray]:
    """Vectors of an existing index by embedded text."""
    if matrix is None:
        return {}
    out: dict[str, np.ndarray] = {}
    for clause, rows in zip(clauses, layout(clauses)):
        for item, row in zip(clause.items, rows):
            if row is not None and row < len(matrix):
                out[key(clause, item)] = matrix[row]
    return out


def embed_items(
    clauses: Sequence[Clause],
    embedder: Any,
    reused: dict[str, np.ndarray],
    progress: Progress | None = None,
    deadline: Any = None,
) -> tuple[np.ndarray, int]:
    """The item matrix in layout order and how many items were embedded (the rest were reused).
    `deadline` (an ingest.Deadline) is checked before every batch, as clause embedding does."""
    pairs = [(c, i) for c in clauses for i in c.items if embeddable(i)]
    out = np.zeros((len(pairs), embedder.dim), dtype=np.float32)
    todo = []
    for n, (clause, item) in enumerate(pairs):
        vector = reused.get(key(clause, item))
        if vector is not None and len(vector) == embedder.dim:
            out[n] = vector
        else:
            todo.append(n)
    for start in range(0, len(todo), EMBED_BATCH):
        if deadline is not None:
            deadline.check("the upload")
        batch = todo[start : start + EMBED_BATCH]
        out[batch] = embedder.passages([passage(*pairs[n]) for n in batch])
        if progress:
            progress(min(start + EMBED_BATCH, len(todo)), len(todo))
    return out, len(todo)
