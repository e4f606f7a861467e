"""Question analysis over the bundled index's policies: places, named policies, clauses, years, kinds, topic."""

from __future__ import annotations

import pytest

from rag.model import Document
from rag.question import Catalog, analyse


@pytest.fixture(scope="module")
def catalog(bundled_index) -> Catalog:  # type: ignore[no-untyped-def]
    return bundled_index.catalog


def titles(catalog: Catalog, ids: tuple[str, ...]) -> list[str]:
    return [p.title for p in catalog.policies if p.id in ids]


def test_a_city_the_index_has_is_known_and_one_it_lacks_is_not(catalog: Catalog) -> None:
    q = analyse("合肥对AI企业租房有补贴吗", catalog)
    assert [(p.region, p.known) for p in q.places] == [("合肥市", True)]
    assert q.scope and all(catalog.policy(d).region == "合肥市" for d in q.scope)  # type: ignore[union-attr]
    q = analyse("厦门有什么人工智能补贴", catalog)
    assert [(p.region, p.known) for p in q.places] == [("厦门市", False)] and q.scope == ()


def test_a_province_takes_its_cities_policies_after_its_own(catalog: Catalog) -> None:
    q = analyse("湖北有哪些人工智能政策", catalog)
    regions = [catalog.policy(d).region for d in q.places[0].docs]  # type: ignore[union-attr]
    assert regions[0] == "湖北省" and "武汉市" in regions
    guangdong = analyse("广东对AI有啥补贴", catalog).places[0]
    assert guangdong.known and {catalog.policy(d).region for d in guangdong.docs} <= {"广州市", "深圳市"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "title_part"),
    [
        ("中关村十五条第六条讲啥", "十五条措施"),
        ("黄埔细则第三十条说了什么", "黄埔区"),
        ("湖北规划里个性化精准教学要在多少所学校试点？", "总体规划"),
        ("湖北2025年那份AI实施意见，研发投入补多少", "实施意见"),
        ("长沙暂行办法第五条", "暂行办法"),
        ("沈阳规划的四大核心产业", "发展规划(2018-2030年)"),
        ("武汉先导区方案对博士后给多少补贴", "先导区实施方案"),
        ("天津行动计划里算力要建到多少", "试验区行动计划"),
        ("德清的规划 智能物流要培育几家企业", "应用县发展规划"),
        # a demonstrative before the type word names it as 的 does
        ("武汉第四五七条那个细则 孵化载体补助谁能申", "第四、五、七条政策实施细则"),
        ("长沙进一步促进AI产业发展那份意见 有效期几年", "关于进一步促进人工智能产业发展的意见"),
    ],
)
def test_policies_named_by_type_word_and_place(catalog: Catalog, question: str, title_part: str) -> None:
    q = analyse(question, catalog)
    assert len(q.policies) == 1 and title_part in titles(catalog, q.policies)[0]


@pytest.mark.parametrize(
    "question",
    ["天津的企业牵头国家重点研发计划项目有配套吗", "武汉引进千人计划专家给多少奖励", "济南对企业参与国家科技计划有啥支持"],
)
def test_a_type_word_inside_another_noun_names_no_policy(catalog: Catalog, question: str) -> None:
    # 研发计划, 千人计划, 科技计划: the words before 计划 are in no plan's title, so the place's search is not
    # narrowed to its 行动计划
    assert analyse(question, catalog).policies == ()


def test_a_type_word_starting_a_noun_after_a_space_or_a_consulting_office_names_no_policy(catalog: Catalog) -> None:
    # "方案 政策环境": 政策 begins a noun after a word that names a policy already; "政策咨询" is the office a
    # units note names: neither adds 成都's 专项政策 to compare with
    q = analyse("成都试验区方案 政策环境优化这块讲了啥", catalog)
    assert len(q.policies) == 1 and "试验区实施方案" in titles(catalog, q.policies)[0] and "comparison" not in q.kinds
    q = analyse("蓉城细则里 人才实训基地那条 政策咨询打哪个电话", catalog)
    assert len(q.policies) == 1 and "实施细则" in titles(catalog, q.policies)[0] and "comparison" not in q.kinds
    # a place before the space still names its policy of the type ("湖北 规划")
    assert "总体规划" in titles(catalog, analyse("湖北 规划里核心产业规模多大", catalog).policies)[0]


def test_where_in_a_policy_and_adverbs_of_saying_name_no_topic(catalog: Catalog) -> None:
    assert "最后" not in analyse("深圳行动计划最后那部分 有几条", catalog).topic
    assert "开头" not in analyse("哪些城市的政策开头就写了新经济", catalog).topic
    topic = analyse("哪些地方的规划里专门提到数据标注", catalog).topic
    assert "专门" not in topic and "数据" in topic


def test_what_a_count_is_made_of_asked_names_no_topic(catalog: Catalog) -> None:
    # "由几块组成" asks a count: no clause writes 组成 for its members; what is counted stays
    topic = analyse("想搭起来的发展体系由几块组成", catalog).topic.split()
    assert "组成" not in topic and "体系" in topic, topic
    assert "构成" not in analyse("保障措施由哪几部分构成", catalog).topic
    assert "组成" in analyse("专家委员会怎么组成", catalog).topic  # no count asked: what is asked about


def test_the_words_asking_for_units_name_no_topic(catalog: Catalog) -> None:
    # "归哪些部门管" asks who; "里头一项" says where in the plan: neither says what about
    q = analyse("行动计划里头一项 实施重大项目 归哪些部门管", catalog)
    assert "units" in q.kinds and q.topic.split() == ["实施", "重大项目"], q.topic
    assert analyse("交通大脑 牵头单位是谁", catalog).topic.split() == ["交通", "大脑"]  # the asking word whole: no "位是"
    # a consulting entry writes "咨询电话": the word stays; "电话多少" asks for that line, not an amount
    q = analyse("双百工程该找哪个部门咨询 电话多少", catalog)
    assert "电话" in q.topic and not q.how_much and "amount" not in q.kinds, (q.topic, q.kinds)


def test_when_a_policy_was_issued_and_fillers_name_no_topic_and_who_asks(catalog: Catalog) -> None:
    q = analyse("湖北25年10月发的那份实施意见 最后一段鼓励谁拿行动当抓手 哪几方面先行先试", catalog)
    assert not {"25", "10", "月", "发", "一段"} & set(q.topic.split()), q.topic
    assert len(q.parts) == 2, q.parts  # "鼓励谁…" asks who: a part of its own
    # asking how ("咋搭") makes a part too: "对初创企业有啥好处" is asked besides
    assert len(analyse("郑州规划里 给开发者供算力的开放平台咋搭 对初创企业有啥好处", catalog).parts) == 2
    assert "那块" not in analyse("北京的指导意见 对军工那块的成果 有没有说转到民用", catalog).topic
    assert "发放" in analyse("补贴12月发放吗", catalog).topic  # 发放 is no issue date
    topic = analyse("给企业的服务体系打算咋弄 审批上有啥说法 做大产业集群那项 归哪个部门负责", catalog).topic.split()
    assert not {"打算", "说法", "项", "归"} & set(topic) and {"服务体系", "审批"} <= set(topic), topic


def test_a_policy_named_with_its_implementing_rules_is_one_thing_asked_not_two_compared(catalog: Catalog) -> None:
    # the 实施细则 of 武汉's 若干政策 quotes it in its title: both named, they are one thing asked, no comparison
    q = analyse("武汉试验区那个四五七条实施细则 若干政策兑现找谁", catalog)
    assert len(q.policies) == 2 and "comparison" not in q.kinds
    assert any("实施细则" in t for t in titles(catalog, q.policies))
    # "政策兑现" after the 细则's name and a space is the 细则's cash-out, no policy of its own
    assert len(analyse("武汉试验区那个四五七条实施细则 政策兑现找谁", catalog).policies) == 1
    q = analyse("武汉若干政策和它的实施细则有啥不同", catalog)  # asked how they differ: compared
    assert "comparison" in q.kinds


def test_a_policy_counts_each_of_its_parts_once(catalog: Catalog) -> None:
    # "二" (the part's lead clause, no heading path) and "二（一）" (path "二、主要任务") are one part: 沈阳's plans
    # have four parts, not six, and a refusal of "第七部分" must say four
    for p in catalog.policies:
        if p.articles:
            continue
        assert 3 <= p.top_items <= 13, (p.title, p.top_items)
    shenyang = [p for p in catalog.policies if p.title.startswith("沈阳市新一代人工智能发展规划")]
    assert len(shenyang) == 2 and all(p.top_items == 4 for p in shenyang)


def test_part_numbers_of_clauses() -> None:
    from rag.model import Clause
    from rag.question import _top_number

    def clause(ref: str, path: tuple[str, ...] = ()) -> Clause:
        return Clause("c", "d", "t", path, None, "…", (0, 1), ref=ref)

    assert _top_number(clause("二")) == _top_number(clause("二（一）1", ("二、主要任务",))) == "二"
    assert _top_number(clause("专栏3", ("三、重点工程",))) == "三" and _top_number(clause("十二")) == "十二"
    assert _top_number(clause("（二）")) == "（二）" and _top_number(clause("第六条")) is None


def test_a_short_name_of_a_policy_type_names_the_policy(catalog: Catalog) -> None:
    # 总规 is a 总体规划 in general use; the 总规模 of a fund names no policy
    q = analyse("湖北的AI总规 保障措施有几条", catalog)
    assert [catalog.policy(d).title[:14] for d in q.policies] == ["湖北省新一代人工智能发展总体"], q.policies  # type: ignore[union-attr]
    assert "总规" not in q.topic
    fund = analyse("武汉AI产业投资基金 总规模要做到多大", catalog)
    assert fund.policies == () and "规模" in fund.topic


def test_how_a_policy_named_opens_is_asked_by_its_opening_word_after_its_name(catalog: Catalog) -> None:
    assert analyse("湖北20到30那份AI总规 开篇怎么说AI的分量", catalog).asks_opening
    assert analyse("马桥AI试验区那份工作方案 开头说是落实谁的要求", catalog).asks_opening
    # a section's opening ("工作措施开头": 措施 is no type of the plan named) or no policy named
    assert not analyse("沈阳18到20年那份三年行动计划 工作措施开头说了啥", catalog).asks_opening
    assert not analyse("哪些城市的AI政策开头就说要建新经济产业体系", catalog).asks_opening
    # a short period before the policy's name is no topic ("20到30那份AI总规")
    assert not {"20", "30"} & set(analyse("湖北20到30那份AI总规 开篇怎么说AI的分量", catalog).topic.split())


def test_a_type_word_several_policies_fit_names_none(catalog: Catalog) -> None:
    assert analyse("沈阳有哪些人工智能政策", catalog).policies == ()
    assert analyse("哪些城市有补贴政策", catalog).policies == ()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("第六条讲的是什么", "lookup"),
        ("成渝两地2022年的目标一样吗", "comparison"),
        ("重庆交通大脑牵头单位是谁", "units"),
        ("杭州若干政策有效期到什么时候", "date"),
        ("到2025年核心产业规模多少", "amount"),
        ("沈阳四大核心产业是哪些", "list"),
        ("一核四环是啥意思", "definition"),
        ("合肥对企业租房有补贴吗", "yesno"),
        ("合肥有租房补贴不", "yesno"),
        ("杭州政策还有效没", "yesno"),
        ("合肥方案什么时间发布的", "date"),
        ("揭榜挂帅是怎么回事", "definition"),
        ("3+X是指啥", "definition"),
    ],
)
def test_the_kind_comes_from_general_question_words(catalog: Catalog, question: str, kind: str) -> None:
    assert analyse(question, catalog).kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "合肥智慧园区谁来负责", "重庆智慧农业牵头的是谁 配合的呢", "苏州数字金融这块哪个局管", "天津算力中心建设谁来牵头",
        "长沙计算中心配合的有哪些", "郑州智慧物流是哪几个部门负责", "武汉算力券找哪个处", "济南数据开放 按职责分工归谁",
        "成都人才奖励 咨询的话电话多少", "重庆智慧医疗谁负则", "西安智能制造签头单位是哪个",
        "成都上云补贴 有问题打啥电话", "济南算力补贴 联系方式给一下", "长沙首台套奖励 哪个电话能问",
        "武侯区的咨询窗口叫啥", "成都人才奖励 号码给一个",
    ],
)
def test_who_is_asked_the_ways_people_ask_it(catalog: Catalog, question: str) -> None:
    assert "units" in analyse(question, catalog).kinds


@pytest.mark.parametrize(
    "question", ["合肥对牵头企业有什么补贴", "谁能申请成都的算力券", "苏州哪些企业能拿补贴", "合肥做AI电话客服的企业有补贴吗"]
)
def test_who_in_other_senses_asks_no_units(catalog: Catalog, question: str) -> None:
    assert "units" not in analyse(question, catalog).kinds


def test_a_city_named_inside_its_provinces_question_is_not_a_second_side(catalog: Catalog) -> None:
    assert not analyse("湖北支持武汉打造哪两个世界之都", catalog).comparison  # 湖北's policies about 武汉
    assert analyse("湖北和武汉分别给多少补贴", catalog).comparison
    assert analyse("湖北和武汉的补贴有什么不同", catalog).comparison
    assert analyse("成都和重庆的核心产业规模目标", catalog).comparison  # two cities are two sides


def test_which_few_asks_which_not_how_many(catalog: Catalog) -> None:
    assert not analyse("成都试验区3+4应用场景都是哪几个", catalog).how_much
    assert analyse("先导区要培育几家创新中心", catalog).how_much


def test_a_units_word_with_a_homophone_typo_still_asks_for_the_units(catalog: Catalog) -> None:
    for question in ("合肥5G网络建设这块 责任单为都有谁", "智慧农业牵头单未是哪个"):
        q = analyse(question, catalog)
        assert "units" in q.kinds and "单" not in q.topic


def test_clause_years_cross_and_topic(catalog: Catalog) -> None:
    q = analyse("德清规划里2025年人工智能核心产业产值目标是多少？", catalog)
    assert q.years == (2025,) and "2025" not in q.topic and "产值" in q.topic and "多少" not in q.topic
    assert analyse("想办个AI挑战赛，哪些城市有补贴？", catalog).cross
    assert analyse("中关村十五条第16条", catalog).ref == "第十六条"
    assert "德清" not in analyse("德清的智能网联汽车", catalog).topic


def test_a_count_asked_with_its_members_asks_a_list(catalog: Catalog) -> None:
    # "都是啥" after "几个…" asks for the members counted, as "分别是啥" does
    for question in ("沈阳那个规划 定了几个战略定位 都是啥", "北京那份意见 要攻关的技术一共几项 都是什么"):
        assert "list" in analyse(question, catalog).kinds, question


def test_which_of_a_count_asks_the_members_not_an_amount(catalog: Catalog) -> None:
    # "哪几家企业" asks which enterprises: no figure answers it, so figure-bearing items win nothing; "几家" asks how many
    for question in ("济南 智能软件 点了哪几家企业", "苏州那份方案 哪几个领域先做示范"):
        q = analyse(question, catalog)
        assert "list" in q.kinds and "amount" not in q.kinds and not q.how_much, (question, q.kinds)
    assert "amount" in analyse("济南 智能软件 点了几家企业", catalog).kinds
    assert "list" in analyse("长沙那份计划 要建的几个平台 都列一下", catalog).kinds  # 列一下 asks the members


def test_how_much_of_each_names_no_part_of_its_own(catalog: Catalog) -> None:
    # "各定了多少" asks a figure of each thing named before it: 定 is how it asks, no third thing asked about
    q = analyse("深圳 到2023 AI企业数量 还有产业规模 各定了多少", catalog)
    assert len(q.parts) == 2 and not any("定" in part for part in q.parts), q.parts


def test_how_much_words_ask_the_kind_and_leave_the_topic(catalog: Catalog) -> None:
    # policies say 最高/不超过/30%, users say 封顶/上限/比例: the amount kind asks for those, not a word
    q = analyse("杭州对AI项目的资助比例和封顶是多少", catalog)
    assert "amount" in q.kinds and q.how_much
    assert not {"比例", "封顶"} & set(q.topic.split()) and "资助" in q.topic.split()
    assert not analyse("手上有专利 能拿去融资不", catalog).how_much  # 能拿去 is "take it to", not "get how much"
    q = analyse("某市到2025年AI企业数量要到多少", catalog)  # 数量 asks a count as 数额 asks a sum
    assert q.how_much and "数量" not in q.topic.split() and "企业" in q.topic.split()


def test_a_question_asking_two_things_has_a_topic_for_each(catalog: Catalog) -> None:
    q = analyse("德清到2022年要建多少个开放创新平台？人才目标呢", catalog)
    assert q.parts == ("建 开放 创新 平台", "人才 目标")
    assert analyse("重庆每年形成几项科技成果、授权多少发明专利", catalog).parts[1] == "授权 发明专利"
    assert analyse("沈阳的智能芯片、智能语音产业有哪些支持", catalog).parts == ()  # a list, asked once
    assert analyse("合肥对企业租房有补贴吗", catalog).parts == ()
    # 啥 and 什么 ask as 哪些 does: "形成一条啥样的产业链 …又要打造个啥体系" asks two things
    q = analyse("无人机这些运载工具 要形成一条啥样的产业链 芯片传感器那边又要打造个啥体系", catalog)
    assert len(q.parts) == 2 and "产业链" in q.parts[0] and "体系" in q.parts[1]
    assert q.loose_parts == q.parts  # asked only with 啥: loosely
    mixed = analyse("政务增效这块 盯哪些热点难点 最后靠AI推动啥", catalog)
    assert len(mixed.parts) == 2 and mixed.loose_parts == (mixed.parts[1],)
    assert analyse("德清到2022年要建多少个开放创新平台？人才目标呢", catalog).loose_parts == ()
    # 哪个 asks as 哪些 does: "…要联合哪个联盟" is a part of its own beside "…让谁来主导"
    which = analyse("湖北AI总规里 国家标准让谁来主导 产学研合作要联合哪个联盟", catalog)
    assert len(which.parts) == 2 and "联盟" in which.parts[1]
    assert analyse("补贴多少？" * 300, catalog).parts == ()  # one thing asked, however often
    many = "租金补贴多少？人才奖励多少？算力补助多少？数据奖补多少？场景资助多少？平台补贴多少？" * 20
    assert len(analyse(many, catalog).parts) == 4  # bounded whatever the question holds


def test_a_piece_naming_nothing_asks_of_the_pieces_before_it(catalog: Catalog) -> None:
    # "…分别定多少" names no thing: it asks of what the words before it name
    q = analyse("沈阳 智能制造产值 到2025 2030分别定多少 专利数量呢", catalog)
    assert len(q.parts) == 2 and "产值" in q.parts[0] and "专利" in q.parts[1]
    # nor does a word no dictionary has, jieba's guess joining a modal and a verb ("能奖多少")
    q = analyse("天津企业评上节能和绿色发展的示范 能奖多少？国家级绿色制造示范呢", catalog)
    assert len(q.parts) == 2 and "节能" in q.parts[0] and "国家级" in q.parts[1]
    # a piece that names a thing of its own keeps its own topic; one asking of the whole ("讲的啥") is no part
    q = analyse("成都细则报项目 人工成本能算进投入多少 跨年的项目能算几年", catalog)
    assert len(q.parts) == 2 and "报" not in q.parts[0].split()
    assert analyse("深圳AI行动计划的专栏6 讲的啥 分几块", catalog).parts == ()


def test_a_piece_set_beside_the_one_before_is_a_part_of_its_own(catalog: Catalog) -> None:
    # "A 或者 B 有啥说法": one question word asks about both A and B
    q = analyse("德清企业搞技术改造 或者申请专利 有啥支持", catalog)
    assert len(q.parts) >= 2 and "技术改造" in q.parts[0] and "专利" in q.parts[1]
    assert not any("或者" in p.split() for p in q.parts)  # the joining word is no topic
    assert "还有" not in " ".join(analyse("合肥的租房补贴多少 还有人才公寓呢", catalog).parts)
    assert analyse("德清企业搞技术改造或者申请专利", catalog).parts == ()  # nothing asked: no parts
    many = "有啥支持 " + " 或者申请专利" * 200
    assert len(analyse(many, catalog).parts) <= 4


def test_a_long_question_of_joined_pieces_is_not_read_past_the_parts_kept(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag import question

    calls = []
    real = question._topic
    monkeypatch.setattr(question, "_topic", lambda *a, **k: calls.append(1) or real(*a, **k))
    pieces = " ".join(f"或者{a}{b}补贴" for a in "甲乙丙丁戊己庚辛壬癸" for b in "子丑寅卯辰巳午未申酉")  # 100 different
    q = question._parts("有啥支持 " + pieces, (), (), catalog)
    assert 2 <= len(q) <= question.MAX_PARTS and len(calls) <= question.MAX_PARTS + 2


@pytest.mark.parametrize("question", ["", "？", "😀", "a" * 3000, "第" * 500, "北京" * 300])
def test_odd_questions_are_analysed_without_error(catalog: Catalog, question: str) -> None:
    analyse(question, catalog)


def test_a_catalog_of_hand_made_documents() -> None:
    docs = [Document("a", "示例市人工智能发展规划（2020—2025年）", "到2022年，规模达到10亿元。", "a.txt", "示例市")]
    policy = Catalog.of(docs, []).policies[0]
    assert policy.type == "发展规划" and policy.years == (2020, 2025)
    # a span's end is a year the policy speaks of: "远期（2026-2030年）" runs it to 2030
    docs = [Document("b", "示例区工作方案", "近期：到2022年建成。远期：建成高地（2026-2030年）。", "b.txt", "示例区")]
    assert Catalog.of(docs, []).policies[0].years == (2022, 2030)


def test_a_quoted_name_stays_one_word_of_the_topic(catalog: Catalog) -> None:
    # jieba cuts 交通大脑 in two; quoted, it is matched whole (its pair 通大 included)
    assert "交通大脑" in analyse("某市要建“交通大脑”，谁来牵头？", catalog).topic.split()
    assert "交通大脑" not in analyse("某市要建交通大脑，谁来牵头？", catalog).topic.split()


def test_a_zone_and_its_city_with_the_same_policies_are_one_place(catalog: Catalog) -> None:
    q = analyse("上海跟光谷这边武汉先导区 说要搞的AI产业基金 各多大", catalog)
    assert [p.region for p in q.known_places] == ["上海市", "武汉市"]  # not 上海, 光谷 and 武汉: three blocks
    assert [p.region for p in analyse("湖北和武汉分别给多少补贴", catalog).known_places] == ["湖北省", "武汉市"]


def test_a_group_setting_the_scene_leaves_the_topic_and_one_asked_about_stays(catalog: Catalog) -> None:
    assert "成渝" not in analyse("成渝那边 重庆的文旅项目谁牵头", catalog).topic
    q = analyse("苏州的实施方案 对长三角要起啥作用", catalog)
    assert "长三角" in q.topic and [p.region for p in q.places] == ["苏州市"], (q.topic, q.places)


def test_the_word_joining_two_places_is_not_part_of_the_topic(catalog: Catalog) -> None:
    for question in ("上海跟深圳的产业规模目标各是多少", "上海和深圳的产业规模目标各是多少"):
        assert analyse(question, catalog).topic == "产业 规模 目标"


def test_words_made_of_function_characters_leave_the_topic(catalog: Catalog) -> None:
    # jieba writes 各给 / 各能 / 还要 as words; made of function characters only, they say nothing of the
    # topic, and a topic padded with them is spelled out by no clause. 拿 and 最多 ask how much is got.
    q = analyse("做AI芯片研发 杭州和长沙最多各能拿多少", catalog)
    assert not {"各能", "拿", "最多"} & set(q.topic.split()) and "芯片" in q.topic and q.how_much
    assert analyse("外省企业来投资 成都还要给啥", catalog).topic.split()[-1] != "还要"
    assert "给予" in analyse("哪些城市给予算力补贴", catalog).topic.split()  # 予 is no function character


def test_every_mention_of_the_place_asked_leaves_the_topic_but_not_a_district_inside_it(catalog: Catalog) -> None:
    # 光谷 and 武汉 are one place: the second name left in the topic was spelled by every 武汉 clause
    q = analyse("在光谷开公司的 武汉给不给租金补贴", catalog)
    assert "武汉" not in q.topic and {"租金", "补贴"} <= set(q.topic.split())
    assert "经开区" in analyse("郑州的航空港区跟经开区分别主攻啥", catalog).topic.split()


def test_conjunctions_and_particles_leave_the_topic(catalog: Catalog) -> None:
    # jieba's dictionary tags 或者 / 还是 as conjunctions and 的话 as a particle: rare in policies, such a word
    # was taken for the question's most specific word, and an item of any grant that spelled the rest passed
    q = analyse("在南京做研发的企业 上市的话 能申请奖励或者补贴不", catalog)
    assert not {"的话", "或者"} & set(q.topic.split()) and {"上市", "奖励", "补贴"} <= set(q.topic.split())
    assert "还是" not in analyse("算力券是发给企业还是高校", catalog).topic.split()
    assert "同步" in analyse("数据和算力同步建设吗", catalog).topic.split()  # an adverb is not of a closed class


def test_which_ones_of_a_count_ask_and_leave_the_topic(catalog: Catalog) -> None:
    # "是哪四个": the numeral asks with 哪 (which four); "四个" is written in a handful of clauses, and taken for
    # the topic's rarest word it decided which item answered
    q = analyse("深圳四大AI核心产业是哪四个", catalog)
    assert "四个" not in q.topic.split() and {"核心", "产业"} <= set(q.topic.split()) and q.count == 4
    assert analyse("重点任务是哪三项", catalog).topic.split() == ["重点", "任务"]
    # "哪几样", "这部分": which ones, and where in the policy, not what about
    assert analyse("拓展应用场景这部分 最后想提升哪几样", catalog).topic.split() == ["拓展", "应用", "场景", "提升"]


@pytest.mark.parametrize("question", ["长沙平台认定办法 重点任务分成哪几块 每块讲啥", "合肥试验区 重点任务有几项 各项是啥"])
def test_words_that_ask_for_each_member_ask_for_a_list_and_leave_the_topic(catalog: Catalog, question: str) -> None:
    q = analyse(question, catalog)
    assert "list" in q.kinds
    assert not {"分成", "每块", "各项"} & set(q.topic.split()) and "重点" in q.topic


def test_a_formula_of_figures_is_the_count_of_its_members(catalog: Catalog) -> None:
    # "1+4": one project and four works, five members; "3+X" and "1+3+N" name no count
    assert analyse("那份规划说要搞个1+4 一共是几个项目工程", catalog).count == 5
    assert analyse("先导区3+X那个布局 说的是啥", catalog).count is None
    assert analyse("全省算力平台的“1+3+N”指什么", catalog).count is None
    assert analyse("四个先导分别是什么", catalog).count == 4


def test_the_measure_word_a_list_is_counted_in(catalog: Catalog) -> None:
    assert analyse("沈阳AI规划 基本原则有几条 分别是啥", catalog).member_word == "条"
    assert analyse("科研前瞻布局分成哪几块", catalog).member_word == "块"
    assert analyse("北京有哪些AI支持政策", catalog).member_word is None
    # what something is to become, asked: the asking verb is no topic word (items say 打造…高地, 建设成为)
    goal = analyse("沈阳那份规划 要把沈阳建成个啥", catalog)
    assert goal.asks_goal and "建成" not in goal.topic
    assert not analyse("沈阳建成了几个开放创新平台", catalog).asks_goal
    assert analyse("想把天津弄成啥样的城市", catalog).asks_goal and "弄成" not in analyse("想把天津弄成啥样的城市", catalog).topic
    # a light verb asked with 咋/怎么 asks how; the same word naming what is planned stays
    assert "安排" not in analyse("AI产业统计 杭州和深圳 各咋安排的", catalog).topic
    assert "安排" in analyse("杭州每年安排多少资金支持AI", catalog).topic
    # two things joined and asked of each ("A和B 各自…"): a part for each, the other left out
    joined = analyse("沈阳那份规划 智能机器人和智能装备两个产业 各自要建成啥", catalog)
    assert joined.each_of_two and len(joined.parts) == 2
    assert "机器人" in joined.parts[0] and "装备" not in joined.parts[0]
    assert "装备" in joined.parts[1] and "机器人" not in joined.parts[1]
    # not without 各自/分别, and places joined are compared instead
    assert not analyse("智能机器人和智能装备有啥支持", catalog).parts
    # each thing with its 的 ("地理信息的跟通航的"); 那俩 names nothing
    de = analyse("德清那俩特色小镇 地理信息的跟通航的 分别要打造成啥", catalog)
    assert de.each_of_two and "地理信息" in de.parts[0] and "通航" in de.parts[1] and "那俩" not in de.topic
    assert not analyse("上海和济南 AI创新平台各定了要建多少个", catalog).each_of_two
    # "各多少" asks a figure of each as 分别 does
    each = analyse("智能物流和智能文创的增加值 目标各多少亿", catalog)
    assert each.each_of_two and "物流" in each.parts[0] and "文创" in each.parts[1]
    # and "各定多少", "各补多少": a verb between 各 and 多少
    each = analyse("2020年智能软件和核心芯片的产业规模各定多少", catalog)
    assert each.each_of_two and "软件" in each.parts[0] and "芯片" in each.parts[1]
    assert not analyse("智能软件和核心芯片的产业规模定了多少", catalog).each_of_two
    # two things listed with 、 whose figure is asked are each asked; three or more are a list, and without a
    # figure asked two are one measure's name ("5G智慧平安社区、社区智慧养老那条 谁负责")
    listed = analyse("上海定的智能驾驶、智能机器人产业规模目标是多少", catalog)
    assert listed.each_of_two and "驾驶" in listed.parts[0] and "机器人" in listed.parts[1]
    assert not analyse("智能制造、智能金融、智能商务的规模各多少", catalog).each_of_two
    assert not analyse("5G智慧平安社区、社区智慧养老那条 谁负责", catalog).each_of_two
    # how many times a figure is asked
    assert analyse("郑州工业机器人普及率要多少？智能网联汽车占比呢", catalog).figures == 2
    # a count in a word no amount is asked in: its members' word ("分几大块", "一共几部分")
    assert analyse("重点任务分几大块 分别是啥", catalog).member_word == "块"
    assert analyse("重点任务一共几部分", catalog).member_word == "部分"
    # a count of things asked beside a question asking no figure ("重点建几个方向 分别叫啥": their names) keeps
    # its word; beside one asking a figure ("…几个方向 投资多少") it names no members' word
    assert analyse("重点建几个方向 分别叫啥", catalog).member_word == "个"
    assert analyse("重点建几个方向 总投资多少", catalog).member_word is None


def test_a_count_asked_is_split_from_what_it_counts_and_from_what_is_asked_besides(catalog: Catalog) -> None:
    # 几大 and the noun counted ("几大行动") is a count too, in that word
    q = analyse("行动计划 重点任务分几大行动 第三个行动里引龙头那项咋说", catalog)
    assert q.asks_count and q.member_word == "大行动"
    assert q.around_count == ("行动计划 重点任务分几大行动", " 第三个行动里引龙头那项咋说")
    assert analyse("郑州规划 列了几个重点工程 都叫啥名", catalog).around_count[0].endswith("几个重点工程")
    assert analyse("北京有哪些AI支持政策", catalog).around_count == ("", "")
    # 几样 counts as 几个 does ("列了几样要建的")
    things = analyse("里面一共列了几样要建的 交易市场算进去吗", catalog)
    assert things.asks_count and things.how_much and things.around_count[0].endswith("几样要建的")
    # a numeral after 前/后/第 picks members out; it is not how many there are
    assert analyse("正文分了几大部分 后三部分叫啥", catalog).count is None
    assert analyse("总共几大部分 前七部分各支持啥方向", catalog).count is None
    assert analyse("四个先导分别是啥", catalog).count == 4


def test_a_layout_named_by_a_formula_is_one_word_and_mentioning_verbs_are_no_topic(catalog: Catalog) -> None:
    assert "3+X" in analyse("武汉先导区方案 3+X那个布局 说的是啥", catalog).topic.split()
    assert "1+3+N" in analyse("湖北算力平台的1+3+N指什么", catalog).topic.split()
    for question in ("哪些地方的AI文件提过智能生产线", "哪些地方的规划里出现了智能服务体系这个提法", "哪些城市的文件写了要建基础创新平台"):
        topic = analyse(question, catalog).topic.split()
        assert not {"提", "提过", "出现", "提法", "写", "写了"} & set(topic), topic


def test_the_count_is_read_as_written(catalog: Catalog) -> None:
    assert analyse("沈阳的六大AI相关产业有哪些", catalog).count_phrase == "六大"
    assert analyse("分哪两块", catalog).count_phrase == "两块"
    assert analyse("有哪些产业", catalog).count_phrase is None


def test_years_are_those_written_as_years_not_inside_names() -> None:
    from rag.question import years_spoken

    assert years_spoken("到2025年，产值突破500亿元") == {2025}
    assert years_spoken("中期（2022-2025）") == {2022, 2025}  # both ends of a span
    assert years_spoken("根据《中国制造2025德清行动计划》等文件精神") == set()  # a year inside a name is none
    assert years_spoken("2019年至2023年") == {2019, 2023}


def test_a_year_written_with_two_digits_is_a_year_not_a_topic_word(catalog: Catalog) -> None:
    q = analyse("苏州到24年 智能车联网要覆盖多少路口", catalog)
    assert q.years == (2024,) and "24" not in q.topic.split()
    q = analyse("规划里的企业数 19年和21年各要几家 孵化器呢", catalog)
    assert q.years == (2019, 2021) and len(q.parts) == 2 and "企业" in q.parts[0]  # the piece of years asks of 企业
    assert analyse("广州20到22年的行动计划 打算咋弄", catalog).years == ()  # the policy's period, written short
    for spans in ("企业成立20年以上有补贴吗", "近20年的政策", "80年代", "3年内给多少"):
        assert analyse(spans, catalog).years == (), spans  # spans of years, not years


def test_a_policy_s_period_written_short_is_no_topic_word(catalog: Catalog) -> None:
    # "20到22年", "19-23行动计划": the years of the policy named, not what is asked; a range of amounts stays
    assert analyse("AI跟区块链一块儿用 广州那份20到22年的行动计划 打算咋弄", catalog).topic == "人工智能 区块 链 一块儿 用"
    assert "19" not in analyse("深圳19-23行动计划 智能制造要建啥平台", catalog).topic.split()
    assert analyse("对30-50万元的项目补多少", catalog).topic.split()[:2] == ["30", "50"]


def test_a_place_a_named_place_s_policies_speak_of_is_part_of_it(catalog: Catalog) -> None:
    # the Hubei plan speaks of 恩施 (no policy of its own): asked beside 湖北, it is part of what is asked about,
    # not a place the index lacks; asked alone, it still is one
    beside = analyse("湖北省里和恩施那边的AI规划 旅游咋搞", catalog)
    assert [p.region for p in beside.places] == ["湖北省"] and not beside.unknown_places
    alone = analyse("恩施的AI规划 旅游咋搞", catalog)
    assert [(p.known, p.text) for p in alone.places] == [(False, "恩施")]
    assert "恩施土家族苗族自治州" in catalog.mentions(next(p.id for p in catalog.policies if p.region == "湖北省"))
