"""Answers over the bundled index with the product's own evidence thresholds (no tiny_thresholds): what a
user of the bundled corpus gets for questions of each kind."""

from __future__ import annotations

import pytest

from rag import evidence
from rag.config import Settings
from rag.evaluate import unsupported_numbers
from rag.pipeline import Pipeline
from rag.question import analyse


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """A pipeline over the bundled index (never a data directory of this checkout); skipped when absent."""
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    if not (settings.index_dir / "manifest.json").exists():
        pytest.skip("no bundled index")
    return Pipeline(settings)


def test_a_which_cities_answer_lists_every_region_that_stands_out(bundled: Pipeline) -> None:
    # 湖北's plan spells the question out word for word; 深圳 and 沈阳 say the same in other words and stand
    # well above the other regions, though more than ELSEWHERE_GAP below 湖北 (a training question)
    answer = bundled.ask("外籍AI人才来工作 出入境居留方面哪些地方给便利")
    first = answer.text.splitlines()[0]
    assert all(place in first for place in ("湖北省", "深圳市", "沈阳市")), first
    assert "杭州市" not in first and "广州市" not in first, first
    assert {c.clause.region for c in answer.citations} >= {"湖北省", "深圳市", "沈阳市"}


def test_a_which_cities_answer_reads_the_measures_name_whole(bundled: Pipeline) -> None:
    # jieba cuts 创新券 into 创新 / 券; read apart, every region that says 创新 spelled the question out and
    # thirteen were listed. Read whole, the regions whose policies name 创新券 stand out.
    answer = bundled.ask("哪些地方给企业发创新券")
    listed = {c.clause.region for c in answer.citations}
    assert {"沈阳市", "济南市", "德清县"} <= listed and len(listed) <= 5, listed


def test_an_item_asked_by_its_number_is_looked_up(bundled: Pipeline) -> None:
    # 苏州's plan numbers its items 1, 2, … across its parts: "第12项" is item 12, and one past the last is
    # refused with the range
    found = bundled.ask("苏州AI试验区实施方案里第12项讲的啥")
    assert found.citations[0].clause.ref.endswith("12") and "文旅" in found.text
    past = bundled.ask("苏州试验区实施方案第40项是什么")
    assert past.refused and "条目编号1—21，没有第四十项" in past.text


def test_a_city_asked_by_another_name_is_searched_by_its_usual_one(bundled: Pipeline) -> None:
    # 蓉城 is 成都; searched as written, it matched 在蓉/来蓉 in talent clauses by meaning
    by_other, by_usual = bundled.ask("蓉城的AI企业租房有补贴吗"), bundled.ask("成都的AI企业租房有补贴吗")
    assert [c.clause.id for c in by_other.citations] == [c.clause.id for c in by_usual.citations]
    assert "房租" in by_other.text


def test_units_asked_of_two_items_are_given_for_each(bundled: Pipeline) -> None:
    # 合肥 三（三）6 gives each of its projects its own units note: one line of units would be wrong for one
    assert bundled.ask("合肥南艳湖机器人小镇这事谁来负责").text.startswith("责任单位：经开区管委会[")
    answer = bundled.ask("合肥南艳湖机器人小镇谁负责 自动驾驶试验区呢")
    first = answer.text.splitlines()[0]
    assert "南艳湖机器人小镇（责任单位：经开区管委会）" in first, first
    assert "自动驾驶试验区（责任单位：市经信局、市公安局" in first, first


def test_units_come_from_a_found_item_that_has_them(bundled: Pipeline) -> None:
    p = bundled
    # 深圳's 专栏1 describes the research task without units; its task list (三（一）1) names them
    answer = p.ask("深圳自主协同控制与优化决策是哪些部门负责的")
    assert answer.text.startswith("责任单位：市科技创新委["), answer.text
    assert {"专栏1", "三（一）1"} <= {c.clause.ref for c in answer.citations}


def test_a_how_much_answer_states_a_figure_left_out_only_by_the_clause_cut(bundled: Pipeline) -> None:
    # the two best clauses of 苏州's 若干意见 state no figure; its 五12 states the yearly funds and scores
    # as near the best item as they do
    answer = bundled.ask("一区两中心 苏州每年给多少经费")
    assert answer.text.startswith("全市每年统筹安排100亿经费["), answer.text
    assert "五12" in {c.clause.ref for c in answer.citations}


def test_an_article_asked_by_number_starts_with_its_heading(bundled: Pipeline) -> None:
    # 长沙's 暂行办法 第六条 is its heading sentence and three items, each a clause of its own
    answer = bundled.ask("长沙暂行办法第六条讲的啥")
    lines = answer.text.splitlines()
    assert lines[0].endswith("第六条 提出认定申请的“开放创新平台”应同时具备以下基本条件[1]"), lines[0]
    assert [c.clause.ref for c in answer.citations][:3] == ["第六条（一）", "第六条（二）", "第六条（三）"]


def test_a_comparison_asking_how_much_gives_each_place_its_figures(bundled: Pipeline) -> None:
    # 长沙's 三年行动计划 item on standards scores high but states no amount; its 意见 三（三） states them
    answer = bundled.ask("长沙和黄埔 企业牵头制定国家标准各奖多少钱")
    changsha = answer.text.split("【广州市黄埔区】")[0].splitlines()
    assert "100万元、50万元、20万元" in changsha[1], changsha  # the place's first item states its figures


def test_a_how_much_question_about_two_things_says_each_figure_first(bundled: Pipeline) -> None:
    # 武汉's 细则 一（一） states three amounts; its first (20万元 per firm certified high-tech) is neither asked
    first = bundled.ask("武汉孵化载体里AI企业攒够30家奖多少？新认定的国家级孵化器呢").text.splitlines()[0]
    assert "200万元、100万元、50万元" in first and "达到30家的创业孵化载体，给予100万元" in first, first
    assert "每认定1家" not in first, first


def test_an_item_number_past_the_last_says_how_far_the_items_go(bundled: Pipeline) -> None:
    # 济南's 若干政策 numbers its items 1–14 across seven parts (一、二……)
    answer = bundled.ask("济南若干政策第20条讲什么")
    assert answer.refused and "共7部分，条目编号1—14，没有第二十条" in answer.text, answer.text
    assert answer.text.count("\n[") == 1 and "七14" in answer.citations[0].clause.citation  # what it ends with
    assert "共15条，没有第十六条" in bundled.ask("中关村十五条第十六条").text  # articles: their count says it
    # items numbered (一)…(十六) across five parts; a plan whose parts each start again at 1 gets no range
    assert "条目编号（一）—（十六），没有第十八条" in bundled.ask("湖北实施意见第十八条").text
    assert "条目编号" not in bundled.ask("湖北总体规划第九十条").text


def test_a_comparison_side_says_which_entry_each_item_describes(bundled: Pipeline) -> None:
    # principles are entries named in items of their own ("开放合作。" then "加强招商引资…"): each side names them
    answer = bundled.ask("讲开放的那条基本原则 郑州的AI产业规划跟湖北的AI总规各咋说")
    zhengzhou, hubei = answer.text.split("【湖北省】")[:2]
    assert "开放合作[1]；加强招商引资" in zhengzhou, zhengzhou
    assert "开放创新[2]；倡导开放共享理念" in hubei, hubei


def test_a_run_of_parts_cut_between_two_parts_of_a_clause_comes_whole(bundled: Pipeline) -> None:
    # 沈阳's 专栏15 is cut into parts after "…下肢瘫痪等病人进行康复训练；": the run goes on in the next part
    answer = bundled.ask("沈阳AI长远规划里那个下肢康复的机器人 是给啥样的病人用的 除了陪着练还带哪些智能本事")
    assert "下肢瘫痪" in answer.text and "智能辅助诊断与评估功能" in answer.text, answer.text


def test_how_a_policy_opens_is_answered_with_its_own_preamble(bundled: Pipeline) -> None:
    # 湖北's 总体规划 opens with the notice issuing it, then the plan's own preamble: the latter is the opening
    answer = bundled.ask("湖北20到30那份AI总规 开篇怎么说AI的分量 为啥要出这份规划")
    assert "引领性力量" in answer.text and "制定本规划" in answer.text, answer.text
    assert "印发给你们" not in answer.text and [c.clause.ref for c in answer.citations] == ["序言"]


def test_what_a_defined_term_means_is_answered_with_its_definition(bundled: Pipeline) -> None:
    # 武汉's 细则 defines 人工智能产品 in a clause retrieval ranks below others on the products' use
    answer = bundled.ask("武汉试验区政策细则里 人工智能产品具体指哪些")
    assert "人工智能芯片、人工智能传感器、智能机器人" in answer.text and [c.clause.ref for c in answer.citations] == ["一（三）2"], answer.text
    answer = bundled.ask("武汉细则里说的人工智能企业是指啥")
    assert answer.text.count("[1]") == 1 and "指以拥有自主知识产权的人工智能软件" in answer.text, answer.text


def test_an_entry_of_a_box_named_by_its_number_is_the_answer(bundled: Pipeline) -> None:
    # 专栏16 of 沈阳's plan has six numbered entries: the first is answered, not the box whole
    answer = bundled.ask("沈阳18到30年AI规划 专栏16第1项要攻哪些关键技术")
    assert answer.text.startswith("《沈阳市新一代人工智能发展规划(2018-2030年)》专栏16 第1项：1.智能机器人示范工程：攻克机器人系统集成")
    assert "智能装备示范工程" not in answer.text and [c.clause.ref for c in answer.citations] == ["专栏16"]
    assert not answer.refused
    past = bundled.ask("沈阳18到30年AI规划 专栏16第9项讲啥")
    assert past.refused and "专栏16共6项，没有第9项" in past.text, past.text


def test_a_box_or_an_item_past_the_last_says_how_far_the_boxes_or_items_go(bundled: Pipeline) -> None:
    # boxes (专栏) are numbered apart from the parts: their own count says it
    assert "共有专栏1—8，没有专栏12" in bundled.ask("德清规划专栏12说了啥").text
    # 长沙's plan numbers items 1, 2, … again in each part, up to 20: 第3项 is ambiguous, 第40项 is in no part
    past = bundled.ask("长沙三年行动计划第40项讲的啥")
    assert past.refused and "各部分的条目编号最多到20，没有第四十项" in past.text, past.text
    assert "最多到" not in bundled.ask("长沙三年行动计划第3项讲的啥").text

    # （四） in two parts of 北京's 指导意见 (二（四）, 三（四）): it exists, which one is asked is not said
    both = bundled.ask("北京指导意见（四）讲啥")
    assert "有2处（四）：二（四）、三（四）" in both.text and "没有（四）" not in both.text, both.text
    assert [c.clause.ref for c in both.citations] == ["二（四）", "三（四）"]
    # the heading a question names picks one: 三、保障措施 holds 三（四）
    assert bundled.ask("北京指导意见 保障措施（四）讲的啥").citations[0].clause.ref == "三（四）"


def test_a_list_its_heading_announces_is_the_answer_whole_and_in_order(bundled: Pipeline) -> None:
    # "第二十四条 申请办公用房补贴的人工智能企业应符合以下条件" heads three numbered conditions; the question
    # asks what they are without "哪些", and the best-scoring item is only one of them
    answer = bundled.ask("黄埔 办公用房补贴 申请要符合什么条件")
    assert [c.clause.ref for c in answer.citations] == ["第二十四条（一）", "第二十四条（二）", "第二十四条（三）"]
    assert answer.text.startswith("第二十四条 申请办公用房补贴的人工智能企业应符合以下条件[1]：")
    # a question one member spells out better than the heading asks about that member, which leads
    one = bundled.ask("黄埔办公用房补贴 企业要承诺几年不转租")
    assert one.text.startswith("在我区租用或购置办公用房且自用于办公的，且企业须承诺10年内")  # not mid-sentence
    assert one.citations[0].clause.ref == "第二十四条（三）"
    # a heading that announces no list, or does not spell the question out, changes nothing
    other = bundled.ask("长沙开放创新平台 立项程序第一步是啥")
    assert not other.text.startswith("第七条")


def test_a_list_under_a_heading_the_question_names_comes_whole_with_its_count(bundled: Pipeline) -> None:
    # "（三）基本原则" heads four numbered principles; the question counts them and asks what each is
    answer = bundled.ask("沈阳AI发展规划2018-2030 基本原则有几条 分别是啥")
    assert [c.clause.ref for c in answer.citations] == ["一（三）1", "一（三）2", "一（三）3", "一（三）4"]
    assert answer.text.startswith("共四条：创新驱动[1]；融合发展[2]；开放合作[3]；统筹推进[4]。"), answer.text
    assert "没有规定具体数额" not in answer.text
    # members whose title is a short line they go on after ("1.坚持顶层设计，系统布局。") are named by it too
    principles = bundled.ask("马桥试验区方案的基本原则是哪几条")
    assert principles.text.startswith("共四条：坚持顶层设计，系统布局[1]；坚持人才集聚，驱动创新[2]；")
    # articles whose first lines are sentences have no titles to count: no count line
    assert not bundled.ask("广州AI与数字经济试验区产业导则 总则有哪几条").text.startswith("共")
    # the best clause heads a list of its own (三（二）1…6): the list asked is the one beside it
    tasks = bundled.ask("合肥试验区方案 重点任务分成哪几块")
    assert [c.clause.ref for c in tasks.citations] == ["三（一）", "三（二）", "三（三）", "三（四）", "三（五）"]
    assert tasks.text.startswith("共五块：强化前沿基础理论研究[1]；")
    # parts of a section whose headings have no text of their own ("（一）构建人工智能技术创新体系" heads 1.–4.):
    # the best item lies two headings down; the count and the names are the headings under 四、重点任务
    parts = bundled.ask("西安试验区行动方案的重点任务 一共几部分")
    assert parts.text.startswith("共五部分：构建人工智能技术创新体系[1]；促进人工智能产业集聚发展[2]；"), parts.text
    assert [c.clause.ref[:3] for c in parts.citations] == ["四（一", "四（二", "四（三", "四（四", "四（五"]
    # some parts have text of their own (（一）创新平台建设工程), some only numbered clauses under them
    works = bundled.ask("郑州AI产业发展规划 重点工程有几项")
    assert works.text.startswith("共五项：创新平台建设工程[1]；骨干企业培育工程[2]；重点项目建设工程[3]；"), works.text
    # a question about one member is not answered with the list
    one = bundled.ask("沈阳AI发展规划2018-2030 开放合作那条原则 讲的啥")
    assert one.citations[0].clause.ref == "一（三）3" and not one.text.startswith("共")


def test_which_places_mention_a_phrase_are_those_whose_policies_write_it(bundled: Pipeline) -> None:
    # 专利池 is written in four cities' policies; a question asking who mentions it gets those four, each
    # with an item that writes it, and no city whose policies only come near it in meaning
    answer = bundled.ask("哪些地方的AI政策提到专利池")
    assert not answer.refused
    assert {c.clause.region for c in answer.citations} == {"深圳市", "苏州市", "郑州市", "长沙市"}
    assert all("专利池" in c.clause.text for c in answer.citations)
    # a question that does not ask who mentions it is answered by what the places provide
    # (evidence.providing), not by a phrase; what is mentioned is what follows the verb, up to a pause
    catalog = bundled.index.catalog
    assert bundled.extractive._mentioning(analyse("哪些地方的AI政策提到专利池", catalog))
    assert bundled.extractive._mentioning(analyse("哪些地方支持建专利池", catalog)) == {}
    # "文件里有X" asks who writes X, as "提到X" does
    held = evidence.named_measure(analyse("哪些城市的AI文件里有专利池", catalog))  # the measure's name read whole, as asked
    assert set(bundled.extractive._mentioning(held)) == {"深圳市", "苏州市", "郑州市", "长沙市"}
    apart = bundled.extractive._mentioning(analyse("哪些地方提到专利 还有池子", catalog))
    assert apart and all("专利" in s.text for items in apart.values() for s in items)


def test_a_question_asking_two_things_is_answered_when_one_part_is(bundled: Pipeline) -> None:
    # 德清's plan states its talent target but no count of open innovation platforms: the whole question
    # scores below the evidence threshold, its second part asked alone does not
    answer = bundled.ask("德清到2022年要建多少个AI开放创新平台？人才目标呢")
    assert not answer.refused and "70名" in answer.text
    assert {c.clause.doc_title for c in answer.citations} == {"德清县新一代人工智能应用县发展规划"}


def test_each_part_gets_its_own_best_item_though_another_part_s_item_spells_its_words(bundled: Pipeline) -> None:
    # the item answering the second part (细分龙头) also says 每年, the first part's most specific word;
    # the first part's own item (深度应用场景) is another and is cited too
    answer = bundled.ask("合肥试验区 每年出几个深度应用场景？每年培育几家细分龙头")
    assert "深度应用场景" in answer.text and "细分领域的龙头企业" in answer.text
    assert {c.clause.ref for c in answer.citations} >= {"二（二）", "二（三）"}
    assert unsupported_numbers(answer, "") == []


def test_a_part_asking_of_a_kind_of_what_both_parts_name_gets_its_own_item(bundled: Pipeline) -> None:
    # "天使投资基金" and "产业子基金" both write 基金: the second part is the 子基金's own item, not the first's
    answer = bundled.ask("长沙市设的AI天使投资基金规模多少？子基金呢")
    first = answer.text.splitlines()[0]
    assert "1亿元" in first and "100亿元" in first, first


def test_a_list_counted_as_the_question_counts_it_is_the_enumeration_that_says_the_count(bundled: Pipeline) -> None:
    # "六大相关产业" is listed inline in one item of the three-year plan; the long-term plan's section on
    # 相关产业 scores higher by meaning but names two of them and no count
    answer = bundled.ask("沈阳那六大相关产业 具体哪六个")
    assert all(x in answer.text for x in ("智能机器人", "智能装备", "智能运载工具", "智能物流", "智能家居"))
    assert [c.clause.ref for c in answer.citations] == ["二（三）7"]


def test_a_how_much_question_gets_no_figure_of_a_sentence_that_does_not_bear_on_it(bundled: Pipeline) -> None:
    # 郑州's 产业现状 clause mentions the 超算中心 and, in another sentence, "80%以上人工智能企业集中在郑州市":
    # that is not what the subsidy question asks, and no clause states a subsidy for it
    answer = bundled.ask("郑州用国家超算中心的算力 政府补贴多少钱")
    assert answer.text.splitlines()[0] == "相关条款没有规定具体数额或比例，条款内容如下："
    assert "80%" not in answer.text and "超算中心" in answer.text


def test_whom_to_ask_comes_from_the_consulting_entry_closing_the_measure_and_is_cited(bundled: Pipeline) -> None:
    # 成都's 细则 sets out a measure as "1.申报条件 2.支持标准 3.申报材料 4.政策咨询"; the last names the office
    # and number without a units label. Asked for the materials and the phone, the answer names them and cites
    # the entry that says them (every number of an answer is in a clause it cites).
    answer = bundled.ask("成都AI融合应用创新项目补助 申报要交哪些材料 有问题打啥电话")
    first = answer.text.splitlines()[0]
    assert "市经信局信息化推进处" in first and "61885818" in first, first
    assert any("61885818" in c.clause.text for c in answer.citations), answer.text
    assert "没有写明责任单位" not in answer.text


def test_a_body_named_after_you_is_the_unit_and_a_clause_naming_bodies_is_never_said_to_name_none(bundled: Pipeline) -> None:
    # 黄埔's 第四条 has no units note: "由区科技行政主管部门建立本区人工智能企业（机构）库" says who builds it
    answer = bundled.ask("黄埔AI企业机构库归哪个部门管")
    assert answer.text.splitlines()[0].startswith("由区科技行政主管部门建立"), answer.text
    # 德清's plan names the bodies it sets up in its own words ("拟成立智能经济发展局"): no line saying it names none
    setup = bundled.ask("德清建AI应用县 统筹的机构是哪个部门")
    assert "没有写明责任单位" not in setup.text and "智能经济发展局" in setup.text


def test_an_item_opening_a_dash_entry_comes_with_the_rest_of_its_entry(bundled: Pipeline) -> None:
    # "——基本形成…深度应用（Application）格局。" opens an entry whose next sentence holds the figures
    answer = bundled.ask("上海推动AI的实施意见 人工智能深度应用格局 具体目标是啥")
    assert "基本形成与超大型城市运行相适应的人工智能深度应用" in answer.text
    assert "打造6个左右人工智能创新应用示范区" in answer.text
    # the entry ends where the next "——" begins
    assert "科技创新（Innovation）能力" not in answer.text


def test_a_year_whose_items_stand_far_below_the_best_item_still_gets_an_answer_not_an_empty_one(bundled: Pipeline) -> None:
    # the best item is of no year; the 2022 items all scored more than KEEP_WITHIN below it, and the answer
    # was empty (neither refused nor cited): the best 2022 item that passes the threshold answers
    answer = bundled.ask("湖北AI总体规划 到2022年关键技术突破 具体要达到啥")
    assert not answer.refused and answer.citations
    assert "关键技术实现多点突破" in answer.text and "神经网络芯片" in answer.text




def test_a_quoted_name_the_named_place_never_writes_is_not_covered_there(bundled: Pipeline) -> None:
    # 成都's policies share 核心 and 环 with the question but never write “一核四环”, which is 苏州's
    answer = bundled.ask("成都“一核四环”指的是什么")
    assert answer.refused and answer.text.splitlines()[0] == "成都市的政策没有提到“一核四环”。"
    assert answer.text.splitlines()[2].startswith("· 苏州市 《苏州市建设国家新一代人工智能创新发展试验区实施方案》三（一）1：“一核四环”即")
    found = bundled.ask("苏州的“一核四环”是啥")
    assert not found.refused and "苏州工业园区为核心先导区" in found.text
    assert bundled.ask("“AI飞地”是什么意思").citations  # the policies write 飞地: AI is what the user adds
    nowhere = bundled.ask("“数字孪生飞轮”是什么意思")
    assert nowhere.refused and nowhere.text.startswith("所收录的政策都没有提到“数字孪生飞轮”。")


def test_a_comparison_of_a_quoted_name_gives_a_place_that_never_writes_it_only_its_nearest_item(bundled: Pipeline) -> None:
    answer = bundled.ask("苏州和成都的“一核四环”分别是啥")
    assert "苏州工业园区为核心先导区" in answer.text
    assert "【成都市】未找到直接规定这一方面的条款" in answer.text
    # a comparison of two things, one of them quoted, keeps each policy's item for the other
    two = bundled.ask("湖北两份AI文件里，分别点名了哪些城市做智慧城市试点和“车路云一体化”试点？")
    assert "未找到" not in two.text.split("【《湖北省新一代人工智能发展总体规划")[1].splitlines()[0]


def test_a_question_asking_what_a_place_is_to_become_is_answered_by_the_item_saying_it(bundled: Pipeline) -> None:
    # "建成啥" asks; the policy says it as "努力打造人工智能产业集群和创新高地": the asking verb is no topic word
    # that an item must spell, and an item saying what something is to become fits the question's kind
    answer = bundled.ask("北京AI指导意见 要把北京建成啥")
    assert not answer.refused, answer.text
    assert "打造人工智能产业集群和创新高地" in answer.text
    assert answer.citations[0].clause.ref == "一（一）"
    # the clause's heading says it ("3.打造智慧港口的国家级示范区。"): headings are not scored, yet it is the answer
    port = bundled.ask("天津试验区 智慧港口这块 要打造成啥")
    assert "打造智慧港口的国家级示范区" in port.text, port.text


def test_two_things_joined_and_asked_of_each_get_each_its_own_item(bundled: Pipeline) -> None:
    # "智能物流和智能家居 各自…": the item that names both in passing (the table of six industries) answers
    # neither; each gets the best item of its own (专栏12 智能物流, 专栏13 智能家居)
    answer = bundled.ask("沈阳2030规划里 智能物流和智能家居 各自打算怎么发展")
    refs = {c.clause.ref for c in answer.citations}
    assert {"专栏12", "专栏13"} <= refs, answer.text
    assert "智能物流" in answer.text and "智能家居" in answer.text


def test_an_item_opening_on_a_stray_comma_of_its_source_is_shown_without_it(bundled: Pipeline) -> None:
    # 长沙's 若干政策 二（二） reads "…招大引强。，引进行业内…": the item after the heading opens on the comma
    answer = bundled.ask("长沙招大引强 资本性支出不低于1亿元的AI企业 最高奖多少")
    line = next(x for x in answer.text.splitlines() if "二（二）" in x and x.startswith("·"))
    assert "二（二）：引进行业内" in line, line


def test_a_question_counting_a_policy_s_parts_gets_its_top_level_headings(bundled: Pipeline) -> None:
    # the policy is named and no section of it: its own parts, counted and named, each cited by a clause
    # under it; 前七 is a count, not a slip for 前期
    answer = bundled.ask("天津那份进一步支持发展智能制造的政策措施 正文一共几大部分 前七部分都讲啥")
    first = answer.text.splitlines()[0]
    assert first.startswith("共九部分：支持企业智能化升级[1]；支持工业互联网发展[2]"), first
    assert not answer.refused and not answer.notices
    assert [c.clause.ref[0] for c in answer.citations] == list("一二三四五六七八九")  # a clause of each part
    # a part the count line names is not repeated below it when nothing more of it is shown
    assert "支持企业智能化升级" not in "\n".join(answer.text.splitlines()[1:])
    # "第几部分" keeps the parts' numbers
    numbered = bundled.ask("济南AI试验区建设若干政策 分成几部分 讲金融支持的是第几部分")
    assert "五、加大对人工智能企业的金融支持力度[" in numbered.text.splitlines()[0], numbered.text


def test_a_count_of_a_thing_a_policy_writes_of_is_not_a_count_of_its_parts(bundled: Pipeline) -> None:
    # 发展体系, written after the policy's name, is what its 指导思想 builds, not the policy's five parts
    answer = bundled.ask("上海推动新一代AI发展那份实施意见里 想搭起来的发展体系由几块组成")
    assert not answer.refused and not answer.text.startswith("共五块"), answer.text
    assert "应用驱动、科技引领、产业协同、生态培育、人才集聚" in answer.text
    # words before the policy's type word may name it: "一区两中心建设的那份意见 正文分了几大部分" counts its parts
    parts = bundled.ask("苏州支持一区两中心建设的那份意见 正文分了几大部分")
    assert parts.text.startswith("共七部分："), parts.text


def test_entries_a_clause_names_are_not_counted_for_a_noun_they_are_not(bundled: Pipeline) -> None:
    # 三（一）2（2） names 智能给水设施 … 清洁能源 as entries; the question counts data, not facilities
    answer = bundled.ask("德清智能生态城建海棉城市 那个智能分析平台要盯几类数据 都是啥")
    assert not answer.text.startswith("共五类"), answer.text


def test_entries_are_counted_for_a_count_in_a_measure_word_when_no_item_states_a_figure(bundled: Pipeline) -> None:
    # 德清's 三（二） names its 示范基地 in items of their own, in two parts of the clause, and no figure counts
    # them: "一共有几个" is answered by the entries ending on the word the question writes (示范基地), not by the
    # 小镇 the same clause goes on to name
    answer = bundled.ask("德清规划 建的特色应用示范基地一共有几个")
    first = answer.text.splitlines()[0]
    assert first.startswith("共七个：智能制造示范基地[1]；"), first
    assert "智能旅游示范基地" in first and "小镇" not in first, first


def test_each_thing_a_question_asks_with_sha_is_answered_from_its_clause(bundled: Pipeline) -> None:
    # 西安's 四（二）5 says what chain the vehicles form and, in another item, what 智能硬件 is to build
    answer = bundled.ask("西安试验区方案 智能运载工具要形成啥样的产业链 智能硬件那边打造个啥体系")
    assert "完整产业链" in answer.text and "器芯协力的人工智能产品体系" in answer.text, answer.text


def test_a_part_asked_only_with_sha_takes_no_other_clause(bundled: Pipeline) -> None:
    # "主要打啥零件" says on what the device is for: 二（二）4's "核心零部件" (another clause) is beside the point
    answer = bundled.ask("沈阳2030规划 激光熔融3D打印设备是干啥用的 主要打啥零件")
    assert "大型金属结构件" in answer.text and "零部件" not in answer.text, answer.text
    assert {c.clause.ref for c in answer.citations} == {"专栏15"}


def test_the_one_thing_asked_besides_a_sha_part_is_answered_by_the_question_s_own_items(bundled: Pipeline) -> None:
    # "花多少钱以上才能申请补助" is what is asked; "参展之前要先干啥" says on: 第二十七条 (who applies for 本章's
    # grants), found for 申请 alone, is no answer and no first line
    answer = bundled.ask("黄埔AI公司去参加展销会 花多少钱以上才能申请补助 参展之前要先干啥")
    assert "第二十七条" not in {c.clause.ref for c in answer.citations}, answer.text
    assert "1万元以上" in answer.text.splitlines()[0], answer.text


def test_a_part_asked_only_with_sha_is_no_second_thing_asked_of_a_clause_named(bundled: Pipeline) -> None:
    # 第十条 named: its item the question asks about comes first, though "让企业做到啥" says on
    answer = bundled.ask("琶洲导则第十条 往哪些领域开放AI应用场景 想让企业做到啥")
    assert answer.text.startswith("面向智慧城市、智能制造、智慧金融、智慧医疗等领域"), answer.text


def test_a_count_is_of_the_enumeration_that_closes_on_what_is_counted(bundled: Pipeline) -> None:
    # the best clause enumerates six directions ("…智慧教育和智慧安防等方向") though its list heads five entries
    directions = bundled.ask("沈阳2030规划 智慧城市建设 重点有几个方向 各叫啥")
    assert directions.text.startswith("共六个：重点建设智慧政务、"), directions.text
    # "关键共性技术" closes the enumeration counted; the list the clause heads ("突破共性技术" is one) is not it
    tech = bundled.ask("郑州AI规划 关键共性技术要重点掌握几项")
    assert tech.text.startswith("共四项：重点掌握混合增强智能新架构和新技术、"), tech.text
    # 五大路线 names one route 筑平台: its five entries are not five kinds of platform
    platforms = bundled.ask("德清应用县规划 筑平台那条路线 要搭几类平台")
    assert platforms.text.startswith("共五类：集聚一批高端的技术研发平台、"), platforms.text


def test_a_formula_a_question_writes_counts_the_list_it_names(bundled: Pipeline) -> None:
    # 沈阳's "实施“1+4”重大科技项目和重大工程" heads five numbered clauses: the count and their names
    answer = bundled.ask("沈阳2030规划里的1+4 总共几个项目和工程 分别叫啥")
    assert answer.text.startswith("共五个：新一代人工智能重大项目[1]；"), answer.text


def test_a_part_of_one_long_word_is_answered_alone(bundled: Pipeline) -> None:
    # "独角兽有啥说法" asks one thing of one word; three characters name a thing, and the 湖北 plan writes it
    # (the whole question, its first part a paraphrase, scores under the floor)
    answer = bundled.ask("湖北总规扶持AI创业企业 孵化重点放本省哪些强项领域 独角兽有啥说法")
    assert not answer.refused and "实施独角兽企业培育计划" in answer.text, answer.text


def test_a_count_of_a_section_s_parts_keeps_what_else_the_question_asks(bundled: Pipeline) -> None:
    # the count names the section (重点任务, counted in 大行动); what is asked after it (the 龙头 item of one
    # action) is answered under the count line
    answer = bundled.ask("广州20-22年AI产业行动计划 重点任务有几大行动 其中第三个行动对龙头企业咋说的")
    lines = answer.text.splitlines()
    assert lines[0].startswith("共五大行动：基础创新提升行动["), lines[0]
    assert any("龙头企业" in line for line in lines[1:]), answer.text


def test_what_a_which_places_question_says_is_mentioned_follows_its_verb(bundled: Pipeline) -> None:
    # the phrase after 提过/出现了/写了 is what is mentioned; the words after it ("各放在啥场景里") ask about it
    for question, places in (
        ("哪些地方的AI文件里提过智能生产线 都用在啥地方", {"沈阳市", "德清县"}),
        ("哪些城市的规划里出现了智能服务体系这个提法", {"德清县", "湖北省"}),
    ):
        answer = bundled.ask(question)
        assert {c.clause.region for c in answer.citations} == places, answer.text
    # a word after the verb that is not the measure asked ("要写了明确比例的") is not what is mentioned
    answer = bundled.ask("哪些地方给AI企业贷款贴息 要写了明确比例的")
    assert "明确可考核" not in answer.text and {"济南市", "长沙市"} <= {c.clause.region for c in answer.citations}, answer.text


def test_who_decides_on_an_application_is_the_body_the_clause_names_after_jing(bundled: Pipeline) -> None:
    # "经市经信局认定后，纳入…目录": the unit asked; the measure's 政策咨询 office is not asked for
    answer = bundled.ask("成都细则 公共服务平台能进重点平台目录 是哪个部门来认定")
    assert answer.text.startswith("经市经信局认定["), answer.text
    assert "咨询电话" not in answer.text


def test_an_entry_named_in_an_item_of_its_own_is_answered_with_what_describes_it(bundled: Pipeline) -> None:
    # 深圳's 专栏16 writes each zone's name as an item ("深港科技创新合作区。") and its plan as the next one: a
    # question about one zone gets its own plan after its name, and a zone's plan comes after its name
    answer = bundled.ask("深圳行动计划 深港科技创新合作区 要打造成什么")
    assert "深港科技创新合作区[" in answer.text and "智能经济和智能社会试验区" in answer.text, answer.text
    yantian = bundled.ask("深圳盐田人工智能产业基地 重点发展啥")
    assert "盐田人工智能产业基地[" in yantian.text and "人工智能技术资源开放平台" in yantian.text, yantian.text


def test_a_long_item_keeps_what_it_says_a_place_is_to_become_when_that_is_asked(bundled: Pipeline) -> None:
    # 天津's 总体思路 is one long sentence; cut to the question's words it lost "打造人工智能应用创新先锋城市"
    answer = bundled.ask("天津试验区行动计划的总体思路 要把天津搞成啥样的城市")
    assert "打造人工智能应用创新先锋城市" in answer.text, answer.text


def test_entries_a_clause_names_in_items_of_their_own_are_counted_when_a_count_is_asked(bundled: Pipeline) -> None:
    # 德清's 生态智能治理 names four kinds of pollution control, each in an item of its own before what it does
    answer = bundled.ask("德清规划里智能生态城的生态智能治理 污染控制分几类")
    assert answer.text.startswith("共四类：水环境控制[1]；大气污染控制[1]；噪声污染控制[1]；固废污染控制[1]。"), answer.text
    # 广州's 第九条 writes its entries after dashes, the last at the end of the clause's first part
    dashed = bundled.ask("广州人工智能与数字经济试验区产业导则 促进高效协同发展的那条 分了几块")
    assert dashed.text.startswith("共三块：打造区域协同生态["), dashed.text
    assert "优化协同创新机制[" in dashed.text.splitlines()[0]


def test_two_things_joined_with_their_de_are_each_answered_with_what_describes_them(bundled: Pipeline) -> None:
    # "地理信息的跟通航的": two things (each with its 的) asked of each; each part's own item is an entry's name,
    # and what it names comes with it
    answer = bundled.ask("德清那俩特色小镇 地理信息的跟通航的 各自要打造成什么")
    assert "全国地理信息科技创新中心" in answer.text and "航空研发基地" in answer.text, answer.text


def test_a_count_of_a_policys_section_named_by_where_it_stands_lists_its_parts(bundled: Pipeline) -> None:
    # "最后那部分" says where the section stands, no topic: 深圳's 四、保障措施 has four parts
    first = bundled.ask("深圳AI行动计划最后那部分保障措施 有几条 各叫啥").text.splitlines()[0]
    assert first.startswith("共四条：加强组织协调[") and "完善法治环境[" in first, first


def test_a_count_an_item_enumerates_is_counted_from_its_enumeration(bundled: Pipeline) -> None:
    # 沈阳's 三年行动计划 三 names six 方面 in one enumeration closed by 等方面
    first = bundled.ask("沈阳三年行动计划的工作措施 政策法规改革创新涉及几个方面").text.splitlines()[0]
    assert first.startswith("共六个方面：") and "营商环境等方面[" in first, first
    # a count a clause states as a figure is that figure, not an enumeration beside it
    first = bundled.ask("郑州规划 智能物流示范园区到2025年建几家").text.splitlines()[0]
    assert "3家" in first and not first.startswith("共"), first


def test_a_count_of_things_named_after_the_count_is_of_the_members_ending_on_that_word(bundled: Pipeline) -> None:
    # 德清's 筑平台 route names five 平台 in one sentence, under a heading that lists the five routes
    first = bundled.ask("德清应用县规划里 筑平台这条路线 打算集聚几类平台").text.splitlines()[0]
    assert first.startswith("共五类：") and "科技服务平台[" in first, first
    # 广州's 导则: 鱼珠 is to form five 基地, named in one sentence of 第五条
    first = bundled.ask("广州琶洲那个导则 鱼珠那边最后要形成几个产业基地").text.splitlines()[0]
    assert first.startswith("共五个：") and "基础软件战略基地[" in first, first
    # when that sentence is not found, 鱼珠's peers ("琶洲、…、鱼珠等连片区域") and the area are no count of 基地
    first = bundled.ask("广州试验区导则 鱼珠片区要形成几个基地").text.splitlines()[0]
    assert not first.startswith(("共", "总面积")), first


def test_units_asked_with_colloquial_words_are_those_of_the_item_named(bundled: Pipeline) -> None:
    # 沈阳's 三年行动计划 二（一）1 closes on "[责任部门：市科技局、经济和信息化委，各区、县(市)政府]"
    answer = bundled.ask("沈阳AI三年行动计划里头 实施重大项目那条 归哪些部门管")
    first = answer.text.splitlines()[0]
    assert "市科技局" in first and "经济和信息化委" in first and "未涉及" not in first, first
    # another clause near it in score (一（二）4 writes 实施重大项目 too) names no units: not shown
    assert {c.clause.citation for c in answer.citations} == {"《沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)》二（一）1"}, answer.text


def test_a_part_asking_who_is_answered_too(bundled: Pipeline) -> None:
    # 黄埔's 细则: 第十八条 says where the 并购 materials go, 第十九条 who judges 相关度
    answer = bundled.ask("黄埔细则里 并购贷款贴息的材料交给哪个部门 并购的相关度谁来认定")
    assert "区金融主管部门" in answer.text and "区科技行政主管部门委托专业机构认定" in answer.text, answer.text
    assert any("第十九条" in c.clause.citation for c in answer.citations), answer.text


def test_a_which_places_question_saying_ti_le_asks_who_writes_the_phrase(bundled: Pipeline) -> None:
    # "提了" says "mentioned" as 提到 does: 德清 and 郑州 write 网络协同制造, no other place does
    answer = bundled.ask("哪些地方的AI规划提了网络协同制造")
    assert {c.clause.region for c in answer.citations} == {"德清县", "郑州市"}, answer.text


def test_a_part_asking_how_is_answered_too(bundled: Pipeline) -> None:
    # 黄埔's 细则: 第二十条 caps the 贴息 period, 第二十一条 says how a loan under a year is counted
    answer = bundled.ask("黄埔那份细则 贴息期最多几年 贷款不到一年的贴息咋算")
    assert "贴息期最长3年" in answer.text and "以贷款实际天数作为计算依据" in answer.text, answer.text
    # 郑州's 四（一）1: how the open computing platform is built, and what it lowers for start-ups
    answer = bundled.ask("郑州规划 开放计算服务平台咋搭 对初创企业有啥用")
    assert "深度学习计算集群" in answer.text and "初创企业" in answer.text, answer.text


def test_parts_of_one_word_do_not_let_a_question_through_alone(bundled: Pipeline) -> None:
    # "谁来牵引 谁做基础 谁当支撑" asks three parts of one word each (牵引, 基础, 支撑), which most policies write:
    # 北京's plan states no such 发展体系 and is not answered from its items that happen to say 基础
    answer = bundled.ask("北京的AI发展体系 谁来牵引 谁做基础 谁当支撑")
    assert answer.refused and answer.text.startswith("北京市的政策未涉及"), answer.text
    # 湖北's 总体规划 四（三） states it: answered
    answer = bundled.ask("湖北的AI发展体系 谁来牵引 谁做基础 谁当支撑")
    assert not answer.refused and "以龙头企业、高校和科研院所为牵引" in answer.text, answer.text


def test_every_consulting_office_of_a_note_a_line_break_cut_is_named(bundled: Pipeline) -> None:
    first = bundled.ask("成都细则 高校调整人工智能学科设置那项 政策咨询找哪个部门").text.splitlines()[0]
    assert "市人社局职教处（咨询电话：61888227）" in first and "市教育局高等教育与职业教育处（咨询电话：61881665）" in first, first


def test_a_which_places_question_reads_the_phrase_after_an_adverb_of_saying(bundled: Pipeline) -> None:
    # "专门提到监督考核": 德清 and 长沙 write 监督考核; 长沙's is a heading, shown with the sentence after it
    answer = bundled.ask("哪些地方的AI规划里专门提到监督考核")
    assert {c.clause.region for c in answer.citations} == {"长沙市", "德清县"}, answer.text
    assert "严格监督考核[1]；强化市、区联动" in answer.text or "严格监督考核[2]；强化市、区联动" in answer.text, answer.text


def test_an_entry_named_in_a_clause_of_several_entries_is_answered_alone_and_whole(bundled: Pipeline) -> None:
    # 专栏16's 光明 base is named at the end of one part of the clause and described in the next
    answer = bundled.ask("深圳光明那个AI产业基地 重点发展哪些产品")
    assert "高性能服务器" in answer.text, answer.text
    # what the box says of the other bases (坪山's, 龙华's plans) is not asked
    assert "机器人产业集聚基地" not in answer.text and "国际科技成果转移转化区" not in answer.text, answer.text
    # named with a slip (板雪岗 for 坂雪岗) and asked two things of it, the entry is still the one asked about
    slipped = bundled.ask("板雪岗科技城 在深圳AI行动计划里打算弄成个啥 主攻哪些产业")
    assert "研发孵化基地" in slipped.text and "国际科技成果转移转化区" not in slipped.text, slipped.text


def test_a_clause_whose_title_the_question_writes_is_answered_whole_when_asked_how(bundled: Pipeline) -> None:
    answer = bundled.ask("武汉先导区方案里 促进数据资源开发利用这条咋弄的")
    assert "数据标准化采集" in answer.text and "城市圈数据互联互通" in answer.text, answer.text


def test_each_of_two_places_asked_in_one_question_gets_its_own_item(bundled: Pipeline) -> None:
    # 四区协同 is in both parts; what tells them apart (航空港区, 经开区) picks each part's item
    answer = bundled.ask("郑州四区协同 航空港区跟经开区各自重点干啥")
    assert "航空港区依托" in answer.text and "经开区依托" in answer.text, answer.text


def test_a_comparison_side_takes_more_than_two_items_of_its_clause(bundled: Pipeline) -> None:
    # 重庆's clause on 智能网联汽车 writes its products, its infrastructure and its pilot cars; 武汉's its
    # enterprises, road tests and test platforms: a side cut to two items lost one of each
    answer = bundled.ask("重庆和武汉的人工智能方案 在智能网联汽车上分别重点做什么")
    assert "【重庆市】" in answer.text and "【武汉市】" in answer.text, answer.text
    assert all(w in answer.text for w in ("车规级芯片", "L3/L4", "道路测试", "仿真测试平台")), answer.text


def test_a_figure_asked_of_a_year_only_an_outlook_without_figures_speaks_of_is_refused(bundled: Pipeline) -> None:
    # 德清's figures are for 2022; its 2025 outlook states none, and "《中国制造2025德清行动计划》" in its
    # preamble names a plan, not a year (a training question)
    answer = bundled.ask("德清规划里2025年人工智能核心产业产值目标是多少？")
    assert answer.refused and "2025年" in answer.text.splitlines()[0], answer.text


def test_a_named_clause_asked_about_one_of_its_entries_says_that_entry_first(bundled: Pipeline) -> None:
    # 第十条 of 广州's 导则 has four entries; the question asks about the last one's 应用场景
    lines = bundled.ask("广州试验区产业导则第十条 哪些领域要进一步开放应用场景").text.splitlines()
    assert "进一步开放人工智能应用场景" in lines[0] and not lines[0].startswith("《"), lines[0]
    assert any(line.startswith("《广州人工智能与数字经济试验区产业导则》第十条：") for line in lines[1:])  # then whole
    # a question asking what a clause says gets the clause, with nothing before it
    assert bundled.ask("中关村十五条措施第六条讲的是什么？").text.startswith("《北京市关于加快中关村科学城")


def test_a_count_of_a_section_s_parts_named_for_what_they_are_is_not_a_figure_counting_another_thing(bundled: Pipeline) -> None:
    # 武汉先导区方案 三（四）'s six parts are each named "实施…先导工程"; a part states "5家国家级工业设计中心", a
    # count of design centres in 家, which is not what "几个先导工程" counts
    answer = bundled.ask("武汉先导区实施方案 深化人工智能融合应用这部分 有几个先导工程")
    first = answer.text.splitlines()[0]
    assert first.startswith("共六个：实施智能网联汽车“双智试点”先导工程[1]；"), first
    assert "智慧城市“数智治理”先导工程" in first and "5家" not in first, first


def test_a_place_written_as_its_one_character_short_form_scopes_the_answer(bundled: Pipeline) -> None:
    # "渝" on its own is 重庆: the answer is 重庆's, or a refusal scoped to 重庆, never another city's clause
    answer = bundled.ask("渝 AI企业的新产品卖不动 政府有没有约定购买或者风险补偿")
    assert "重庆" in answer.text, answer.text
    assert answer.citations and "重庆" in answer.citations[0].clause.doc_title, [c.clause.doc_title for c in answer.citations]


def test_one_item_stating_each_part_s_figure_is_the_whole_answer(bundled: Pipeline) -> None:
    # 七24 gives 国家级 and 市级 their own figures in one sentence: no part needs an item of its own, and the
    # 行动计划's item that only shares the word 示范 is not added for the second part
    answer = bundled.ask("天津的大数据试点示范项目 国家级的和市级的各补多少钱")
    assert "500万元、200万元" in answer.text, answer.text
    assert {c.clause.doc_title for c in answer.citations} == {"天津市关于进一步支持发展智能制造的政策措施"}, answer.text



def test_an_item_spelling_out_a_list_question_and_enumerating_comes_without_its_clause_s_other_sentences(bundled: Pipeline) -> None:
    # 沈阳规划 二（五）4 is a paragraph on 智慧旅游: one sentence lists the system's functions; the others (预警
    # 机制, 平台项目) are not members of that list
    answer = bundled.ask("沈阳的AI规划里 智慧旅游应用系统要具备哪些功能")
    assert "产品营销、个性订制、担保支付" in answer.text, answer.text
    assert "预警预测机制" not in answer.text, answer.text


def test_which_places_say_they_will_do_something_are_those_whose_policies_write_it(bundled: Pipeline) -> None:
    # "说要…" asks who writes it, as "提到…" does: 治理委员会 is written by 济南 and 西安; 深圳's and 广州's 专家咨询
    # 委员会 share words with it but are other bodies
    answer = bundled.ask("哪些地方说要组建人工智能治理委员会")
    first = answer.text.splitlines()[0]
    assert "济南市" in first and "西安市" in first, first
    assert "深圳市" not in first and "广州市" not in first, first
    # a phrase of two characters is every plan's word, no mention: "说要啃的难点" is answered by meaning
    plain = bundled.ask("哪些城市的AI规划说要去啃综合深度推理这个难点")
    assert "沈阳市" in plain.text.splitlines()[0], plain.text


def test_a_principle_named_as_a_couplet_is_an_entry_a_question_can_name(bundled: Pipeline) -> None:
    # 重庆方案 二 names its principles as couplets ("技术引领，人才先行。") before what each means: a question
    # naming one by its words gets that principle, not the one before it
    answer = bundled.ask("重庆试验区实施方案 建设原则中技术和人才那一条说了什么")
    assert "技术引领，人才先行" in answer.text and "人工智能硬核技术" in answer.text, answer.text
    assert "赋能融合，示范牵引" not in answer.text, answer.text


def test_an_article_numbered_across_headings_is_found_by_its_number(bundled: Pipeline) -> None:
    # the Guangzhou 2020-2022 plan numbers its measures 1.…18. under （一）…（五） of 二, and has a second （五）
    # under 三: its 第5条 is measure 5, not 三（五）
    answer = bundled.ask("广州20-22年的AI行动计划 第5条讲什么")
    assert answer.citations[0].clause.ref == "二（二）5", answer.citations[0].clause.ref
    assert "深化发展智能制造" in answer.text


def test_a_phrase_written_in_another_order_is_mentioned(bundled: Pipeline) -> None:
    # 合肥 writes 水质自动监测, 德清 writes 水质监测自动化: the same three words side by side; a place writing
    # them apart (监测…自动) does not mention it
    answer = bundled.ask("哪些城市的AI文件里提到水质自动监测")
    assert {c.clause.region for c in answer.citations} == {"合肥市", "德清县"}
    assert all("水质" in c.clause.text for c in answer.citations)


def test_a_district_asked_gets_its_own_consulting_office(bundled: Pipeline) -> None:
    # 成都's 实施细则 names eight district offices in one note; a question naming one district gets that note,
    # that office first
    answer = bundled.ask("成都细则里 崇州市那边政策咨询找哪个部门 号码多少")
    assert answer.text.startswith("政策咨询部门：崇州市新经济和科技局（咨询电话：18081158802）"), answer.text[:80]


def test_a_figure_asked_of_each_of_two_things_comes_from_each_ones_clause(bundled: Pipeline) -> None:
    # 上海's 实施意见 states 智能驾驶 and 智能机器人 in clauses of their own: a figure asked of both gets both
    # in the first line; a question of two parts only one of which asks a figure keeps to the best clause
    both = bundled.ask("上海的实施意见 智能驾驶、智能机器人到2020年产业规模定了多少").text.splitlines()[0]
    assert "300亿元" in both and "200亿元" in both, both
    one = bundled.ask("黄埔租办公室的房补 租期不满一年算不算一年？最多补几年")
    assert "贷款" not in one.text.splitlines()[0], one.text
    assert one.citations[0].clause.ref == "第二十五条", one.citations[0].clause.ref


def test_a_rate_is_said_with_its_cap(bundled: Pipeline) -> None:
    # 黄埔's 第十三条 states the rate in one sentence and the cap in the next: the first line says both
    first = bundled.ask("黄埔的AI示范应用项目 按啥比例奖 最多奖多少").text.splitlines()[0]
    assert "50%" in first and "100万元" in first, first


def test_a_policy_s_date_asked_beside_another_thing_answers_both(bundled: Pipeline) -> None:
    # 济南's 若干政策 states the loan subsidy in 五10 and its expiry in 七14: a question asking both gets both
    answer = bundled.ask("济南AI若干政策 小微企业贷款 利息担保费补多少比例 这文件哪天失效")
    refs = [c.clause.ref for c in answer.citations]
    assert "五10" in refs and "七14" in refs, refs
    head = answer.text.split("\n· ")[0]
    assert "40%" in head and "2023年6月16日" in head, head
    # a question asking only dates keeps to them
    only = bundled.ask("济南AI若干政策 啥时候施行 哪天失效")
    assert [c.clause.ref for c in only.citations] == ["七14"], [c.clause.ref for c in only.citations]


def test_a_part_asked_in_other_words_gets_its_item_of_a_cited_clause(bundled: Pipeline) -> None:
    # 长沙's 意见 三（七）: 200万元 a 会展 and, for a 国际 one, 一事一议; that part spells neither 举办 nor 影响
    answer = bundled.ask("长沙AI意见 AI会展论坛 每场最多补多少 国际级大会咋办 天使基金多大")
    assert "200万元" in answer.text and "一事一议" in answer.text, answer.text
    # 成都's 细则 四（二）: 人力成本 at most 50% of 项目投入, beside 跨年度 at most 近2年
    answer = bundled.ask("成都细则 人工成本能算进项目投入多少 跨年度最多算几年")
    assert "50%" in answer.text and "近2年" in answer.text, answer.text


def test_places_mentioning_a_phrase_are_found_whatever_is_asked_of_them_after(bundled: Pipeline) -> None:
    # the piece after the phrase asks of the mentions ("分别放在啥语境"); its rarer word is no part of what is
    # mentioned, and the places listed are those whose policies write the phrase, no others
    first = bundled.ask("哪些城市的文件提到图像处理器 分别放在啥语境").text.splitlines()[0]
    assert "合肥市" in first and "上海市" in first and "广州市" not in first and "长沙市" not in first, first
    first = bundled.ask("哪几个地方的文件提过神经网络处理器 各自啥语境").text.splitlines()[0]
    assert all(place in first for place in ("上海市", "德清县", "武汉市", "沈阳市", "深圳市", "重庆市", "长沙市")), first


def test_a_part_asked_with_what_gets_its_item_by_a_word_its_clause_writes(bundled: Pipeline) -> None:
    # 杭州's 若干政策 十一 writes the 专利组合 support and "筹建杭州市人工智能研究院"; the part "市里还打算筹建什么
    # 机构" is read by 筹建, a word the clause writes, not by 市里, rarer but written by none of the clauses cited
    answer = bundled.ask("杭州AI政策 企业搞高价值专利组合 有没有支持 市里还打算筹建什么机构")
    assert "高价值专利组合" in answer.text and "筹建杭州市人工智能研究院" in answer.text, answer.text


def test_a_comparison_side_leads_with_the_items_of_the_measure_compared(bundled: Pipeline) -> None:
    # 长沙's 三年行动计划 三（二）8 writes 应用型人才; 意见 三（五）, on talent in general, ranks higher: the side
    # leads with the item of the measure compared
    answer = bundled.ask("应用型人才培养 长沙跟成都 各咋讲的")
    side = answer.text.split("【长沙市】", 1)[1].lstrip().splitlines()[0]
    assert "应用型人才" in side, side


def test_a_year_refusal_of_policies_that_speak_of_one_year_names_that_year_not_a_span(bundled: Pipeline) -> None:
    # 天津's 行动计划 speaks of 2024 only: "在2024—2024年之间" read as a slip
    first = bundled.ask("天津试验区行动计划 2050年的目标是啥").text.splitlines()[0]
    assert "只有2024年" in first and "2050" in first and "2024—2024" not in first, first


def test_a_place_whose_long_clause_writes_what_a_which_places_question_asks_about_is_named(bundled: Pipeline) -> None:
    # 合肥 names 机器阅读 once, in a long clause on 智能语音 that ranks below 合肥's short clauses on the
    # question's other words: the clauses that write the question's most specific word are searched too
    answer = bundled.ask("哪些城市在搞机器阅读 AI文件里咋写的")
    assert not answer.refused and "合肥市" in answer.text.splitlines()[0] and "机器阅读" in answer.text, answer.text
    # the phrase as the question writes it, not its rarest word alone: 广州's 智慧阅读 writes 阅读, not 机器阅读
    answer = bundled.ask("哪些地方在做机器阅读")
    assert "广州" not in answer.text.splitlines()[0], answer.text


def test_a_figure_asked_of_each_part_gets_each_part_s_figure_beside_the_whole(bundled: Pipeline) -> None:
    # 马桥's 试验区 is 15.7 平方公里, of which the two parts are 10.8 and 4.9: "各占多少" asks both
    answer = bundled.ask("马桥试验区总面积多大 两个片区各占多少平方公里")
    assert all(f in answer.text for f in ("15.7平方公里", "10.8平方公里", "4.9平方公里")), answer.text

