"""Question analysis, shared by retrieval, the extractive answerer and the LLM prompt.

    q = analyse("黄埔细则第三十条讲啥", catalog)
    q.places -> (Place("黄埔", "广州市", docs=("…-20",)),); q.policies -> ("…-20",)
    q.ref -> "第三十条"; q.kind -> "lookup"; q.scope -> ("…-20",)

What a question names decides where its answer must come from (its scope): the places it names (from the
gazetteer in rag/places.py, checked against the regions of the index), the policies it names (a policy
type word such as 规划/细则/办法 matched against the titles of the documents in scope, with the title's
distinctive words breaking ties: 中关村十五条措施, 黄埔细则, 湖北实施意见), the clause it names (第六条,
二（一）1, 专栏3) and the years it names. What it asks for (its kind: amount, date, units, list,
definition, yes/no, comparison, lookup) comes from general Chinese question words, never from words of
any one question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from . import lookup, places
from .clauses import cn_to_int
from .model import Clause, Document
from .text import POLICY_TYPES, STOPWORDS, TYPE_SHORT, closed_class, known_word, tokenize_exact

# ---------------------------------------------------------------- what the index holds

_TITLE_TAIL = re.compile(r"[（(][^（）()]*[）)]$")  # "(2020—2030年)" after the type word
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])")
_YEAR_IN_TEXT = re.compile(r"(?<![\d.])((?:19|20)\d\d)\s*(?:年|[-—–~～至]\s*(?:19|20)\d\d)")
# a policy's period written short: "20到22年的行动计划", "深圳19-23行动计划" (its years, no topic words)
_SHORT_SPAN = re.compile(
    r"(?<![\d.])[1-3]\d\s*(?:到|至|[-—–~～])\s*[1-3]\d(?![\d.])(?=\s*(?:年|[\u4e00-\u9fffA-Za-z]{0,6}?(?:规划|总规|计划|方案|意见|政策|措施|办法|细则|导则)))"
)
# a year written with its last two digits ("到22年", "20年和22年各要几家"), from 2015 to 2040: not a span of years
# ("近20年", "20年以上", "20年内", "80年代")
_SHORT_YEAR = re.compile(r"(?<![\d.第近满超])(1[5-9]|[23]\d|40)\s*年(?![代内多余来间以])")
_SPAN_END = re.compile(r"(?<![\d.])(?:19|20)\d\d\s*[-—–~～至]\s*((?:19|20)\d\d)(?![\d.])")


def years_spoken(text: str) -> set[int]:
    """The years a text speaks of as years: written with 年 or as an end of a span. A year inside a name
    is none: "《中国制造2025德清行动计划》" says nothing of 2025.

    Example: years_spoken("到2025年…（2021-2023）…中国制造2025") -> {2021, 2023, 2025}
    """
    return {int(y) for y in _YEAR_IN_TEXT.findall(text)} | {int(y) for y in _SPAN_END.findall(text)}


@dataclass(frozen=True)
class Policy:
    """One document as question analysis sees it.

    Example: Policy("000_…", "湖北省新一代人工智能发展总体规划(2020—2030年)", "湖北省", "总体规划", (2020, 2030), 0)
    """

    id: str
    title: str
    region: str | None
    type: str  # the policy type word its title ends with, "" if none
    years: tuple[int, int] | None  # first and last year the text speaks of
    articles: int  # how many 第X条 it has (0 when it is not numbered by articles)
    top_items: int  # how many top-level numbered items (一、 or （一）) it has
    item_range: str = ""  # "1—22" or "（一）—（十六）" when one numbering runs across its parts, else ""


@dataclass(frozen=True)
class Catalog:
    """The regions and policies of an index. Example: Catalog.of(index.documents.values(), index.clauses)"""

    policies: tuple[Policy, ...]
    texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # each policy's text, by id
    _by_id: dict[str, Policy] = field(init=False, repr=False, compare=False)
    _mentions: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.policies})
        object.__setattr__(self, "_mentions", {})

    def mentions(self, doc_id: str) -> frozenset[str]:
        """The places a policy's text speaks of ("荆州博物馆": 荆州市), read the first time they are asked for (a
        question naming a place with no policy beside one with policies), not when the index loads."""
        if doc_id not in self._mentions:
            self._mentions[doc_id] = frozenset(m.region for m in places.find(self.texts.get(doc_id, "")))
        return self._mentions[doc_id]

    @classmethod
    def of(cls, documents: Sequence[Document], clauses: Sequence[Clause]) -> Catalog:
        by_doc: dict[str, list[Clause]] = {}
        for c in clauses:
            by_doc.setdefault(c.doc_id, []).append(c)
        return cls(tuple(_policy(d, by_doc.get(d.id, [])) for d in documents), {d.id: d.text for d in documents})

    @property
    def regions(self) -> set[str]:
        return {p.region for p in self.policies if p.region}

    def policy(self, doc_id: str) -> Policy | None:
        return self._by_id.get(doc_id)

    def of_region(self, region: str) -> tuple[Policy, ...]:
        """Policies of a region; for a province, its own first, then those of its cities and counties."""
        own = [p for p in self.policies if p.region == region]
        inner = [p for p in self.policies if p.region and p.region != region and places.province_of(p.region) == region]
        return tuple(own + inner)


def _policy(doc: Document, doc_clauses: Sequence[Clause]) -> Policy:
    title = _TITLE_TAIL.sub("", doc.title.strip("《》"))
    kind = next((t for t in POLICY_TYPES if title.endswith(t)), "")
    years = [*years_spoken(f"{doc.title}\n{doc.text}")]
    years += [int(y) for y in _YEAR.findall(doc.title)]
    articles = _articles(doc.text)
    tops = {t for c in doc_clauses if (t := _top_number(c))}
    span = (min(years), max(years)) if years else None
    return Policy(doc.id, doc.title, doc.region, kind, span, articles, len(tops), _item_range(doc_clauses))


_TOP = re.compile(r"[一二三四五六七八九十]+|[（(][一二三四五六七八九十]+[)）]")


def _top_number(c: Clause) -> str | None:
    """The number of the part (一、二、…) a clause is in: "二" for "二", "二（三）" and for a box under
    "二、主要任务". A part's own lead clause ("二") and its entries' heading path ("二、主要任务") are one part.

    Example: ref "三（一）1" -> "三"; ref "专栏3" under path ("二、重点任务",) -> "二"; ref "（二）" of a policy
    numbered from （一） -> "（二）"; ref "第六条" -> None
    """
    m = _TOP.match(c.ref or "")
    if m is None and c.path:
        m = _TOP.match(c.path[0])
    return m.group(0) if m else None


def _item_range(doc_clauses: Sequence[Clause]) -> str:
    """How far a policy's items are numbered when one numbering runs across its parts: "1—22",
    "（一）—（十六）"; "" when they are unnumbered or each part starts again at 1.

    Example: items 一1 … 五22 -> "1—22"; 一（一）1, 一（一）2, 一（二）1 -> "" (1 twice)
    """
    numbered: dict[str, tuple[int, bool, str]] = {}  # ref -> (number, in digits, as written)
    for c in doc_clauses:
        bare = (c.number or "").strip("（）() ")
        if n := cn_to_int(bare) if bare else None:
            numbered[c.ref] = (n, bare.isdigit(), bare)
    if not numbered:
        return ""
    _, digits, written = max(numbered.values())
    same = [n for n, d, _ in numbered.values() if d == digits]
    if len(same) != len(set(same)):  # "1." again in every part: no one numbering to count
        return ""
    return f"1—{written}" if digits else f"（一）—（{written}）"


# ---------------------------------------------------------------- what a question names


_ARTICLE_START = re.compile(r"^\s*第([一二三四五六七八九十百零〇两]+|\d{1,3})条", re.MULTILINE)


def _articles(text: str) -> int:
    """How many articles a policy has: the last 第N条 that opens a paragraph (0 when none does).

    Example: "第一条 …\n第二条 …\n第十五条 …" -> 15
    """
    from .clauses import cn_to_int

    values = [v for m in _ARTICLE_START.finditer(text) if (v := cn_to_int(m.group(1))) is not None]
    return max(values, default=0)


@dataclass(frozen=True)
class Place:
    """A place a question names and what the index holds for it.

    `docs` are the policies of the place (for a province, with its cities'; for a district or zone whose
    name is in some titles, just those). Empty `docs`: the index has no policy of this place.
    Example: Place("合肥", "合肥市", docs=("004_…-10",)); Place("厦门", "厦门市", docs=())
    """

    text: str
    region: str
    docs: tuple[str, ...] = ()
    area: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.docs)

    @property
    def label(self) -> str:
        """How an answer names it: "广州市黄埔区", "湖北省", "中关村（北京市）". """
        if self.area and self.area != self.region:
            return f"{self.region}{self.area}" if self.area.endswith(("区", "县", "市")) else f"{self.area}（{self.region}）"
        return self.region


KINDS = ("lookup", "comparison", "units", "date", "amount", "list", "definition", "yesno")
_KIND_PATTERNS = {
    # 责任单/牵头单/配合单 with any last character: a homophone typo (责任单为) still asks for the units
    "units": r"责任单|牵头单|配合单|责任部门|牵头部门|负责部门|咨询部门|落实部门|主管部门|哪个部门|哪些部门|什么部门|哪家单位|"
    r"哪个单位|哪些单位|谁负责|谁牵头|由谁负责|由谁牵头|由谁实施|找谁|联系谁|咨询电话|归(?:谁|哪[个些家]?\s*(?:部门|单位))(?:管|负责)?|"
    # "谁来牵头", "牵头的是谁", "配合的有哪些", "哪个局管": who, asked the ways people ask it
    r"谁来?(?:负责|牵头|配合|主管|管|抓|落实|实施|承办)|(?:牵头|负责|配合|主管|承办)的?(?:是谁|是哪|有谁|有哪|呢)|"
    r"哪(?:个|些|家|几个?|几家)(?:部门|单位|局|委|厅|办|处|机构|机关)|"
    # the first characters say it through a typo (谁负则, 签头单位), the note's own words (按职责分工), or the
    # consulting line of a 政策咨询部门 note (电话多少)
    r"谁负|头单位|职责分工|分工负责|电话(?:是?多少|号码|是什么|呢)|(?:哪个|什么|啥)电话|电话咨询|联系电话|联系方式|号码|咨询(?:窗口|热线)",
    "date": r"什么时候|啥时候|什么时间|啥时间|何时|几时|哪年|哪一年|几月|哪个月|几号|日期|哪天|哪一天|多久|多长时间|期限|有效期|施行|生效|截止|时间节点|"
    r"发布时间|印发时间",
    "amount": r"多少|(?<!哪)几[个家项所条种名位批次成倍年亿万千百样]|多大|多高|多长|比例|金额|额度|上限|封顶|最高|最多|最少|最低|不超过|"
    r"规模|目标|标准|补多少|给多少|能拿|数额|几成|百分之",
    "list": r"哪些|哪几|哪[两三四五六七八九十]|有什么|有啥|包括|包含|分别|各是|各自|各有|都有|都是(?:啥|什么)|[几两三四五六七八九十]大|几[项条类种块样]|几个方面|[每各][个条项块类种点]|列举|列(?:一下|出来?)|罗列",
    "definition": r"是什么|是啥|指什么|指的是|是指|指啥|什么是|啥是|什么叫|啥叫|什么意思|啥意思|怎么回事|含义|定义|怎么理解|何谓",
    "yesno": r"[吗不没][？?。!！]*$|是否|有没有|能不能|可不可以|能否|可否|算不算|是不是|有无",
    "comparison": r"一样|相同|不同|区别|差别|差异|对比|比较|哪个更|谁更|哪里更|两地|两份|两个文件|异同",
}
_ASKS_SAME = re.compile(_KIND_PATTERNS["comparison"])
_ASKS_UNITS = re.compile(r"(?:责任|牵头|配合)单.|" + _KIND_PATTERNS["units"])  # the word whole: "牵头单位", not "牵头单"
_ASKS_RATE = re.compile(r"比例|百分之|几成|多少成")
_HOW_MUCH = re.compile(r"多少|(?<!哪)几[个家项所条种名位批次成倍亿万千百样]|多大|多高|比例|占比|比重|金额|额度|上限|封顶|数额|数量|补多少|给多少|几成|百分之")
# What something is to become, asked: "要把沈阳建成个啥", "最后想打造成个啥区", "定位是什么", "落脚点是啥"
_ASKS_GOAL = re.compile(r"(?:建成|建设成|打造成|变成|成为|发展成|[弄搞做]成|定位|落脚点?)(?:为|了)?\s*(?:个|一个)?\s*(?:啥|什么|哪|怎样|咋样)")
_WHICH_MEMBERS = re.compile(r"哪几\s*(个方面|[个条项块类种点样])")  # "分成哪几块": the members counted in 块
# a count and its measure word: 多少家, 几个, 几大块; or 几大 and the noun counted ("分几大行动" counts 大行动)
_COUNT_ASKED = re.compile(r"(?:多少|(?<!哪)几)\s*(?:大?([个家项所条种名位批人块类样]|部分|方面)|(大[\u4e00-\u9fff]{2}))")


_COUNTED = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]*")  # what is counted, as written: "几家本地AI龙头去扛…"


def _measure(m: re.Match[str]) -> str:
    """The measure word a count asks in. Example: "几个" -> "个"; "几大行动" -> "大行动" """
    return m.group(1) or (m.group(2) if m.re.groups > 1 else "")
_CROSS = re.compile(r"哪些(?:城市|地方|地区|省份?|市|试验区|先导区|区县)|哪几个(?:城市|地方|地区|省)|哪个(?:城市|地方)|各地|各个?城市|"
                    r"各试验区|哪些地|哪里有|什么地方有|哪儿有")  # fmt: skip
# Words that ask rather than say what about: removed from the topic. General Chinese only.
_ASKING = re.compile(
    # what a count is made of, asked ("由几块组成", "由哪几部分构成"): no topic
    r"(?:几|哪几?)\s*大?(?:部分|方面|[个块类项条种])?\s*(?:组成|构成)|"
    r"什么时候|啥时候|何时|几时|多久|多长时间|哪一天|哪天|几号|请问|想问|问一下|请教|我想知道|想知道|告诉我|帮我|查一下|看看|有关|关于|相关|具体|政策|文件|规定|条款|内容|"
    # which ones of a count ("是哪四个", "哪三项"): the numeral asks with 哪, it names no topic
    r"哪\s*[两二三四五六七八九十]\s*(?:大|个|项|条|类|种|块|家|所|部分|方面)?|"
    r"(?:啥|什么|哪个|哪些)地方|多少|多大|多高|多长|最多|一共|总共|共有|几大?(?:部分|方面|[个家项所条种名位批次成倍年块类样])?|哪些|哪几\s*[个样项条类种块家所名位批]?|哪个|哪里|哪儿|哪|什么|啥|是否|有没有|能不能|可不可以|能否|可否|是不是|"
    r"怎么样|怎么|怎样|如何|咋|谁|吗|呢|吧|呀|啊|嘛|讲的|讲了|说的|说了|提到|提及|提过|写到|写了|写过|出现过?了?|"
    # where in a policy, or when in its plan ("最后那几条", "开头就说", "最后要建成啥"): no topic
    r"最后|开头|开篇|末尾|结尾|里?头一[个项条块]|里头|里面|里边|"
    # an adverb of saying ("专门写了监督考核", "特别提到"): how it is written, not what
    r"(?:专门|特别|特意|明确)(?=\s*(?:写|提|讲|说|规定|列|出现|强调))|"
    r"(?:这个|这种|这一)?(?:提法|字眼|字样)|分别|各是|各自|[每各][个条项块类种点]|"
    # "各定了多少", "各占多少": of each, how much, the verb of the asking ("定", "占") naming nothing asked about
    r"各[\u4e00-\u9fff]?(?:了|的)?(?=\s*(?:多少|几))|分[成为](?=\s*[哪几多])|一样|相同|不同|区别|差别|差异|"
    r"对比|比较|责任单.|牵头单.|配合单.|责任部门|牵头部门|负责|[这那两][份个]|[这那][块项条]|[这那]部分|[这那一]段|两地|"
    # asking what is planned or said: "打算咋弄", "审批上有啥说法"
    r"打算(?=\s*(?:咋|怎么|如何|怎样))|(?:(?<=啥)|(?<=什么))说法|"
    # when a policy was issued says which policy it is, not what it is asked about ("25年10月发的那份")
    r"(?:(?:19|20)?\d\d\s*年\s*)?\d{1,2}\s*月份?\s*(?:印发|发布|出台|发(?![放展]))的?|"
    # a light verb asked with 咋/怎么/如何 ("各咋安排的", "怎么部署"): it asks how, it names no topic
    r"(?:(?<=咋)|(?<=怎么)|(?<=如何)|(?<=怎样))(?:安排|部署|打算)|"
    # what something is to become, asked ("建成个啥", "打造成什么"): items say it other ways (建设成为, 打造…高地)
    r"(?:建成|建设成|打造成|变成|成为|发展成|[弄搞做]成)(?:为|了)?(?=\s*(?:个|一个)?\s*(?:啥|什么|哪|怎样|咋样))|"
    r"比例|金额|额度|上限|封顶|数额|数量|"  # how-much words: the amount kind asks them (items stating one score it)
    r"[？?，,。！!、：:；;“”\"《》\s]"
)
FUNCTION_WORDS = frozenset("的了和与跟及或在对为是有要把被给让从向里中上下其该这那各每并而也都就还又则能可会将着过之以于由所按个想些么到俩") | {
    "做到", "达到", "实现", "搞", "干", "弄", "拿", "定了", "提出", "规定了",
}


def _function_word(word: str) -> bool:
    """A function word, a word jieba made of function characters only ("各给", "还要", "为了"), or a word of a
    closed class in jieba's dictionary ("或者", "的话"): rare in policies, such a word would pass for the
    question's most specific word."""
    return word in FUNCTION_WORDS or (len(word) > 1 and all(ch in FUNCTION_WORDS for ch in word)) or closed_class(word)


@dataclass(frozen=True)
class Question:
    """What a question names and asks. See `analyse`."""

    text: str
    places: tuple[Place, ...] = ()
    policies: tuple[str, ...] = ()  # ids of the policies it names
    ref: str | None = None  # the clause it names, normalised: "第六条", "二（一）1", "专栏3"
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()  # what it asks, most specific first (see KINDS)
    cross: bool = False  # asks which places provide something ("哪些城市…")
    topic: str = ""  # the question without places, policy names, clause refs, years and question words
    how_much: bool = False  # asks outright for an amount, ratio or count (多少, 几个, 比例, 封顶…)
    figures: int = 0  # how many times it asks one ("普及率要多少？…占比呢": two)
    count: int | None = None  # how many things it says there are: "四个先导" -> 4, "哪两家" -> 2
    parts: tuple[str, ...] = ()  # the topics of its parts when it asks two things or more, else ()
    loose_parts: tuple[str, ...] = ()  # those of `parts` asked only with 啥/什么 ("最后想靠AI推动啥")
    each_of_two: bool = False  # the parts are two things it joins and asks of each ("A和B 各自…")
    asks_opening: bool = False  # asks what a policy it names says first ("那份总规 开篇怎么说"): its preamble (序言)
    asks_goal: bool = False  # asks what something is to become ("要把沈阳建成个啥", "定位是什么"); read once, as
    # every item scored asks it (evidence.kind_fit)

    @property
    def kind(self) -> str:
        return self.kinds[0] if self.kinds else "other"

    @property
    def unknown_places(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if not p.known)

    @property
    def known_places(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.known)

    @property
    def scope(self) -> tuple[str, ...]:
        """Ids of the policies the answer must come from; () for the whole index."""
        if self.policies:
            return self.policies
        return tuple(dict.fromkeys(d for p in self.known_places for d in p.docs))

    @property
    def comparison(self) -> bool:
        return "comparison" in self.kinds

    @property
    def asks_same(self) -> bool:
        """Whether it asks if the places or policies agree ("一样吗", "有啥不同", "对比"), not only what
        each says ("各是多少", "分别…")."""
        return bool(_ASKS_SAME.search(unicodedata.normalize("NFKC", self.text)))

    @cached_property
    def counter(self) -> str | None:
        """The measure word of the count it asks for, when every how-much it asks is a count in one measure
        word: "应用场景要推出多少个 全国领先的占几个" -> "个"; None for "企业多少家 产业规模多大"."""
        text = unicodedata.normalize("NFKC", self.text)
        asked = [_measure(m) for m in _COUNT_ASKED.finditer(text)]
        figures = sum(bool(re.search(_KIND_PATTERNS["amount"], piece)) for piece in _PART_ENDS.split(text))
        if len(set(asked)) != 1 or len(asked) != len(_HOW_MUCH.findall(text)) or len(asked) < figures:
            return None  # another kind of figure asked too, or a piece asking a figure but no count ("…多少个平台？人才目标呢")
        return asked[0]

    @property
    def asked_nouns(self) -> frozenset[str]:
        """The nouns it asks for by a question word ("建啥载体", "有哪些平台"): what kind of thing the answer
        names, not what it is about. Example: "郑州AI+金融建啥载体" -> {"载体"}"""
        return frozenset(m.group(1) for m in _ASKED_NOUN.finditer(unicodedata.normalize("NFKC", self.text)))

    @property
    def asks_each(self) -> bool:
        """Whether it asks something of each of several things ("两块片区各占多少", "分别给多少")."""
        return bool(_DISTRIBUTIVE.search(unicodedata.normalize("NFKC", self.text)))

    @property
    def asks_count(self) -> bool:
        """Whether it asks how many of something there are ("分几个阶段建", "有多少项"), whatever else it asks."""
        return bool(_COUNT_ASKED.search(unicodedata.normalize("NFKC", self.text)))

    @property
    def around_count(self) -> tuple[str, str]:
        """The question cut after the count it asks and the words that follow the count at once (what is
        counted), NFKC-normalised: what names the counted things, and what it asks besides; ("", "") when
        it asks no count.

        Example: "郑州规划 列了几个重点工程 都叫啥名" -> ("郑州规划 列了几个重点工程", " 都叫啥名")
        """
        text = unicodedata.normalize("NFKC", self.text)
        m = _COUNT_ASKED.search(text)
        if m is None:
            return "", ""
        end = m.end() + len(_COUNTED.match(text, m.end()).group(0))  # type: ignore[union-attr]
        return text[:end], text[end:]

    @property
    def quoted(self) -> tuple[str, ...]:
        """The names the question quotes, as a policy writes a name: "四个“先导”分别是什么" -> ("先导",)."""
        return tuple(dict.fromkeys(m.group(1) for m in _QUOTED.finditer(unicodedata.normalize("NFKC", self.text))))

    @property
    def count_phrase(self) -> str | None:
        """The count as the question writes it, numeral and measure word: "沈阳的六大产业有哪些" -> "六大";
        None when it writes none."""
        m = _COUNT.search(unicodedata.normalize("NFKC", self.text))
        return m.group(0) if m else None

    @property
    def member_word(self) -> str | None:
        """The measure word the members of a list asked for are counted in: the count's ("几条基本原则" ->
        "条"), the one after 哪几 ("分成哪几块" -> "块") or a count's that asks no amount ("分几大块" -> "块"); None
        when it asks none of them."""
        text = unicodedata.normalize("NFKC", self.text)
        # "分几大块": a count in a measure word no amount is asked in names the members' word too
        which = _WHICH_MEMBERS.search(text) or (None if _HOW_MUCH.search(text) else _COUNT_ASKED.search(text))
        return self.counter or (_measure(which) if which else None)

    @property
    def asks_rate(self) -> bool:
        """Whether it asks for a rate. Example: "补贴比例和封顶一样吗" -> True"""
        return bool(_ASKS_RATE.search(self.text))

    @property
    def asks_when(self) -> bool:
        """Whether an answer must keep the periods its items name: it asks when, or names a year."""
        return "date" in self.kinds or bool(self.years)

    @property
    def regions(self) -> tuple[str, ...]:
        """Index regions the question names, in order. Example: "成渝两地…" -> ("成都市", "重庆市")"""
        return tuple(dict.fromkeys(p.region for p in self.known_places))


def analyse(question: str, catalog: Catalog) -> Question:
    """What `question` names (places, policies, clause, years) and asks (kinds, cross-place, topic).

    Example: analyse("湖北规划里个性化精准教学要在多少所学校试点？", c)
    -> Question(places=(Place("湖北", "湖北省", …),), policies=("000_bd35aee1ad441e2b",), kinds=("amount",), …)
    """
    text = unicodedata.normalize("NFKC", question).strip()
    found = _places(text, catalog)
    policies = _policies(text, catalog, found)
    name, ref = lookup.parse_ref(text)
    if ref and name and not policies:  # "开放创新平台认定管理暂行办法第五条": the name before the clause number
        policies = tuple(lookup.match_docs({p.id: p.title for p in catalog.policies}, name)[:1])
    years = tuple(dict.fromkeys(int(y) for y in _YEAR.findall(text)))
    years += tuple(y for y in _short_years(text) if y not in years)
    implementing = _implementing(policies, catalog)
    # a policy named with its own implementing rules ("若干政策…四五七条实施细则") is one thing asked about, not two
    # to compare, unless the question asks how they differ
    distinct = [d for d in policies if d not in implementing]
    said = _ASKS_UNITS.sub(" ", text)  # "电话多少" asks for the units' line, not an amount
    kinds = _kinds(text, said, found, policies if _ASKS_SAME.search(text) else distinct, ref)
    policies = tuple(dict.fromkeys(policies + tuple(implementing)))
    parts, loose = _parts(text, found, policies, catalog)
    joined = () if parts else _each_of_two(text, found, policies, catalog)
    figures = len(_HOW_MUCH.findall(said))  # how many times a figure is asked (how_much: at least once)
    return Question(
        text=question,
        places=found,
        policies=policies,
        ref=ref,
        years=years,
        kinds=kinds,
        cross=bool(_CROSS.search(text)),
        topic=_topic(text, found, policies, catalog),
        how_much=figures > 0,
        figures=figures,
        count=_count(text),
        parts=parts or joined,
        loose_parts=tuple(p for p in parts if p in loose),
        each_of_two=bool(joined) and not parts,
        asks_goal=bool(_ASKS_GOAL.search(text)),
        asks_opening=_asks_opening(text, policies, catalog),
    )


_OPENING = re.compile(r"\s*(?:的|里|里面|中)?\s*(?:开头|开篇|前言|引言|序言)")


def _short_years(text: str) -> tuple[int, ...]:
    """The years a question writes with their last two digits, outside a policy's period written short.
    Example: "德清规划 20年和22年各要几家" -> (2020, 2022); "广州20到22年的行动计划" -> ()"""
    return tuple(dict.fromkeys(2000 + int(y) for y in _SHORT_YEAR.findall(_SHORT_SPAN.sub(" ", text))))


def _asks_opening(text: str, policies: Sequence[str], catalog: Catalog) -> bool:
    """Whether a question asks how a policy it names opens: the word for its opening right after the type
    word naming it ("那份AI总规 开篇怎么说", "工作方案开头说"), not after a section's name ("工作措施开头")."""
    types = {p.type for d in policies if (p := catalog.policy(d)) and p.type}
    return any(
        _OPENING.match(text, m.end()) and any(t.endswith(TYPE_SHORT.get(m.group(0), m.group(0))) for t in types)
        for m in _type_words(text)
    )


def _places(text: str, catalog: Catalog) -> tuple[Place, ...]:
    """Places from the gazetteer, and the index's own regions it lacks (a county an uploaded policy is
    from), in order of mention."""
    mentions = places.find(text)
    taken = [(m.start, m.start + len(m.text)) for m in mentions]
    for region in sorted(catalog.regions - set(places.all_names()), key=len, reverse=True):
        for alias in sorted(places.aliases(region), key=len, reverse=True):
            start = text.find(alias)
            if start >= 0 and not any(a < start + len(alias) and start < b for a, b in taken):
                mentions.append(places.Mention(alias, region, start))
                taken.append((start, start + len(alias)))
                break
    mentions = _narrowed(sorted(mentions, key=lambda m: m.start), text)
    out: dict[tuple[str, str | None], Place] = {}
    for m in mentions:
        region = m.region if m.region in catalog.regions or m.region != m.area else m.name
        docs = tuple(p.id for p in catalog.of_region(region))
        if m.area and m.area != region and docs:  # a zone whose name some titles carry narrows to those
            named = [d for d in docs if _named_in_title(m, catalog.policy(d))]
            docs = tuple(named) or docs
        out.setdefault((region, m.area), Place(m.text, region, docs, m.area))
    # "光谷这边武汉先导区": a zone and its city whose policies are the same are one place, not two to compare
    kept: list[Place] = []
    for place in out.values():
        if not (place.docs and any(k.docs == place.docs for k in kept)):
            kept.append(place)
    if all(p.docs for p in kept) or not any(p.docs for p in kept):
        return tuple(kept)
    # "鄂 省里和荆州那几家展馆": a place with no policy of its own that the policies of another place the question
    # names speak of is asked about as part of that place, not as a place the index lacks
    spoken = {r for k in kept for d in k.docs for r in catalog.mentions(d)}
    return tuple(p for p in kept if p.docs or p.region not in spoken)


def _narrowed(mentions: list[places.Mention], text: str) -> list[places.Mention]:
    """A city written just before a place inside it names that one place: "广州黄埔" is 广州市黄埔区, not
    广州市 and 黄埔区 (two places to compare); "北京中关村" is 中关村."""
    out = []
    for i, m in enumerate(mentions):
        after = mentions[i + 1] if i + 1 < len(mentions) else None
        between = text[m.start + len(m.text) : after.start] if after else ""
        if after and not m.area and after.area and after.name == m.name and between.strip("省市区 ") == "":
            continue
        out.append(m)
    return out


def _named_in_title(m: places.Mention, policy: Policy | None) -> bool:
    return policy is not None and any(a in policy.title for a in {m.text, m.area or m.text, places.short(m.area or "")} if len(a) >= 2)


def _policies(text: str, catalog: Catalog, found: Sequence[Place]) -> tuple[str, ...]:
    """Policies the question names by a type word, within the places it names.

    Example: "黄埔细则" -> the 黄埔区 细则; "湖北规划" -> the Hubei 总体规划; "沈阳有哪些政策" -> () (several fit)
    """
    pool = [catalog.policy(d) for p in found if p.known for d in p.docs] if found else list(catalog.policies)
    pool = [p for p in dict.fromkeys(pool) if p is not None]
    named: list[str] = []
    for m in _type_words(text):
        word, start = TYPE_SHORT.get(m.group(0), m.group(0)), m.start()
        if text.startswith("咨询", m.end()):  # "政策咨询部门": the consulting office a units note names, no policy
            continue
        fits = [p for p in pool if p.type.endswith(word) or (len(word) >= 2 and p.type and word.endswith(p.type))]
        fits = fits if len(word) > 2 else _called(text, start, fits, found)
        if len(fits) > 1:
            fits = _best_by_title(text[max(0, start - 12) : m.end()], fits)
        if len(fits) == 1:
            named.append(fits[0].id)
    if not named and found:  # a zone named in a title ("中关村") names that policy when it is the only one
        narrowed = [p for p in found if p.known and p.area and len(p.docs) == 1]
        named = [p.docs[0] for p in narrowed]
    return tuple(dict.fromkeys(named))


_DEMONSTRATIVE = re.compile(r"[这那][个份项本部]")


def _called(text: str, start: int, fits: list[Policy], found: Sequence[Place]) -> list[Policy]:
    """The policies a two-character type word at `start` can be the name of, going by the two characters
    before it: a policy's name ("十五条措施", "试验区方案") has them in its title; a type word after a place
    ("湖北规划", "黄埔细则"), after 的 or 那个/这份 ("…那个细则"), a letter or a digit ("AI规划"), or at the start names any
    policy of its type. "国家重点研发计划" and "千人计划" name no policy: 研发 and 千人 are in no plan's title.

    Example: _called("承担国家重点研发计划", 8, [天津 行动计划], []) -> []
    """
    # a word before it and a space ("试验区方案 政策环境…") is read as written together: "政策" there names no policy
    head = text[:start].rstrip(" ") or text[:start]
    before = head[-2:]
    if len(before) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in before) or before[-1] in "的之":
        return fits
    if _DEMONSTRATIVE.fullmatch(before):  # "第四五七条那个细则", "加快AI产业的那份意见": as after 的
        return fits
    if any(p.text and head.endswith(p.text) for p in found):
        return fits
    return [p for p in fits if before in p.title]


def _implementing(named: Sequence[str], catalog: Catalog) -> list[str]:
    """Policies whose titles quote a named one: its implementing rules ("《…若干政策》第四、五、七条政策实施细则"
    implements "…若干政策"), which hold the details of what it names."""
    out = []
    for doc_id in named:
        policy = catalog.policy(doc_id)
        title = policy.title.strip("《》") if policy else ""
        out += [p.id for p in catalog.policies if title and p.id != doc_id and f"《{title}》" in p.title]
    return out




@lru_cache(maxsize=1)
def _type_pattern() -> re.Pattern[str]:
    words = sorted({w for t in (*POLICY_TYPES, *TYPE_SHORT) for w in (t, t[-2:])}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) + ("(?!模)" if w in TYPE_SHORT else "") for w in words))


def _type_words(text: str) -> list[re.Match[str]]:
    return list(_type_pattern().finditer(text))


def after_policy_word(text: str) -> str:
    """The text after the last word naming a kind of policy, what a question says of the policy it names;
    the whole text when it writes none.

    Example: "上海那份实施意见里 发展体系由几块" -> "里 发展体系由几块"
    """
    found = _type_words(text)
    return text[found[-1].end() :] if found else text


def _best_by_title(window: str, fits: list[Policy]) -> list[Policy]:
    """The policies whose titles share the most distinctive character pairs with the words before the type
    word ("十五条措施" -> the 十五条措施, not the 政策措施); all of them on a tie."""
    grams = _bigrams(window)
    shared = {p.id: len(grams & _bigrams(p.title)) for p in fits}
    best = max(shared.values(), default=0)
    return [p for p in fits if shared[p.id] == best] if best else fits


def _bigrams(text: str) -> set[str]:
    return lookup.bigrams(text)


_PART_ENDS = re.compile(r"[？?；;！!。，,、\s]+")
_PIECE = re.compile(rf"(?:(?!{_PART_ENDS.pattern}).)+(?:{_PART_ENDS.pattern})?")


def pieces(text: str) -> list[str]:
    """The pieces of a question between question marks, commas and spaces (as `_parts` reads them), each with
    the marks after it. Example: pieces("奖补钱咋分摊 公布后多久施行？") -> ["奖补钱咋分摊 ", "公布后多久施行？"]"""
    return _PIECE.findall(text)


def _parts(text: str, found: Sequence[Place], policies: Sequence[str], catalog: Catalog) -> tuple[tuple[str, ...], set[str]]:
    """The topic of each part of a question that asks two things or more: the pieces between question
    marks, commas and spaces that ask something (a question word) about something (a topic); () when
    fewer than two pieces do. And the topics of pieces that ask only with 啥 or 什么 ("游客那头能享受到啥"),
    loosely: often what the first piece asks, said on.

    Example: "德清到2022年要建多少个开放创新平台？人才目标呢" -> (("建 开放 创新 平台", "人才 目标"), set())
    At most MAX_PARTS are kept: each costs the answerer one more scoring of the retrieved items.
    """
    topics: dict[str, None] = {}
    loose: set[str] = set()
    asks = bool(_ASKING_WORD.search(text))
    before, before_topic = "", None  # the piece before (a piece opening with 或者/还是/以及 sets it beside itself)
    said: list[str] = []  # the pieces since the last asking one that ask nothing ("德清 智能金融增加值 到2020")
    for piece in _PART_ENDS.split(text):
        if len(topics) >= MAX_PARTS:  # a long question is not read piece by piece past what is kept (a joined
            break  # piece adds two topics at once, so the count can pass MAX_PARTS without meeting it)
        joined = _ALTERNATIVE.match(piece) if asks else None
        if joined and before:
            if before_topic is None:  # the piece before asked nothing of its own: read now
                before_topic = _topic(before, found, policies, catalog)
            if before_topic:
                topics[before_topic] = None
        if joined:
            piece = piece[joined.end() :]
        before, before_topic = piece, None
        if _ASKING_WORD.search(piece) or joined:
            before_topic = _topic(piece, found, policies, catalog)
            # "…智能金融增加值 到2020 2022分别定多少", "年产值过亿的企业 20年和22年各要几家": it asks of what those before
            # say; a piece naming nothing that asks what, not how much ("讲的啥"), asks of the whole question
            if said and not _names_thing(before_topic) and (before_topic or _HOW_MUCH.search(piece)):
                before_topic = _topic(" ".join([*said, piece]), found, policies, catalog)
            said = []
            if before_topic:
                topics[before_topic] = None
                if not joined and not _ASKS_FOR.search(piece):
                    loose.add(before_topic)
        else:
            said.append(piece)
    return (tuple(list(topics)[:MAX_PARTS]), loose) if len(topics) >= 2 else ((), set())


def asks_something(text: str) -> bool:
    """Whether a text asks with a question word. Example: asks_something("奖补钱咋分摊") -> True;
    asks_something("长沙开放创新平台认定那个暂行办法") -> False"""
    return bool(_ASKING_WORD.search(text))


def _names_thing(topic: str) -> bool:
    """Whether a piece's topic names a thing: a word of two characters or more that jieba's dictionary has,
    or that writes letters or figures ("定" of "分别定多少" names none, nor "能奖" of "能奖多少", a modal and a verb
    jieba's guess joined)."""
    return any(len(w) >= 2 and (known_word(w) or not re.fullmatch(r"[\u4e00-\u9fff]+", w)) for w in topic.split())


# Two things joined, each asked about ("智能机器人和智能装备两个产业 各自要建成啥", "航空港区跟经开区分别主攻啥"):
# the run of characters on each side of the 和/跟/与/同 (or 、), the right one ending where the question goes on.
# "…各多少亿", "…各定多少" ask a figure of each
_EACH_ASKED = r"各自|分别|各[要是有想打将在]|各[\u4e00-\u9fff]?(?:多少|几)"
_DISTRIBUTIVE = re.compile(_EACH_ASKED)
_JOINED = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{2,12}}?)(?:和|跟|与|同|、)((?:(?!{_EACH_ASKED}|[要想都的是有在、])[\u4e00-\u9fffA-Za-z0-9]){{2,12}})")
_LEFT_RUN = re.compile(r"(?:.*[的里中在对把])?([^的里中在对把]{2,})$")


def _each_of_two(text: str, found: Sequence[Place], policies: Sequence[str], catalog: Catalog) -> tuple[str, ...]:
    """The topics of a question asking about each of two things it joins with 和/跟/与/同 ("…各自", "…分别"):
    the question's topic with the one, then with the other, left out; () for other questions.

    Example: "智能机器人和智能装备两个产业 各自要把沈阳建成个啥" -> ("智能 机器人 产业 …", "智能 装备 产业 …")
    """
    each = bool(_DISTRIBUTIVE.search(text))
    # two things listed with 、 whose figures are asked ("智能驾驶、智能机器人产业规模目标是多少") are each asked, as
    # with 分别; three or more are a list (a measure's own words), as are two whose figure is not asked
    listed = text.count("、") == 1 and bool(_HOW_MUCH.search(text))
    if not (each or listed):  # most questions: no joined things to look for
        return ()
    for m in _JOINED.finditer(text):
        if not (listed if text[m.end(1)] == "、" else each):
            continue
        left = _LEFT_RUN.match(m.group(1).removesuffix("的"))  # "地理信息的跟通航的": the thing, not its 的
        if left is None:
            continue
        one, other = left.group(1), m.group(2)
        if any(p.text in one or p.text in other for p in found):
            return ()  # places joined are compared place by place
        first = _topic(text[: m.start(2)] + text[m.end(2) :].lstrip("和跟与同"), found, policies, catalog)
        second = _topic(text[: m.start(1) + left.start(1)] + text[m.start(2) :], found, policies, catalog)
        if first and second and first != second:
            return (first, second)
    return ()


# A piece that sets another thing beside the one before: "出海并购 或者准备上市 有啥说法" asks about both.
_ALTERNATIVE = re.compile(r"(?:或者|或是|还是|以及|还有|另外|同时)")


MAX_PARTS = 4


# the noun written right after the question word: "哪几类 智能终端要出哪些产品" asks for 类 of robots, then 产品
_ASKED_NOUN = re.compile(r"(?:啥|什么|哪些|哪几[个类种项家样条所位批]?|哪[个类种家项样])([\u4e00-\u9fff]{2})")  # see asked_nouns
_ASKS_FOR = re.compile("|".join([_HOW_MUCH.pattern, *(_KIND_PATTERNS[k] for k in KINDS[1:] if k != "comparison"), "呢", "谁", "哪个|哪家|哪位|哪里|哪儿", "咋|怎么|如何|怎样"]))  # "鼓励谁…", "平台咋搭" ask
_ASKING_WORD = re.compile(f"{_ASKS_FOR.pattern}|啥|什么")  # "要干啥" asks, loosely
# a numeral after 前/后/第/头 picks members out ("后三部分叫啥", "第三个行动"): it does not say how many there are
_COUNT = re.compile(r"(?<![前后第头末])([两二三四五六七八九十])(?:个|大|项|类|家|方面|块|部分|条|种|所)")


def _count(text: str) -> int | None:
    """Example: "四个“先导”分别是什么" -> 4; "分哪两块" -> 2; "有哪些" -> None; "搞个1+4 一共是几个" -> 5 (a
    formula of figures names its members' sum; "3+X" names no count)"""
    m = _COUNT.search(text)
    if m is None:
        said = [f.group(0) for f in _FORMULA.finditer(unicodedata.normalize("NFKC", text)) if re.fullmatch(r"[\d+\s]+", f.group(0))]
        total = sum(map(int, re.findall(r"\d+", said[0]))) if len(said) == 1 else 0
        return total if 2 <= total <= 10 else None
    return "一两三四五六七八九十".index(m.group(1)) + 1 if m.group(1) != "二" else 2


_EACH = re.compile(r"分别|各自|各是|各有|两地|[两二三几]个?(?:地方|城市|地区)")


def _kinds(text: str, said: str, found: Sequence[Place], policies: Sequence[str], ref: str | None) -> tuple[str, ...]:
    """The kinds of answer a question asks for; `said` is the text without its units-asking phrases, which
    ask the units kind only."""
    kinds = [k for k in KINDS[1:] if re.search(_KIND_PATTERNS[k], text if k == "units" else said)]
    if _side_by_side({p.region for p in found}, text) or len(policies) >= 2:
        kinds.insert(0, "comparison")
    if ref:
        kinds.insert(0, "lookup")
    return tuple(dict.fromkeys(kinds))


def _side_by_side(regions: set[str], text: str) -> bool:
    """Whether a question naming these regions asks about each of them: two or more regions, unless one is
    a city of the other province and nothing asks for each ("湖北支持武汉打造…" asks 湖北's policies about
    武汉; "湖北和武汉分别…", "…有何不同" ask for both)."""
    if len(regions) < 2:
        return False
    inner = {r for r in regions if places.province_of(r) in regions}
    return len(regions - inner) >= 2 or bool(_EACH.search(text) or _ASKS_SAME.search(text))


_FORMULA = re.compile(r"(?<![A-Za-z\d+])\d+\s*(?:\+\s*[A-Za-z\d]+)+(?![A-Za-z\d+])")  # "3+X", "1+4+N"
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9+]{2,12})[”\"」』]")


def _topic(text: str, found: Sequence[Place], policies: Sequence[str], catalog: Catalog) -> str:
    """The words of a question that say what it is about, space-separated: the question with places,
    policy type words, clause numbers, years, question words and function words taken out.

    Example: "合肥对AI企业租房有补贴吗" -> "人工智能 企业 租房 补贴"
    """
    out = text
    # every mention of a place's own region, not only the first (光谷 … 武汉: one place, both named): its name is
    # spelled by its own clauses and says nothing of what is asked there. A district or zone named inside it
    # ("航空港区跟经开区分别主攻啥") stays: it is what is asked about.
    regions = {p.region for p in found}
    mentioned = {p.text for p in found} | {m.text for m in places.find(text) if not m.area and m.region in regions}
    # a group that sets the scene before the place asked ("成渝那边 重庆的…") goes too; one written after it is
    # what is asked about ("苏州…对长三角要起啥作用")
    first = min((text.find(p.text) for p in found if p.text in text), default=len(text))
    scene = [g for g in places.GROUPS if 0 <= text.find(g) <= first]
    for name in sorted(mentioned, key=len, reverse=True) + scene:
        out = out.replace(name, " ")
    out = _SHORT_YEAR.sub(" ", _SHORT_SPAN.sub(" ", out))  # before the type words it is written with go
    for m in _type_words(out):
        out = out.replace(m.group(0), " ")
    out = re.sub(r"第\s*[一二三四五六七八九十百零〇两\d]+\s*[条章节项点]|专栏\s*\d+|[（(][一二三四五六七八九十\d]+[)）]", " ", out)
    # "归哪些部门管" asks and says nothing; "打啥电话" asks for the line a consulting entry writes (咨询电话：…)
    out = _ASKS_UNITS.sub(lambda m: m.group(0) if "电话" in m.group(0) else " ", out)
    out = _ASKING.sub(" ", _CROSS.sub(" ", _YEAR.sub(" ", out)))
    out = re.sub(r"(?i)\bai\b|(?i:ai)(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?i:ai)", " 人工智能 ", out)
    quoted = {m.group(1) for m in _QUOTED.finditer(text)}  # a name the user quotes stays one word
    formulas = {m.group(0) for m in _FORMULA.finditer(out)}  # "3+X", "1+4": a layout's name, one word too
    for formula in formulas:
        out = out.replace(formula, f" {formula} ")
    words = [w for part in out.split() for w in ([part] if part in quoted | formulas else tokenize_exact(part))]
    return " ".join(w for w in words if not _function_word(w) and w not in STOPWORDS and w != "年")
