"""Persons and organisations: own sentences in the style of government/business news."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.actors import (
    OrgMention,
    PersonMention,
    _lexicon,
    _line_start_groups,
    _quote_spans,
    _short_key_of,
    _syllable_count,
    _tokenize,
    dedupe_organizations,
    dedupe_persons,
    find_organizations,
    find_persons,
)
from events.text import normalize

FIXTURES = Path(__file__).parent / "fixtures" / "actors"


def people(text: str, language: str) -> dict[str, PersonMention]:
    return {p.name: p for p in dedupe_persons(find_persons(text, language))}


def participants(text: str, language: str) -> set[str]:
    return {name for name, p in people(text, language).items() if p.participant}


def orgs(text: str, language: str) -> dict[str, OrgMention]:
    return {o.name: o for o in dedupe_organizations(find_organizations(text, language))}


# --------------------------------------------------------------------------------------------
# English persons
# --------------------------------------------------------------------------------------------

EN_PARTICIPANTS = [
    ("On March 3, the Deputy Secretary of the Yibin Municipal Party Committee and mayor Zhang Hongmei "
     "hosted a symposium on the lithium battery industry.", {"Zhang Hongmei"}),
    ("City leaders Ma Xiaolin, Sun Qi and Situ Hongyu attended the signing ceremony.",
     {"Ma Xiaolin", "Sun Qi", "Situ Hongyu"}),
    ("Gu Xinmei and Lanbo, the leaders of Deyang City, and Kong Wei, the director of the Deyang "
     "Economic and Information Bureau, attended the meeting.", {"Gu Xinmei", "Lanbo", "Kong Wei"}),
    ("Vice Governor Ouyang Jian met with Klaus Fischer, chairman of Siemens Greater China, in Hefei.",
     {"Ouyang Jian", "Klaus Fischer"}),
    ("Dr. Maria Gonzalez, the ambassador of Spain to China, met Suzhou Party Secretary Cao Lubao.",
     {"Maria Gonzalez", "Cao Lubao"}),
    ("Mr Ng Chee Meng, Singapore's Minister, called on Guangdong Governor Ma Xingrui on Monday.",
     {"Ng Chee Meng", "Ma Xingrui"}),
    ("YB Datuk Seri Ahmad Zahid bin Hamidi met the delegation in Putrajaya.", {"Ahmad Zahid bin Hamidi"}),
    ("Mayor of Lyon Gregory Doucet welcomed the delegation.", {"Gregory Doucet"}),
    ("A delegation led by Vice Mayor Park Sung-hoon arrived on Monday.", {"Park Sung-hoon"}),
    ("Governor of Okinawa Denny Tamaki attended the fair.", {"Denny Tamaki"}),
    ("Among those present were Vice Mayor Tian Yu and Shangguan Rui.", {"Tian Yu", "Shangguan Rui"}),
    ("\u201cWe will build the plant next year,\u201d said Kenta Sato, adding that talks went well.",
     {"Kenta Sato"}),
    ("Chen Xiaoqing, Party secretary of Guizhou, said the province is open to investors.", {"Chen Xiaoqing"}),
    ("Mr. Lü Dong, Secretary of the Provincial Party Committee, and Mr. Zeng hao attended.", {"Zeng hao"}),
]


@pytest.mark.parametrize(("text", "expected"), EN_PARTICIPANTS)
def test_english_participants(text: str, expected: set[str]) -> None:
    assert expected <= participants(text, "en")


EN_NOT_PARTICIPANTS = [
    ("The meeting studied General Secretary Xi Jinping's important speech. Mayor Lu Fang spoke.",
     "Xi Jinping", "referred to"),
    ("We must implement the important instructions of General Secretary Xi Jinping, Mayor Lu Fang said.",
     "Xi Jinping", "referred to"),
    ("Mayor Lu Fang hosted the forum. (Reporter Tan Xiaoyu)", "Tan Xiaoyu", "byline"),
    ("Mayor Lu Fang hosted the forum. (Correspondent Bai Qing)", "Bai Qing", "byline"),
    ("Zhou Yiran\nMayor Lu Fang hosted the forum on Friday.", "Zhou Yiran", "byline"),
    ("Photo by Zhao Lei", "Zhao Lei", "byline"),
    ("\u201cAs Premier Li Qiang said, openness brings progress,\u201d Mayor Lu Fang told the forum.",
     "Li Qiang", "quoted"),
]


@pytest.mark.parametrize(("text", "name", "reason"), EN_NOT_PARTICIPANTS)
def test_english_non_participants(text: str, name: str, reason: str) -> None:
    found = people(text, "en")
    assert name in found
    assert not found[name].participant
    assert found[name].reason == reason
    assert found["Lu Fang"].participant if "Lu Fang" in text else True


EN_NOT_PERSONS = [
    "The delegation visited Hong Kong and Macao last week.",
    "They walked from Tian An Men Square to Wang Fu Jing Street.",
    "Ping An said profits rose, and China Telecom agreed.",
    "Mianyang, Chongqing and Chengdu signed an agreement on the Long March culture park.",
    "The Changhong Intelligent Manufacturing Industrial Park opened in Fucheng District.",
    "Feng Shui and Tai Chi are popular with tourists.",
    "Shanghai Daily reported that Sinopec and CNOOC will invest.",
    "The chairman of Xishan Coal Electricity and the head of Hong Kong Polytechnic University spoke.",
]


@pytest.mark.parametrize("text", EN_NOT_PERSONS)
def test_english_text_without_people(text: str) -> None:
    assert find_persons(text, "en") == []


EN_ROLES = [
    ("On July 9, the Deputy Secretary of the Leshan Municipal Party Committee and mayor Zhang Tong "
     "chaired the meeting.", "Zhang Tong",
     "Deputy Secretary of the Leshan Municipal Party Committee and mayor"),
    ("Wu Tao, the Secretary-General of the municipal government, attended.", "Wu Tao",
     "Secretary-General of the municipal government"),
    ("Liu Hui, Deputy Secretary of the CPC Xining Municipal Committee, Mayor of Xining Municipal People's "
     "Government met the guests.", "Liu Hui",
     "Deputy Secretary of the CPC Xining Municipal Committee, Mayor of Xining Municipal People's Government"),
    ("The vice mayors Zhou Jie, Qian Lei and He Ming attended.", "Qian Lei", "vice mayors"),
    ("Secretary-General Yao Bin of the municipal government attended.", "Yao Bin",
     "Secretary-General of the municipal government"),
    ("Singapore's Ambassador to China Peter Tan joined them.", "Peter Tan",
     "Singapore's Ambassador to China"),
    ("Vice Mayor Jiang Ping and Hou Jun were present.", "Hou Jun", None),
]


@pytest.mark.parametrize(("text", "name", "role"), EN_ROLES)
def test_english_roles(text: str, name: str, role: str | None) -> None:
    assert people(text, "en")[name].role == role


def test_english_short_references_fold_into_full_names() -> None:
    text = ("Mrs Grace Fu met Secretary Wang Hai and Mayor Tang Bo on Tuesday. Mrs Fu thanked Secretary "
            "Wang for the reception. Tang said the city welcomes Singapore companies.")
    found = dedupe_persons(find_persons(text, "en"))
    assert [p.name for p in found] == ["Grace Fu", "Wang Hai", "Tang Bo"]
    assert all(p.participant for p in found)


def test_short_reference_goes_to_the_person_with_that_title() -> None:
    text = ("Chen Lan, Secretary of the Municipal Party Committee, and Chen Bo, chairman of Jinhe Group, "
            "met. Secretary Chen welcomed the guests.")
    found = find_persons(text, "en")
    short = next(p for p in found if p.name == "Secretary Chen")
    merged = dedupe_persons(found)
    assert [p.name for p in merged] == ["Chen Lan", "Chen Bo"]
    assert short.role == "Secretary"


def test_english_offsets_point_at_the_name() -> None:
    text = FIXTURES.joinpath("en_luzhou_battery.txt").read_text(encoding="utf-8")
    for p in find_persons(text, "en"):
        assert text[p.start:p.end] == p.name
        assert p.latin == p.name


# --------------------------------------------------------------------------------------------
# Chinese persons
# --------------------------------------------------------------------------------------------

ZH_PARTICIPANTS = [
    ("3月5日,市委书记、市长王建军会见了比亚迪股份有限公司副总裁李云飞一行。", {"王建军", "李云飞"}),
    ("副市长赵丽、市政府秘书长孙涛参加会见。", {"赵丽", "孙涛"}),
    ("县领导欧阳明、司马光、陈晓等出席签约仪式。", {"欧阳明", "司马光", "陈晓"}),
    ("贵州省工业和信息化厅厅长杨宏表示,将深化合作。", {"杨宏"}),
    ("区长郑浩会见浙江吉利控股集团董事长罗伟一行。郑浩表示欢迎。罗伟说,将加快项目建设。", {"郑浩", "罗伟"}),
    ("德国驻成都总领事斐文博一行拜会了市长。", {"斐文博"}),
    ("会上,区委副书记、区长单晓峰指出,要加快建设。", {"单晓峰"}),
    ("韩国驻华大使金永哲一行到访。", {"金永哲"}),
    ("副市长胡海和县委常委徐丽参加。", {"胡海", "徐丽"}),
]


@pytest.mark.parametrize(("text", "expected"), ZH_PARTICIPANTS)
def test_chinese_participants(text: str, expected: set[str]) -> None:
    assert participants(text, "zh") == expected


ZH_NOT_PARTICIPANTS = [
    ("市长王建军主持会议。(记者 张三 李四)", {"张三", "李四"}),
    ("本报讯(记者康文)市长王建军主持会议。", {"康文"}),
    ("市长王建军主持会议。\n作者:李明亮", {"李明亮"}),
    ("图为会议现场。刘晓东 摄", {"刘晓东"}),
    ("中新网长沙6月3日电(周磊 陈琳)市长王建军主持会议。", {"周磊", "陈琳"}),
    ("市长王建军主持会议,双方交流了情况。(李俊)", {"李俊"}),
]


@pytest.mark.parametrize(("text", "bylines"), ZH_NOT_PARTICIPANTS)
def test_chinese_bylines(text: str, bylines: set[str]) -> None:
    found = people(text, "zh")
    assert {n for n, p in found.items() if not p.participant} == bylines
    assert all(found[n].reason == "byline" for n in bylines)
    if "王建军" in text:
        assert found["王建军"].participant


ZH_NOT_PERSONS = [
    "双方表示,将进一步加强合作。",
    "全市上下要强化责任担当。",
    "会长单位、理事长单位参加会议。",
    "领导干部要带头落实。",
    "中国建筑股份有限公司(广西)总部落户玉林。",
    "京东(盛驰)冷链项目签约。",
    "云南省表示支持。",
]


@pytest.mark.parametrize("text", ZH_NOT_PERSONS)
def test_chinese_text_without_people(text: str) -> None:
    assert find_persons(text, "zh") == []


ZH_ROLES = [
    ("中国二冶集团有限公司党委书记、董事长徐永锋一行到访。", "徐永锋", "党委书记、董事长"),
    ("市委副书记、市长罗强会见客人。", "罗强", "市委副书记、市长"),
    ("四川省经济和信息化厅副厅长皮亦鸣出席。", "皮亦鸣", "副厅长"),
    ("瑞典驻华大使宋莲一行。", "宋莲", "瑞典驻华大使"),
    ("集团公司党委常委、副总经理张旭、朱安平参加会见。", "朱安平", "党委常委、副总经理"),
]


@pytest.mark.parametrize(("text", "name", "role"), ZH_ROLES)
def test_chinese_roles(text: str, name: str, role: str) -> None:
    assert people(text, "zh")[name].role == role


@pytest.mark.parametrize(("name", "latin"), [
    ("皮亦鸣", "Pi Yiming"),
    ("单晓峰", "Shan Xiaofeng"),
    ("曾志伟", "Zeng Zhiwei"),
    ("解芳芳", "Xie Fangfang"),
    ("仇国平", "Qiu Guoping"),
    ("区家明", "Ou Jiaming"),
    ("查海生", "Zha Haisheng"),
    ("欧阳华", "Ouyang Hua"),
    ("刘革安", "Liu Ge'an"),
    ("吕方", "Lv Fang"),
])
def test_chinese_latin(name: str, latin: str) -> None:
    found = find_persons(f"市长{name}出席会议。", "zh")
    assert [(p.name, p.latin) for p in found] == [(name, latin)]


def test_chinese_referred_to_is_not_a_participant() -> None:
    text = "中共中央总书记、国家主席习近平的重要讲话精神。市长王刚主持会议。"
    found = people(text, "zh")
    assert not found["习近平"].participant
    assert found["王刚"].participant


def test_chinese_offsets_point_at_the_name() -> None:
    text = FIXTURES.joinpath("zh_xiangyang_signing.txt").read_text(encoding="utf-8")
    for p in find_persons(text, "zh"):
        assert text[p.start:p.end] == p.name


# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------

EN_ORGS = [
    ("After hearing the reports of Jinhe Holding Company, Tianfu Group, Deyang Branch of China Unicom and "
     "Municipal Economic and Information Bureau, the mayor spoke.",
     {"Jinhe Holding Company": "company", "Tianfu Group": "company",
      "Deyang Branch of China Unicom": "company", "Municipal Economic and Information Bureau": "government"}),
    ("Participants visited the production line of Xinyuan Technology and the plant of Baota Chemical "
     "Company.",
     {"Xinyuan Technology": "company", "Baota Chemical Company": "company"}),
    ("The Ministry of Foreign Affairs and the Chinese Academy of Sciences co-hosted it.",
     {"Ministry of Foreign Affairs": "government", "Chinese Academy of Sciences": "university"}),
    ("Hangzhou Dahua Technology Co., Ltd. and Zhejiang University signed an agreement.",
     {"Hangzhou Dahua Technology Co., Ltd.": "company", "Zhejiang University": "university"}),
    ("Kunming Fenghe Internet Industrial Park signed deals with the Yunnan Software Association.",
     {"Kunming Fenghe Internet Industrial Park": "other", "Yunnan Software Association": "association"}),
    ("Jinfeng Energy and Xiangyu Group made speeches.",
     {"Jinfeng Energy": "company", "Xiangyu Group": "company"}),
    ("Gong Li, chairman of Nanshan Electric Group Co., Ltd., signed it.",
     {"Nanshan Electric Group Co., Ltd.": "company"}),
]


@pytest.mark.parametrize(("text", "expected"), EN_ORGS)
def test_english_organizations(text: str, expected: dict[str, str]) -> None:
    found = orgs(text, "en")
    assert {name: found[name].kind for name in expected if name in found} == expected


@pytest.mark.parametrize(("text", "absent"), [
    ("Jinfeng Energy and Xiangyu Group made speeches.", "Jinfeng Energy and Xiangyu Group"),
    ("The film \u201cCultivating New Kinetic Energy\u201d was shown.", "Cultivating New Kinetic Energy"),
    ("China Minmetals' President and Party Group Deputy Secretary spoke.", "Party Group"),
    ("Wang Li and Hefei Heating Group Chairman Zhou Bo met.", "Wang Li and Hefei Heating Group"),
])
def test_english_organization_boundaries(text: str, absent: str) -> None:
    assert absent not in orgs(text, "en")


@pytest.mark.parametrize(("text", "key", "industries"), [
    ("The city deepened cooperation with Huawei and ZTE.", "@huawei", ("telecom", "smart-devices")),
    ("Hangzhou Hikvision Digital Technology Co., Ltd. opened a plant.", "@hikvision",
     ("smart-devices", "big-data-ai")),
    ("Vivo and OPPO expanded their factories.", "@oppo", ("smart-devices",)),
    ("The Wuhan Branch of China Mobile signed the 5G deal.", "@china-mobile", ("telecom",)),
])
def test_known_companies(text: str, key: str, industries: tuple[str, ...]) -> None:
    found = {o.key: o for o in find_organizations(text, "en")}
    assert found[key].industries == industries
    assert found[key].kind == "company"


ZH_ORGS = [
    ("四川英创力电子科技股份有限公司与重庆瀚鼎节能系统工程有限公司举行合作签约。",
     {"四川英创力电子科技股份有限公司": "company", "重庆瀚鼎节能系统工程有限公司": "company"}),
    ("大途电子(深圳)有限公司与四川新翔智联科技有限公司举行签约。",
     {"大途电子(深圳)有限公司": "company", "四川新翔智联科技有限公司": "company"}),
    ("会上,四川省经信厅和重庆市经信委就合作进行签约。",
     {"四川省经信厅": "government", "重庆市经信委": "government"}),
    ("湖南省经济和信息化厅副厅长王明出席。", {"湖南省经济和信息化厅": "government"}),
    ("四川省智能终端产业联盟、重庆市通信智能终端产业协会、四川省5G产业联盟还进行签约。",
     {"四川省智能终端产业联盟": "association", "重庆市通信智能终端产业协会": "association",
      "四川省5G产业联盟": "association"}),
    ("郑州市政府、工信局、商务局、驻沪办有关负责人参加。",
     {"郑州市政府": "government", "工信局": "government", "商务局": "government", "驻沪办": "government"}),
    ("州政府与中国电力工程顾问集团有限公司签订协议。",
     {"州政府": "government", "中国电力工程顾问集团有限公司": "company"}),
    ("周杏来到修水百亿模具数字产业园和江家坪装备制造配套产业园。",
     {"修水百亿模具数字产业园": "other", "江家坪装备制造配套产业园": "other"}),
    ("吉林省长春市汽车产业开发区管委会与一汽解放集团股份有限公司举行签约。",
     {"吉林省长春市汽车产业开发区管委会": "government", "一汽解放集团股份有限公司": "company"}),
    ("中国二冶集团有限公司党委书记、董事长徐永锋一行到访。", {"中国二冶集团有限公司": "company"}),
]


@pytest.mark.parametrize(("text", "expected"), ZH_ORGS)
def test_chinese_organizations(text: str, expected: dict[str, str]) -> None:
    found = orgs(text, "zh")
    assert {name: found[name].kind for name in expected if name in found} == expected


@pytest.mark.parametrize("text", [
    "企业有事马上办,加快推进产业布局。",
    "引入公司化管理模式,建设现代化工厂。",
    "双方聚焦集团公司总部建设。",
    "康佳集团在四川和重庆都设有产业园,包括宜宾的智能终端高科技产业园。",
    "加快新型电力系统示范区建设。",
])
def test_chinese_phrases_that_are_not_organizations(text: str) -> None:
    names = set(orgs(text, "zh")) - {"康佳集团"}
    assert names == set()


@pytest.mark.parametrize(("text", "key"), [
    ("集聚了华为、京东方、清华紫光等一批龙头企业。", "@boe"),
    ("华为技术有限公司在宜宾设厂。", "@huawei"),
    ("先后引进了国电投、中国通号、保利集团等项目。", "@crsc"),
])
def test_chinese_known_companies(text: str, key: str) -> None:
    assert key in {o.key for o in find_organizations(text, "zh")}


def test_latin_brand_names_in_chinese_text() -> None:
    keys = {o.key for o in find_organizations("TCL与OPPO在惠州签约,vivo也参加了。", "zh")}
    assert keys == {"@tcl", "@oppo", "@vivo"}


@pytest.mark.parametrize("text", [
    "要集中建设一批重点项目。",  # 中建 inside 集中建设
    "像五矿二十三冶这样的企业积极参与。",  # 五矿 inside a longer name
])
def test_short_chinese_aliases_need_word_boundaries(text: str) -> None:
    assert not any(o.key.startswith("@") for o in find_organizations(text, "zh"))


def test_dedupe_organizations_merges_forms_of_one_name() -> None:
    text = ("Li Jun, chairman of Hefei Heating Group Company, spoke. The Heating Group will add boilers. "
            "Huawei Technologies Co., Ltd. and Huawei signed.")
    merged = dedupe_organizations(find_organizations(text, "en"))
    assert [(o.name, o.key) for o in merged] == [
        ("Hefei Heating Group Company", "hefeiheatinggroup"),
        ("Huawei Technologies Co., Ltd.", "@huawei"),
    ]


def test_dedupe_organizations_chinese_legal_suffix() -> None:
    text = "中国二冶集团有限公司董事长到访。中国二冶集团发展历史悠久。"
    merged = dedupe_organizations(find_organizations(text, "zh"))
    assert [o.name for o in merged] == ["中国二冶集团有限公司"]


def test_sub_unit_keeps_its_parent() -> None:
    text = "康佳集团移动互联事业部总经理周剑表示欢迎。"
    assert {"康佳集团", "康佳集团移动互联事业部"} <= set(orgs(text, "zh"))


def test_empty_text() -> None:
    assert find_persons("", "en") == [] and find_organizations("", "zh") == []
    assert dedupe_persons([]) == [] and dedupe_organizations([]) == []


# --------------------------------------------------------------------------------------------
# Whole articles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["en_luzhou_battery", "zh_xiangyang_signing"])
def test_fixture_article(stem: str) -> None:
    text = normalize(FIXTURES.joinpath(f"{stem}.txt").read_text(encoding="utf-8"))
    expected = json.loads(FIXTURES.joinpath(f"{stem}.json").read_text(encoding="utf-8"))
    language = expected["language"]
    found = people(text, language)
    assert {n for n, p in found.items() if p.participant} == set(expected["participants"])
    assert {n for n, p in found.items() if not p.participant} == set(expected["not_participants"])
    for name, role in expected["roles"].items():
        assert (found[name].role or "").endswith(role), name
    for name, latin in expected.get("latin", {}).items():
        assert found[name].latin == latin
    organizations = orgs(text, language)
    for name, kind in expected["organizations"].items():
        assert organizations[name].kind == kind, name
    for name, industries in expected["industries"].items():
        assert set(industries) <= set(organizations[name].industries), name
    assert not set(expected["not_organizations"]) & set(organizations)


# --------------------------------------------------------------------------------------------
# Any input
# --------------------------------------------------------------------------------------------

_PIECES = ["Mr", "Mr.", "H.E.", "Dato’", "Sri", "Wang", "Li", "Haiyin", "mayor", "Mayor", "of", "the",
           "Group", "Co.,", "Ltd.", "and", "Bureau", "said", "(", ")", "Reporter", "'s", "Park", "Vice", "D.",
           ",", ".", "\n", "市长", "王建军", "、", "有限公司", "（记者", "张三）", "摄", "经济和信息化厅",
           "驻", "大使", "一行"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from(["en", "zh"]))
def test_any_text_gives_consistent_offsets(pieces: list[str], language: str) -> None:
    text = " ".join(pieces)
    persons = find_persons(text, language)
    organizations = find_organizations(text, language)
    assert all(text[p.start:p.end] == p.name for p in persons)
    assert all(text[o.start:o.end] == o.name for o in organizations)
    assert len(dedupe_persons(persons)) <= len(persons)
    assert len(dedupe_organizations(organizations)) <= len(organizations)


# --------------------------------------------------------------------------------------------
# Fast paths against the plain definitions they replace
# --------------------------------------------------------------------------------------------

_TOKEN_PIECES = st.sampled_from(["Mr.", "Dr", "Co.,", "D.", "H.E.", "U.S.", "Min’er", "Ka-chiu", "Dato’", "’s", "'s",
                                 "x-ray", "e-Commerce", "2.5", "10:30", "٣", "é", "Ⅻ", "中", "(", ",", ".", " ", "  ",
                                 "\n", "\n\n", "\t", "Zhou", "said", "Vice-Mayor"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKEN_PIECES, max_size=30).map("".join))
def test_tokens_tile_the_text(text: str) -> None:
    tk = _tokenize.__wrapped__(text)
    assert tk.n == len(tk.text) == len(tk.start) == len(tk.low) == len(tk.nl)
    assert all(text[s:e] == t for t, s, e in zip(tk.text, tk.start, tk.end, strict=True))
    assert "".join(tk.text) == "".join(text.split())  # every non-space character, in order, once
    gaps = [text[e:s] for e, s in zip([0, *tk.end], tk.start, strict=False)]
    assert tk.nl == ["\n" in gap for gap in gaps]
    assert tk.caps == [k for k, t in enumerate(tk.text) if t[0].isupper()]


def _reference_quote_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"“[^”\n]*”|\"[^\"\n]*\"", text)]


@pytest.mark.parametrize("text", ['He said "yes" and “no”.', '"a"b"c"', "“open\n”close”", '"', "“”", '“"', ""])
def test_quote_spans(text: str) -> None:
    assert _quote_spans(text) == _reference_quote_spans(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["“", "”", '"', "\n", "a", " "]), max_size=30).map("".join))
def test_quote_spans_match_the_regex(text: str) -> None:
    assert _quote_spans(text) == _reference_quote_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["By", "BY", " ", "\t", "\n", "Reporter", ":", "Li Na", "x", "Photo by", "\n\n"]),
                max_size=14).map("".join))
def test_line_start_groups_match_finditer(text: str) -> None:
    pattern = _lexicon().byline_line_re
    assert _line_start_groups(pattern, text) == [m.span(1) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("word", "count"), [
    ("Wei", 1), ("Xiaoming", 2), ("Zhuang", 1), ("Jianguo", 2), ("Xi'an", 2), ("Ka-chiu", 0), ("Smith", 0),
    ("Zhangweiguo", 0), ("", 0), ("Er", 1), ("Anan", 2),
])
def test_syllable_count_is_one_or_two_else_zero(word: str, count: int) -> None:
    assert _syllable_count.__wrapped__(word) == count


@pytest.mark.parametrize(("name", "key"), [
    ("Teo", ("Teo", "")),
    ("Mrs Teo", ("Teo", "")),
    ("Secretary Chen", ("Chen", "secretary")),
    ("Party Secretary Li", ("Li", "party secretary")),
    ("Zhou Haiyin", None),
    ("Christine D. Walters", None),
    ("周海音", None),
])
def test_short_keys(name: str, key: tuple[str, str] | None) -> None:
    assert _short_key_of.__wrapped__(name) == key


def test_lone_mentions_pass_dedupe_unchanged() -> None:
    person = PersonMention("Zhou Haiyin", "mayor", 0, 11, "Zhou Haiyin", True)
    company = OrgMention("Jialing Steel Group", 20, 39, "jialingsteel", "company", ("steel",))
    assert dedupe_persons([person]) == [person]
    assert dedupe_organizations([company]) == [company]
    repeated = OrgMention("Jialing Steel Group", 20, 39, "jialingsteel", "company", ("steel", "steel"))
    assert dedupe_organizations([repeated])[0].industries == ("steel",)
