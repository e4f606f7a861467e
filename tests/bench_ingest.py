"""Ingest cost on generated hostile inputs; prints figures, asserts nothing (a benchmark, not a test).

    PYTHONPATH=. python tests/bench_ingest.py            # 10k/20k/40k lines, no-punctuation, zip bomb
    PYTHONPATH=. python tests/bench_ingest.py 5000 80000 # other line counts

Lines: one policy whose sentence is broken across N lines (none ends a sentence), as PDF conversion
leaves it; timed through ingest.load + clauses.split. It uses only APIs older versions have, so the
same script measures them too (the zip-bomb part needs ingest.Limits and is skipped without it).
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from rag import clauses, ingest

LINE = "对在本市设立研发中心的人工智能企业给予资金支持并按照投资额度分档补助第{}项"


def broken_policy(lines: int) -> str:
    return "\n".join(["示例市人工智能产业发展若干措施", ""] + [LINE.format(i) for i in range(lines)])


def timed_ingest(path: Path) -> tuple[float, float, list[clauses.Clause]]:
    start = time.perf_counter()
    docs = ingest.load(path)
    loaded = time.perf_counter()
    found = [c for d in docs for c in clauses.split(d)]
    return loaded - start, time.perf_counter() - loaded, found


def bench_lines(counts: list[int], tmp: Path) -> None:
    first = None
    for n in counts:
        path = tmp / f"lines-{n}.txt"
        path.write_text(broken_policy(n), encoding="utf-8")
        load_s, split_s, found = timed_ingest(path)
        total = load_s + split_s
        first = first or total
        print(
            f"{n:>6} lines ({path.stat().st_size / 1e6:.1f} MB): load {load_s:6.2f} s  split {split_s:5.2f} s  "
            f"total {total:6.2f} s  ({total / first:4.1f}x the first)  {len(found)} clauses, "
            f"longest {max(len(c.text) for c in found):,} chars",
            flush=True,
        )


def bench_no_punctuation(tmp: Path) -> None:
    path = tmp / "no-punctuation.txt"
    path.write_text("无标点的政策汇编\n\n" + "人工智能产业发展政策研究" * 4_200, encoding="utf-8")
    load_s, split_s, found = timed_ingest(path)
    print(
        f"no punctuation ({path.stat().st_size / 1e3:.0f} KB): {len(found)} clauses, longest "
        f"{max(len(c.text) for c in found):,} chars, {load_s + split_s:.2f} s",
        flush=True,
    )


def bench_zip_bomb(tmp: Path) -> None:
    if not hasattr(ingest, "Limits"):
        print("zip bomb: skipped (this version has no ingest.Limits)")
        return
    path = tmp / "bomb.docx"
    buf = io.BytesIO()
    block = b"<w:p><w:r><w:t>" + b"0" * (1 << 20) + b"</w:t></w:r></w:p>"
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(1100):  # ~1.1 GB inflated
            member.write(block)
    path.write_bytes(buf.getvalue())
    start = time.perf_counter()
    try:
        ingest.load(path, ingest.Limits())
        outcome = "accepted?!"
    except ingest.LoaderError as exc:
        outcome = f"refused: {exc}"
    print(f"zip bomb ({path.stat().st_size / 1e6:.1f} MB on disk): {time.perf_counter() - start:.3f} s, {outcome}")


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [10_000, 20_000, 40_000]
    with tempfile.TemporaryDirectory() as tmp:
        bench_lines(counts, Path(tmp))
        bench_no_punctuation(Path(tmp))
        bench_zip_bomb(Path(tmp))


if __name__ == "__main__":
    main()
