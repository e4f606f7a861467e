"""Homophone slips in a question, corrected against the policies' own words.

People type Chinese with pinyin input methods, and their commonest slip is a character of the same sound:
补帖 for 补贴, 基今 for 基金, 规摸 for 规模, 郑洲 for 郑州. Retrieval's word match and the answerer's word cover
miss such a word, and a place written so is not recognised. A two-character word of the question is read
as a slip when:

- neither the policies nor jieba's dictionary know it (a word anyone writes is left alone), and
- one of its characters, changed to another of the same sound (tones aside), gives a word that jieba's
  dictionary knows and the policies write at least MIN_USES times; the character kept is no function
  character (各是 is "each is", not a slip for 各市).

The word the policies write most replaces it. Nothing is guessed where the policies offer no such word.

    speller = Speller.of(clause_texts + policy_titles)
    speller.correct("合肥租房有补帖吗") -> ("合肥租房有补贴吗", (("补帖", "补贴"),))
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict

from .question import FUNCTION_WORDS
from .text import known_word, tokenize_exact

MIN_USES = 3  # the corrected word is written this often in the policies (README: "Typing slips of the same sound")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fff]{2}")
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))  # grave, acute, macron, caron; ü keeps its dots


@dataclass(frozen=True)
class Speller:
    """The policies' two-character sequences and, for each sound, the characters they use with it."""

    uses: Counter[str] = field(repr=False)
    by_sound: dict[str, tuple[str, ...]] = field(repr=False)

    @classmethod
    def of(cls, texts: Iterable[str]) -> Speller:
        uses: Counter[str] = Counter()
        for text in texts:
            for run in _HAN.findall(unicodedata.normalize("NFKC", text)):
                uses.update(run[i : i + 2] for i in range(len(run) - 1))
        chars = {ch for pair in uses for ch in pair}
        by_sound: dict[str, set[str]] = {}
        for ch in chars:
            for sound in sounds(ch):
                by_sound.setdefault(sound, set()).add(ch)
        return cls(uses, {s: tuple(sorted(chs)) for s, chs in by_sound.items()})

    def correct(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The text with each slip replaced, and the (slip, word) pairs replaced."""
        fixes: dict[str, str] = {}
        for word in tokenize_exact(text):
            if word in fixes or not _WORD.fullmatch(word) or self.uses[word] or known_word(word):
                continue
            best = max(self._candidates(word), key=lambda c: (self.uses[c], c), default=None)
            if best is not None:
                fixes[word] = best
        out = unicodedata.normalize("NFKC", text) if fixes else text
        for slip, word in fixes.items():
            out = out.replace(slip, word)
        return out, tuple(fixes.items())

    def _candidates(self, word: str) -> Iterable[str]:
        for i, ch in enumerate(word):
            kept = word[1 - i]
            if kept in FUNCTION_WORDS:
                continue
            for sound in sounds(ch):
                for other in self.by_sound.get(sound, ()):
                    new = word[:i] + other + word[i + 1 :]
                    if other != ch and self.uses[new] >= MIN_USES and known_word(new):
                        yield new


@lru_cache(maxsize=8192)
def sounds(ch: str) -> tuple[str, ...]:
    """The readings of a character without tones. Example: sounds("帖") -> ("tie",); sounds("行") -> ("xing", "hang")"""
    readings = pinyin_dict.get(ord(ch), "")
    return tuple(dict.fromkeys(unicodedata.normalize("NFC", unicodedata.normalize("NFD", r).translate(_TONES)) for r in readings.split(",") if r))


def note(fixes: Iterable[tuple[str, str]]) -> str:
    """What the answer tells the user. Example: note([("补帖", "补贴")]) -> "已将问题中的“补帖”按“补贴”理解。" """
    said = "、".join(f"“{slip}”按“{word}”" for slip, word in fixes)
    return f"已将问题中的{said}理解。" if said else ""
