"""Homophone slips in a question, corrected against the policies' own words.

People type Chinese with pinyin input methods, and their commonest slip is a character of the same sound:
补帖 for 补贴, 基今 for 基金, 规摸 for 规模, 郑洲 for 郑州. Retrieval's word match and the answerer's word cover
miss such a word, and a place written so is not recognised. A two-character word of the question is read
as a slip when:

- neither the policies (as a word, see Speller.written) nor jieba's dictionary know it (a word anyone
  writes is left alone);
  in a word of three or four characters jieba does not know ("博揽会"), each pair of it is tried, and
- one of its characters, changed to another of the same sound (tones aside), gives a word that jieba's
  dictionary knows and the policies write at least MIN_USES times; the character kept is no function
  character (各是 is "each is", not a slip for 各市), nor is a character changed at the pair's start (the
  上 of "交通上用AI" is the locative, not a slip for 商用), and neither is a numeral ("前七部分" is not 前期);
- the pair is no two words' edges: neither character makes, with its neighbour outside the pair, a word
  the policies write on its own ("建实训基地" is 建 / 实训, not a slip for 坚实).

The word the policies write most replaces it. Nothing is guessed where the policies offer no such word.

    speller = Speller.of(clause_texts + policy_titles)
    speller.correct("合肥租房有补帖吗") -> ("合肥租房有补贴吗", (("补帖", "补贴"),))
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, pairwise

from pypinyin.pinyin_dict import pinyin_dict

from .question import FUNCTION_WORDS
from .text import exact_words, known_word, tokenize_exact_raw

MIN_USES = 3  # the corrected word is written this often in the policies (README: "Typing slips of the same sound")
# a two-character word of the question that neither jieba nor the policies know is read as a word they write
# this often (情续 -> 情绪, written twice); the other readings, and a pair the policies write rarely, keep MIN_USES
WORD_USES = 2
MAX_TOKEN = 4  # longer words jieba does not know are names, not slips
_AROUND = 8  # characters either side of a rare pair that jieba reads it in
MAX_RARE = 16  # rare pairs of one question looked up (each costs a scan of the policies' texts): a bound
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fff]{2}")
_NUMERAL = re.compile(r"[一二两三四五六七八九十百千万亿零〇几]")  # "前七部分", "分几大部分" count: no slips for 前期, 分级
_ASPECT = frozenset("了着过")  # marks the character before it as a verb: "接了" is no slip for 家
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))  # grave, acute, macron, caron; ü keeps its dots


@dataclass(frozen=True)
class Speller:
    """The policies' two-character sequences and, for each sound, the characters they use with it."""

    uses: Counter[str] = field(repr=False)
    by_sound: dict[str, tuple[str, ...]] = field(repr=False)
    texts: tuple[str, ...] = field(default=(), repr=False)  # the policies' texts, NFKC

    @classmethod
    def of(cls, texts: Iterable[str]) -> Speller:
        uses: Counter[str] = Counter()
        kept = tuple(unicodedata.normalize("NFKC", text) for text in texts)
        for text in kept:
            for run in _HAN.findall(text):
                uses.update(run[i : i + 2] for i in range(len(run) - 1))
        chars = {ch for pair in uses for ch in pair}
        by_sound: dict[str, set[str]] = {}
        for ch in chars:
            for sound in sounds(ch):
                by_sound.setdefault(sound, set()).add(ch)
        return cls(uses, {s: tuple(sorted(chs)) for s, chs in by_sound.items()}, kept)

    def correct(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The text with each slip replaced, and the (slip, word) pairs replaced."""
        fixes: dict[str, str] = {}
        rare = MAX_RARE  # pairs the policies write rarely are looked up in their texts: at most this many
        cut = tokenize_exact_raw(unicodedata.normalize("NFKC", text).lower())  # once, for both passes
        said = "".join(cut)
        starts = [0, *accumulate(map(len, cut))]
        for start, token in zip(starts, cut):
            if not exact_words([token]) or len(token) > MAX_TOKEN or known_word(token):  # a word, not a pause
                continue
            # a longer word jieba does not know may hold the slip ("博揽会"): each pair of it, the first that is one
            for i in range(len(token) - 1):
                word = token[i : i + 2]
                if word in fixes or not _WORD.fullmatch(word) or known_word(word) or _NUMERAL.search(word):
                    continue
                if 0 < self.uses[word] < MIN_USES:
                    rare -= 1
                if self.written(word) if rare >= 0 else self.uses[word]:
                    continue
                if said[start + i + 2 : start + i + 3] in _ASPECT:
                    continue  # "集聚区提了": 提 is a verb, with its aspect marker
                best = max(self._candidates(word), key=lambda c: (self.uses[c], c), default=None)
                if best is not None and not self._straddles(said, start + i):
                    fixes[word] = best
                    break
        for slip, word in self._slips_beside_words(cut, rare):
            fixes.setdefault(slip, word)
        for slip, word in self._words_slipped_into_words(cut, rare):
            fixes.setdefault(slip, word)
        out = unicodedata.normalize("NFKC", text) if fixes else text
        for slip, word in fixes.items():
            out = out.replace(slip, word)
        return out, tuple(fixes.items())

    def _slips_beside_words(self, tokens: Sequence[str], scans: int) -> list[tuple[str, str]]:
        """Slips of one character that jieba cuts off the word they belong to ("传感气" read 传感 / 气): a
        character standing alone beside a two-character word, when the three together are no word, and the
        character changed to another of the same sound makes a three-character word jieba's dictionary knows
        and the policies write at least MIN_USES times ("传感器"). `tokens`: jieba's cut of the question, every
        character kept; `scans`: lookups of the policies' texts left (MAX_RARE bounds them per question)."""
        out: list[tuple[str, str]] = []
        for a, b, after in zip(tokens, tokens[1:], [*tokens[2:], ""]):
            if sorted(map(len, (a, b))) != [1, 2] or not _HAN.fullmatch(a + b) or known_word(a + b):
                continue
            if len(b) == 1 and after[:1] in _ASPECT:
                continue  # "企业接了…": a verb, with its aspect marker
            at = 0 if len(a) == 1 else 2
            single = (a + b)[at]
            if single in FUNCTION_WORDS or _NUMERAL.match(single):
                continue
            words = [
                (a + b)[:at] + other + (a + b)[at + 1 :]
                for sound in sounds(single)
                for other in self.by_sound.get(sound, ())
                if other != single
            ]
            words = [w for w in dict.fromkeys(words) if known_word(w) and self.uses[w[:2]] >= MIN_USES and self.uses[w[1:]] >= MIN_USES]
            if not words or scans <= 0:
                continue
            scans -= 1
            counts = {w: sum(t.count(w) for t in self.texts) for w in (a + b, *words)}
            best = max(words, key=lambda w: (counts[w], w))
            if not counts[a + b] and counts[best] >= MIN_USES:
                out.append((a + b, best))
        return out

    def _words_slipped_into_words(self, tokens: Sequence[str], scans: int) -> list[tuple[str, str]]:
        """Slips that make another word ("智能编成" for 智能编程, "智能安放" for 智能安防): of two two-character
        words side by side, the second, when the policies never write the two together and, with one of its
        characters changed to another of the same sound, write the two together at least MIN_USES times
        (and jieba's dictionary knows the changed word). A word anyone writes is otherwise left alone: the
        policies' own phrase is what tells the slip. `scans` bounds the lookups of the policies' texts."""
        out: list[tuple[str, str]] = []
        for a, b in pairwise(tokens):
            if not (_WORD.fullmatch(a) and _WORD.fullmatch(b)) or _NUMERAL.search(a + b) or self.uses[a[1] + b[0]] < 1:
                continue
            words = [
                b[:i] + other + b[i + 1 :]
                for i, ch in enumerate(b)
                if ch not in FUNCTION_WORDS and b[1 - i] not in FUNCTION_WORDS
                for sound in sounds(ch)
                for other in self.by_sound.get(sound, ())
                if other != ch
            ]
            words = [w for w in dict.fromkeys(words) if known_word(w) and self.uses[w] >= MIN_USES and self.uses[a[1] + w[0]] >= MIN_USES]
            if not words or scans <= 0:
                continue
            scans -= 1
            counts = {w: sum(t.count(a + w) for t in self.texts) for w in (b, *words)}
            best = max(words, key=lambda w: (counts[w], w))
            if not counts[b] and counts[best] >= MIN_USES:
                out.append((b, best))
        return out

    def _straddles(self, said: str, at: int) -> bool:
        """Whether the pair at `at` of the question is two words' edges, not one word slipped: one of its
        characters makes, with the character beside it outside the pair, a word the policies write at least
        MIN_USES times, and that jieba reads there as a word of its own: "中小学开课 建实训基地" has 实训, so 建实
        is no slip for 坚实; "基本原责" has 本原 only across 基本 / 原则, and "行动计化" 动计 only inside 行动计划,
        so 原责 and 计化 are slips."""
        words = (said[at - 1 : at + 1] if at > 0 else "", said[at + 1 : at + 3])
        return any(_WORD.fullmatch(w) and self.uses[w] >= MIN_USES and self._in_a_word(w, alone=True) for w in words)

    def written(self, word: str) -> bool:
        """Whether the policies write a pair as a word, or inside one: as often as a correction must be
        written (MIN_USES), or, where they write it less often, inside a word jieba reads there ("办公建筑"
        holds 公建). Two words side by side are not it: "核心片区" holds no 心片, "西安方案" no 安方."""
        uses = self.uses[word]
        if uses >= MIN_USES or not uses:
            return bool(uses)
        return self._in_a_word(word)

    def _in_a_word(self, word: str, alone: bool = False) -> bool:
        """Whether jieba reads `word` inside one word (`alone`: as one word) at any place the policies write it."""
        for text in self.texts:
            at = text.find(word)
            while at >= 0:
                start = max(0, at - _AROUND)
                offset = 0
                for token in tokenize_exact_raw(text[start : at + len(word) + _AROUND]):
                    if offset <= at - start and offset + len(token) >= at - start + len(word):
                        if not alone or len(token) == len(word):
                            return True
                        break
                    offset += len(token)
                at = text.find(word, at + 1)
        return False

    def _candidates(self, word: str) -> Iterable[str]:
        for i, ch in enumerate(word):
            kept = word[1 - i]
            if kept in FUNCTION_WORDS or (i == 0 and ch in FUNCTION_WORDS):
                continue
            for sound in sounds(ch):
                for other in self.by_sound.get(sound, ()):
                    new = word[:i] + other + word[i + 1 :]
                    if other != ch and self.uses[new] >= WORD_USES and known_word(new):
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
