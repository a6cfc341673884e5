"""Industry tagging: keyword coverage per slug in both languages, negatives, and how context counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import industries
from events.industries import IndustryEvidence, industry_evidence, keyword_terms, tag_industries
from events.taxonomy import industry_slugs


def tags(text: str, language: str, *, title: str | None = None, body: str | None = None, orgs=()) -> list[str]:
    return tag_industries(
        title=title,
        event_text=text,
        body=text if body is None else body,
        organization_industries=orgs,
        language=language,
    )


# --- every slug, English and Chinese: one event sentence names the industry -----------------------

EVENT_SENTENCES = [
    ("en", "On March 3, Hefei signed an agreement with a telecommunications carrier to build 5G base stations.",
     {"telecom"}),
    ("en", "The electronic information industry conference opened in Suzhou on May 8.", {"electronic-information"}),
    ("en", "On June 2, the mayor of Wuxi visited an integrated circuit plant and a chip packaging company.",
     {"semiconductors"}),
    ("en", "A new OLED display panel production line was put into operation in Hefei on April 9.", {"displays"}),
    ("en", "On July 7, the governor met executives of a smartphone maker and a home appliance company.",
     {"smart-devices"}),
    ("en", "On May 26, a forum on artificial intelligence and cloud computing was held in Guiyang.", {"big-data-ai"}),
    ("en", "On May 26, the AI forum was held in Shanghai.", {"big-data-ai"}),
    ("en", "On October 12, a software park signed agreements with five internet platform companies.", {"software"}),
    ("en", "An Internet of Things summit was held in Wuxi on September 7.", {"iot"}),
    ("en", "On April 18, the city held a meeting on information security and cybersecurity protection.",
     {"cybersecurity"}),
    ("en", "The digital economy development conference was held on August 4 in Hangzhou.", {"digital-economy"}),
    ("en", "On May 12, the city's manufacturing high-quality development conference was held.", {"manufacturing"}),
    ("en", "On June 5, the mayor inspected industrial robots and an intelligent manufacturing workshop.",
     {"intelligent-manufacturing"}),
    ("en", "On May 30, a high-end equipment manufacturing project and a machine tool plant broke ground.",
     {"equipment"}),
    ("en", "On May 30, a new energy vehicles plant broke ground in Xi'an.", {"automotive"}),
    ("en", "A satellite navigation and aviation industrial park was unveiled on June 1 in Xi'an.", {"aerospace"}),
    ("en", "On March 9, a petrochemical project signing ceremony was held in Huizhou.", {"chemicals"}),
    ("en", "On March 9, a graphene and carbon fiber composite materials project was signed in Changzhou.",
     {"new-materials"}),
    ("en", "On March 9, a textile and apparel project was signed in Shaoxing.", {"textiles-apparel"}),
    ("en", "On March 9, a liquor and food processing project was signed in Luzhou.", {"food-beverage"}),
    ("en", "On March 9, Taizhou signed a biomedicine and medical devices project.", {"biomedicine"}),
    ("en", "On March 9, a photovoltaic and energy storage project broke ground in Jiuquan.", {"new-energy"}),
    ("en", "On March 9, the governor inspected a thermal power plant and a coal mine.", {"energy"}),
    ("en", "On March 9, an energy saving and environmental protection forum was held in Yixing.",
     {"environmental"}),
    ("en", "On March 9, a bank and an investment fund signed a strategic agreement with the city.", {"finance"}),
    ("en", "On March 9, a cold chain logistics hub and a port project were signed in Qinzhou.", {"logistics"}),
    ("en", "On March 9, a cultural tourism project was signed in Lijiang.", {"tourism-culture"}),
    ("en", "On March 9, an agricultural products processing and forestry project was signed in Ganzhou.",
     {"agriculture"}),
    ("en", "On March 9, a real estate developer signed an urban renewal project in Foshan.",
     {"construction-real-estate"}),
    ("en", "On March 9, a smart city and e-government project was launched in Yinchuan.", {"smart-city"}),
    ("en", "On March 9, a cross-border e-commerce and foreign trade conference was held in Yiwu.", {"trade"}),
    ("zh", "3月3日，合肥市与某通信运营商签署5G基站建设合作协议。", {"telecom"}),
    ("zh", "5月8日，苏州电子信息产业大会开幕。", {"electronic-information"}),
    ("zh", "6月2日，无锡市长调研集成电路和芯片封测企业。", {"semiconductors"}),
    ("zh", "4月9日，合肥新型显示面板生产线投产。", {"displays"}),
    ("zh", "7月7日，省长会见智能手机和家电企业负责人。", {"smart-devices"}),
    ("zh", "5月26日，人工智能与云计算论坛在贵阳举行，聚焦大数据和算力。", {"big-data-ai"}),
    ("zh", "10月12日，软件园与五家互联网平台企业签约。", {"software"}),
    ("zh", "9月7日，物联网大会在无锡举行。", {"iot"}),
    ("zh", "4月18日，市政府召开网络安全和信息安全工作会议。", {"cybersecurity"}),
    ("zh", "8月4日，数字经济发展大会在杭州举行。", {"digital-economy"}),
    ("zh", "5月12日，全市制造业高质量发展大会召开。", {"manufacturing"}),
    ("zh", "6月5日，市长调研工业机器人企业和智能制造示范车间。", {"intelligent-manufacturing"}),
    ("zh", "5月30日，高端装备制造项目和机床项目在株洲开工。", {"equipment"}),
    ("zh", "5月30日，新能源汽车整车项目在西安开工。", {"automotive"}),
    ("zh", "6月1日，北斗卫星导航和航空产业园揭牌。", {"aerospace"}),
    ("zh", "3月9日，惠州石化项目签约仪式举行。", {"chemicals"}),
    ("zh", "3月9日，常州石墨烯和碳纤维复合材料项目签约。", {"new-materials"}),
    ("zh", "3月9日，绍兴纺织服装项目签约。", {"textiles-apparel"}),
    ("zh", "3月9日，泸州白酒和食品加工项目签约。", {"food-beverage"}),
    ("zh", "3月9日，泰州生物医药和医疗器械项目签约。", {"biomedicine"}),
    ("zh", "3月9日，酒泉光伏和储能项目开工。", {"new-energy"}),
    ("zh", "3月9日，省长考察火电厂和煤矿。", {"energy"}),
    ("zh", "3月9日，节能环保产业论坛在宜兴举行。", {"environmental"}),
    ("zh", "3月9日，市政府与银行、产业基金签署战略合作协议。", {"finance"}),
    ("zh", "3月9日，钦州冷链物流和港口项目签约。", {"logistics"}),
    ("zh", "3月9日，丽江文化旅游项目签约。", {"tourism-culture"}),
    ("zh", "3月9日，赣州农产品加工和林业项目签约。", {"agriculture"}),
    ("zh", "3月9日，佛山城市更新和房地产项目签约。", {"construction-real-estate"}),
    ("zh", "3月9日，银川智慧城市和电子政务项目上线。", {"smart-city"}),
    ("zh", "3月9日，义乌跨境电商和外贸大会举行。", {"trade"}),
]


@pytest.mark.parametrize(("language", "sentence", "expected"), EVENT_SENTENCES)
def test_event_sentence_gives_its_industry(language: str, sentence: str, expected: set[str]) -> None:
    assert set(tags(sentence, language)) == expected


def test_the_table_covers_every_slug_in_both_languages() -> None:
    for language in ("en", "zh"):
        covered = set().union(*(e for lang, _, e in EVENT_SENTENCES if lang == language))
        assert covered == industry_slugs(), language


# --- what must not tag, and specific terms that beat generic ones -----------------------------------

NEGATIVES = [
    # investment alone is not finance
    ("en", "On March 9, the two sides signed an investment agreement worth 2 billion yuan.", {"finance"}),
    ("zh", "3月9日，双方签署投资协议，总投资20亿元。", {"finance"}),
    # "industry" alone is not manufacturing
    ("en", "On March 9, the mayor said the industry would grow and industrial cooperation deepen.",
     {"manufacturing"}),
    ("zh", "3月9日，市长表示要推动产业发展。", {"manufacturing"}),
    # cultural exchanges are not tourism
    ("en", "On March 9, the mayor met the delegation and discussed cultural exchanges.", {"tourism-culture"}),
    ("zh", "3月9日，市长会见代表团，双方就文化交流进行座谈。", {"tourism-culture"}),
    # energy saving is environmental, not energy
    ("en", "On March 9, the city held a meeting on energy saving.", {"energy"}),
    ("zh", "3月9日，市政府召开节能工作会议。", {"energy"}),
    # "electronic information industry" does not also make anything from "electronic"
    ("en", "On March 9, the electronic information industry forum was held.",
     industry_slugs() - {"electronic-information"}),
    # 强化工作 / 文化工作 are not 化工 (chemicals); 香港 is not a port
    ("zh", "3月9日，会议强调要深化工作作风建设，强化工作落实，做好文化工作。", {"chemicals"}),
    ("zh", "3月9日，市长会见香港客商。", {"logistics"}),
    # words inside other words: "said" is not AI, "support" is not a port, "business" is not a bus
    ("en", "On March 9, the mayor said the business support office would help.", {"big-data-ai", "logistics",
                                                                                  "automotive"}),
    # lower-case "ai" is not AI
    ("en", "On March 9, the ai of the meeting was set.", {"big-data-ai"}),
    # metaphors
    ("en", "On March 9, the talks injected new energy into the friendship, full of energy.",
     {"energy", "new-energy"}),
    ("en", "On March 9, the two cities strengthened the bonds of friendship.", {"finance"}),
    ("en", "On March 9, the delegation will travel to Beijing and stay at the Grand Hotel.", {"tourism-culture"}),
    ("en", "On March 9, the Municipal Bureau of Commerce attended the meeting.", {"trade"}),
    # offices that attended name no industry
    ("en", "On March 9, heads of the environment protection bureau attended the talks.", {"environmental"}),
    ("en", "On March 9, the Department of Culture and Tourism hosted the talks.", {"tourism-culture"}),
    ("zh", "3月9日，市长会见客人，市文化和旅游局、市农业农村局、市商务局负责人参加会见。",
     {"tourism-culture", "agriculture", "trade"}),
    ("en", "On March 9, the mayor called for financial support and the construction of a modern city.",
     {"finance", "construction-real-estate"}),
    ("zh", "3月9日，本报通讯员从市政府获悉，会议通过电视电话会议形式召开。", {"telecom", "smart-devices"}),
    ("en", "On March 9, the visit left a deep impression on intellectual property officials.",
     {"construction-real-estate"}),
]


@pytest.mark.parametrize(("language", "sentence", "forbidden"), NEGATIVES)
def test_negatives(language: str, sentence: str, forbidden: set[str]) -> None:
    assert not set(tags(sentence, language)) & forbidden


SPECIFIC = [
    ("en", "On May 3, a new energy vehicle project was signed.", "automotive", "new-energy"),
    ("zh", "5月3日，新能源汽车项目签约。", "automotive", "new-energy"),
    ("en", "On May 3, a new materials industrial park was unveiled.", "new-materials", None),
    ("zh", "5月3日，新材料产业园揭牌。", "new-materials", None),
    ("en", "On May 3, an energy saving equipment exhibition opened.", "environmental", "energy"),
    ("zh", "5月3日，组建工业互联网创新中心。", "intelligent-manufacturing", "construction-real-estate"),
    ("zh", "5月3日，现代化工厂生产线投产，产品用于智能制造。", "intelligent-manufacturing", "chemicals"),
    ("en", "On May 3, the Hainan free trade port promotion conference was held.", "trade", "logistics"),
    ("en", "On May 3, a new infrastructure forum was held.", "digital-economy", "construction-real-estate"),
]


@pytest.mark.parametrize(("language", "sentence", "wanted", "not_wanted"), SPECIFIC)
def test_specific_beats_generic(language: str, sentence: str, wanted: str, not_wanted: str | None) -> None:
    got = tags(sentence, language)
    assert wanted in got
    if not_wanted:
        assert not_wanted not in got


# --- matching details ------------------------------------------------------------------------------

MATCHING = [
    ("en", "On May 3, a chips plant was opened.", "semiconductors"),  # plural
    ("en", "On May 3, a lithium batteries project broke ground.", "new-energy"),  # y -> ies
    ("en", "On May 3, a cross-border E-Commerce park opened.", "trade"),  # hyphen and case
    ("en", "On May 3, a PCB maker was visited.", "semiconductors"),  # cased acronym
    ("zh", "5月3日，先进装备“智”造项目签约。", "intelligent-manufacturing"),  # quotes removed
    ("zh", "5月3日，5G网络建设推进会召开。", "telecom"),  # Latin acronym before a Chinese character
    ("zh", "5月3日，AI产业园开园。", "big-data-ai"),
]


@pytest.mark.parametrize(("language", "sentence", "wanted"), MATCHING)
def test_matching(language: str, sentence: str, wanted: str) -> None:
    assert wanted in tags(sentence, language)


# --- context: where in the article the words stand --------------------------------------------------

EN_LEAD = "On April 2, Mayor Li Ming met a delegation from Bremen at the city hall."


def _body(*paragraphs: str) -> str:
    return "\n".join(paragraphs)


def test_one_background_mention_is_not_enough_but_a_repeated_topic_is() -> None:
    filler = "The two sides agreed to keep in touch."
    once = _body("Title line", EN_LEAD, filler, filler, "The city also has a large textile sector.")
    twice = _body(
        "Title line",
        EN_LEAD,
        filler,
        filler,
        "The city has a large textile sector.",
        filler,
        "Textile exports rose last year, and garment makers hired more workers.",
    )
    assert "textiles-apparel" not in tags(EN_LEAD, "en", body=once)
    assert "textiles-apparel" in tags(EN_LEAD, "en", body=twice)


def test_the_headline_counts() -> None:
    body = _body(EN_LEAD, "They discussed cooperation.")
    assert tags(EN_LEAD, "en", body=body) == []
    assert tags(EN_LEAD, "en", body=body, title="Bremen delegation explores port cooperation") == ["logistics"]


def test_navigation_bar_title_and_headline_lists_are_ignored() -> None:
    body = _body(EN_LEAD, "They discussed cooperation.", "1. Bank shares rise", "2. Insurance firm lists")
    assert tags(EN_LEAD, "en", body=body, title="News|Banking|Tourism|Sports") == []
    zh_body = "3月9日，市长会见客商。\n热门点击\n1. 银行股上涨\n2. 保险公司上市\n3. 白酒降价"
    assert tags("3月9日，市长会见客商。", "zh", body=zh_body) == []


def test_a_scope_sentence_lists_what_a_signing_is_about() -> None:
    lead = "A signing ceremony for 30 projects was held in Weifang on June 6."
    body = _body(
        lead,
        "Officials of the city attended.",
        "photo.jpg",
        "Officials said the economy was recovering.",
        "The signed projects include biomedicine, modern agriculture and high-end equipment manufacturing.",
    )
    assert set(tags(lead, "en", body=body)) == {"biomedicine", "agriculture", "equipment"}


def test_a_signing_sentence_does_not_tag_a_visit() -> None:
    lead = "On June 6, the governor of Hebei visited Penang."
    body = _body(
        lead,
        "Five agreements were signed in the areas of biomedicine, property and food.",
        "The governor also toured a museum.",
    )
    assert tags(lead, "en", body=body) == []
    signing = "Five agreements were signed in the areas of biomedicine, property and food."
    assert set(tags(signing, "en", body=body)) == {"biomedicine", "construction-real-estate", "food-beverage"}


def test_proceedings_of_the_meeting_count() -> None:
    lead = "On June 6, the municipal government held its 12th executive meeting."
    body = _body(
        lead,
        "Officials from all districts attended.",
        "Weather was fine.",
        "At the meeting, the plan for the cold chain logistics network was approved.",
    )
    assert tags(lead, "en", body=body) == ["logistics"]
    zh_lead = "6月6日，市政府召开第12次常务会议。"
    zh_body = "\n".join([zh_lead, "各区负责人参加。", "天气晴好。", "会议研究了冷链物流发展规划。"])
    assert tags(zh_lead, "zh", body=zh_body) == ["logistics"]


def test_another_ceremony_does_not_leak_into_the_first() -> None:
    body = _body(
        "Two ceremonies for 50 projects took place in Baotou on May 9.",
        "At the first ceremony, 20 projects in new materials and rare earth processing were signed.",
        "At another ceremony, 30 projects in animal husbandry started construction.",
        "The projects cover modern agriculture, fisheries and grain storage.",
    )
    first = tags("Two ceremonies for 50 projects took place in Baotou on May 9.", "en", body=body)
    second = tags("At another ceremony, 30 projects in animal husbandry started construction.", "en", body=body)
    assert "new-materials" in first and "agriculture" not in first
    assert "agriculture" in second and "new-materials" not in second


def test_organization_industries_count_like_an_event_mention() -> None:
    lead = "On June 6, Mayor Zhao Lei met the founder of a company from Shenzhen."
    assert tags(lead, "en") == []
    assert tags(lead, "en", orgs=["smart-devices"]) == ["smart-devices"]
    assert tags(lead, "en", orgs=["not-a-slug"]) == []


def test_event_text_not_in_the_body_still_counts() -> None:
    assert tags("On May 3, a graphene plant opened.", "en", body="Unrelated text.") == ["new-materials"]


def test_order_is_score_then_slug() -> None:
    sentence = "On May 3, a textile park and a logistics hub were opened."
    body = _body(sentence, "Garment makers from Shaoxing attended.")
    assert tags(sentence, "en", body=body) == ["textiles-apparel", "logistics"]
    sentence = "On May 3, a textile park and a logistics hub were opened."
    assert tags(sentence, "en") == ["logistics", "textiles-apparel"]


def test_evidence_explains_the_tags() -> None:
    sentence = "On May 3, Ningbo signed a port logistics project."
    evidence = industry_evidence(title=None, event_text=sentence, body=sentence, language="en")
    assert isinstance(evidence[0], IndustryEvidence)
    assert evidence[0].slug == "logistics" and evidence[0].tagged
    assert {(h.zone, h.term) for h in evidence[0].hits} == {("event", "logistics")}


def test_every_slug_has_english_and_chinese_keywords() -> None:
    for slug in industry_slugs():
        terms = keyword_terms(slug)
        assert any(t.isascii() for t in terms), slug
        assert any(not t.isascii() for t in terms), slug


def test_keyword_entry_syntax() -> None:
    assert industries._parse_entry("new energy vehicle | 1, new-energy 0.6", "automotive") == (
        "new energy vehicle",
        (("automotive", 1.0), ("new-energy", 0.6)),
    )
    assert industries._parse_entry("power | 0.3", "energy") == ("power", (("energy", 0.3),))
    with pytest.raises(ValueError):
        industries._parse_entry("x | a b c", "energy")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abc AI 5G。，,.\n“”-制造化工文电子信息港口新能源汽车")), max_size=200),
    st.sampled_from(["en", "zh"]),
)
def test_any_text_gives_known_slugs(text: str, language: str) -> None:
    result = tag_industries(title=text[:20], event_text=text[:50], body=text, language=language)
    assert set(result) <= industry_slugs()
    assert len(result) == len(set(result))
