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


# --------------------------------------------------------------------------------------------
# Names right after titles, lists of names and of visited companies (real-article patterns)
# --------------------------------------------------------------------------------------------

ZH_TITLED_NAMES = [
    # given names with characters that elsewhere stop a name (和 为 之 业 员 记 在): the title vouches
    ("市长邱和平出席签约仪式。", {"邱和平"}),
    ("区委书记柯为民在会上致辞。", {"柯为民"}),
    ("集团党委书记、董事长葛之远会见客人。", {"葛之远"}),
    ("市委常委、副市长亓鸿业主持。", {"亓鸿业"}),
    ("市政府秘书长应在川等参加。", {"应在川"}),
    ("县长钟记林表示，要加快建设。", {"钟记林"}),
    ("市长卫高员出席。", {"卫高员"}),
    # a foreign name with a middle dot, without the 一行/等 after it
    ("新贝尔格莱德市市长安娜·科瓦奇一行参观了园区。", {"安娜·科瓦奇"}),
    ("副市长安娜·科瓦奇等出席。", {"安娜·科瓦奇"}),
]


@pytest.mark.parametrize(("text", "expected"), ZH_TITLED_NAMES)
def test_chinese_names_right_after_titles(text: str, expected: set[str]) -> None:
    assert participants(text, "zh") == expected


ZH_NO_NAME_AFTER_TITLE = [
    "分管领导和责任单位要加大督促力度。",  # 和责: a name never starts with 和
    "第一书记和工作队负责同志参加。",
    "两地于2015年建立友好城市关系。",  # 年建立
    "嘉宾会见代表团一行，代表团一行参观了园区。",  # a collective noun
    "李默代表区委、区政府对来宾表示欢迎。",  # 区政府 is an organ, not 区 + 政府
    "要发挥领导包保、部门包抓作用。",  # a bare 领导 is no title
    "向滨海市长期以来的支持表示感谢。",  # 市长 inside 市 + 长期
    "海南侨乡长坡举行节庆活动。",  # 乡长 inside 侨乡 + 长坡
]


@pytest.mark.parametrize("text", ZH_NO_NAME_AFTER_TITLE)
def test_chinese_words_after_titles_are_not_names(text: str) -> None:
    assert find_persons(text, "zh") == []


ZH_NAME_LISTS = [
    # before 等 + a plural role word
    ("仪式开始。孙立平、钱国栋、卢以霞、马建新等市领导出席仪式。", {"孙立平", "钱国栋", "卢以霞", "马建新"}),
    ("会上，钟明远、黄晓东等县领导和企业代表参加活动。", {"钟明远", "黄晓东"}),
    # a long list before 等, cut off where the page ends
    ("启动水晶球。\n钟明远、黄晓东、欧阳伟、苏敏、邓建国、范磊等县",
     {"钟明远", "黄晓东", "欧阳伟", "苏敏", "邓建国", "范磊"}),
    # a list with a name known from its title elsewhere
    ("常务副市长韦启明主持。韦启明、罗晓东出席。", {"韦启明", "罗晓东"}),
    # a title before the list covers the names after 、 too, with their own characters
    ("市领导邓传记、蒋之华，市政府秘书长甘在林等参加。", {"邓传记", "蒋之华", "甘在林"}),
    # a name with its title after it, at a line start
    ("全体干部参加。\n覃立新书记要求，要抓好落实。", {"覃立新"}),
]


@pytest.mark.parametrize(("text", "expected"), ZH_NAME_LISTS)
def test_chinese_lists_of_names(text: str, expected: set[str]) -> None:
    assert participants(text, "zh") == expected


@pytest.mark.parametrize("text", [
    "江苏、浙江、上海、安徽等地客商参加。",
    "高质量、高标准、高效率推进项目建设。",
    "黄河、长江、淮河、汉江等流域。",
    "金融、物流、商贸、石化等产业。",
])
def test_chinese_lists_that_are_not_people(text: str) -> None:
    assert find_persons(text, "zh") == []


ZH_ORG_LISTS = [
    ("调研组先后到鑫达包装、恒瑞电气、青禾食品等企业调研。", {"鑫达包装", "恒瑞电气", "青禾食品"}),
    ("代表团还考察了临江会堂文化艺术中心、东元电气股份有限公司。", {"临江会堂文化艺术中心", "东元电气股份有限公司"}),
    ("代表团参观了滨江科技园区以及中兴、旭光激光、蓝海智能等企业。", {"滨江科技园区", "中兴", "旭光激光", "蓝海智能"}),
    ("市领导和远洋建材有限公司、金河纺织、立信机械等新开工项目业主出席。",
     {"远洋建材有限公司", "金河纺织", "立信机械"}),
    ("巡查组先后来到远洋建材有限公司、金河物流园项目、华诚纺织厂区、立信机械有限公司，了解生产情况。",
     {"远洋建材有限公司", "金河物流园", "华诚纺织", "立信机械有限公司"}),
]


@pytest.mark.parametrize(("text", "expected"), ZH_ORG_LISTS)
def test_chinese_lists_of_companies_visited(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "zh")) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("参观了生物医药、新材料等项目。", set()),  # trades, not names
    ("引进鑫达包装、恒瑞电气等企业。", set()),  # no visit and no organisation found by its suffix
    ("走访了周明、李强等企业家。", set()),
    ("市委常委、宣传部部长蒋丽出席。", set()),  # a bare department inside a title
    ("市委常委、市委办公室主任满强，市政府办公室主任杜平参加。", set()),
    ("市委副书记、政法委书记刘勇宣布开工。", set()),
    ("省委书记、省人大常委会主任许明讲话。", set()),  # bare organs inside titles
    ("佳禾将按照省委、省政府部署推进。", {"省委", "省政府"}),
    ("向全县人民昭示县委、县政府的决心。", {"县委", "县政府"}),
    ("形成热火朝天的项目建设局面。", set()),
    ("县委县政府高度重视。", {"县委", "县政府"}),
    ("温岭市委宣传部和城南区委参加。", {"温岭市委宣传部", "城南区委"}),
])
def test_chinese_offices_and_phrases(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "zh")) == expected


EN_NEW_PERSONS = [
    ("In attendance were Lü Jianhua, a member of the Standing Committee, and others.", {"Lü Jianhua"}),
    ("Deputy General Manager Ms. Zhou ling’ ai signed the contract.", {"Zhou ling’ ai"}),
    ("Secretary Liu Inspects Flood Control Work in Ruian\n\nSecretary Liu Wenbo visited the dams.", {"Liu Wenbo"}),
    ("Mayor Anna Kovac Meets Business Delegation From Ningbo\n\nThe talks were held on Monday.", {"Anna Kovac"}),
    ("Ruian Leaders Visited Companies outside Fujian\nCity leaders Wang Fang and Li Ming attended.",
     {"Wang Fang", "Li Ming"}),
]


@pytest.mark.parametrize(("text", "expected"), EN_NEW_PERSONS)
def test_english_accents_split_syllables_and_headlines(text: str, expected: set[str]) -> None:
    assert participants(text, "en") == expected


def test_english_name_inside_a_project_name_is_no_person() -> None:
    text = "Zhou Wei and his team came to the Hon Gao Ming Project and the Lanfeng Textile Project."
    assert participants(text, "en") == {"Zhou Wei"}


EN_NEW_ORGS = [
    ("Ruian signed an agreement with Haiyang municipal government on Monday.", {"Haiyang municipal government"}),
    ("Qiaotou town government signed a contract with Ningbo Lanfeng Textile Co., Ltd.",
     {"Qiaotou town government", "Ningbo Lanfeng Textile Co., Ltd."}),
    ("It was held in the conference room of Xinhe government.", {"Xinhe government"}),
    ("Several Haiyang government officials attended. The Chinese government welcomed it.", set()),
    ("Zhou Wei, a member of the Standing Committee of the Municipal Party Committee and Minister of the "
     "Propaganda Department, and Secretary of the Party Working Committee Lin Tao attended.", set()),
    ("They visited the Sunrise (Ningbo) Precision Machinery Co., Ltd. on Monday.",
     {"Sunrise (Ningbo) Precision Machinery Co., Ltd."}),
    ("The team came to the Lanfeng Textile Project, Baiyun Cold Chain Base and other sites to learn more.",
     {"Lanfeng Textile Project", "Baiyun Cold Chain Base"}),
    ("The main venue was the Chengbei Campus Project of the city.", set()),  # no visit: a venue
]


@pytest.mark.parametrize(("text", "expected"), EN_NEW_ORGS)
def test_english_governments_sites_and_title_fragments(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "en")) == expected


def test_known_company_in_page_furniture_is_skipped() -> None:
    text = "The delegation met the mayor.\n\nPowered By Tencent\n"
    assert not [o for o in find_organizations(text, "en") if o.key.startswith("@")]
    assert find_organizations("Tencent signed the deal.", "en")


@pytest.mark.parametrize(("text", "expected"), [
    ("At Ningbo Haitian new energy storage station, Lanfeng silk quality center, Xinke chip packaging base and "
     "other project sites, the leaders listened to reports.",
     {"Ningbo Haitian new energy storage station", "Lanfeng silk quality center", "Xinke chip packaging base"}),
    ("Zhou visited Lantai chemical industry, KMS industrial park and some other projects to check progress.",
     {"Lantai chemical industry", "KMS industrial park"}),
    ("The province will develop new energy, new materials and other industries.", set()),
    ("Cities such as Ningbo, Wenzhou and other cities joined.", set()),
])
def test_english_and_other_lists(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "en")) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The mayor thanked China Hengtai for its support. The city will back China Hengtai’s growth.",
     {"China Hengtai"}),
    ("The mayor thanked China Hengtai for its support.", set()),  # named once: too weak
    ("China Daily reported it. China Daily said so.", set()),  # not a pinyin brand
])
def test_english_china_brands(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "en")) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Minister of the Organization Department of the Ruian Municipal Party Committee Gao Jianhua attended.",
     {"Organization Department of the Ruian Municipal Party Committee"}),
    ("The Ministry of Commerce of China Wang Bo met them.", {"Ministry of Commerce of China"}),
])
def test_english_organization_stops_before_a_name(text: str, expected: set[str]) -> None:
    assert set(orgs(text, "en")) == expected


def test_chinese_organization_stops_at_a_visit_verb() -> None:
    assert set(orgs("市长罗建拜访海淀区政府。", "zh")) == {"海淀区政府"}
