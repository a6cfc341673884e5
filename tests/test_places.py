"""Gazetteer lookup and event-place resolution (events/places.py).

The sentences are written for these tests in the style of the seeds, with other places and people.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import places
from events.schema import Location
from tests.conftest import shared_path


def names(text: str, language: str) -> list[tuple[str, str | None]]:
    return [(m.place.name, m.place.admin1) for m in places.find_places(text, language)]


# --------------------------------------------------------------------------------------------
# finding places


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("The expo opened in Luzhou, Sichuan Province on Tuesday.", "en",
         [("Luzhou", "Sichuan"), ("Sichuan", "Sichuan")]),
        ("The delegation visited Harbin and Qiqihar.", "en", [("Harbin", "Heilongjiang"), ("Qiqihar", "Heilongjiang")]),
        ("Officials from Hohhot and Urumqi attended.", "en", [("Hohhot", "Inner Mongolia"), ("Urumqi", "Xinjiang")]),
        ("A forum was held in Xi'an.", "en", [("Xi'an", "Shaanxi")]),
        ("A forum was held in Xi’an.", "en", [("Xi'an", "Shaanxi")]),
        ("Projects broke ground in Dongtai City and Funing County.", "en",
         [("Dongtai", "Jiangsu"), ("Funing", "Jiangsu")]),
        ("签约仪式在湖南株洲举行。", "zh", [("Hunan", "Hunan"), ("Zhuzhou", "Hunan")]),
        ("会议在江西省赣州市召开。", "zh", [("Jiangxi", "Jiangxi"), ("Ganzhou", "Jiangxi")]),
        ("市长前往大理白族自治州调研。", "zh", [("Dali", "Yunnan")]),
        ("伊金霍洛旗与准格尔旗签署协议。", "zh", [("Ejin Horo", "Inner Mongolia"), ("Jungar", "Inner Mongolia")]),
        ("The talks were held in Kuala Lumpur.", "en", [("Kuala Lumpur", "Kuala Lumpur")]),
        ("He flew from Melaka to Johor Bahru.", "en", [("Malacca", "Malacca"), ("Johor Bahru", "Johor")]),
        ("吉隆坡和马六甲", "zh", [("Kuala Lumpur", "Kuala Lumpur"), ("Malacca", "Malacca")]),
        ("The Governor of Hong Kong SAR and officials of Macao", "en",
         [("Hong Kong", "Hong Kong"), ("Macau", "Macau")]),
        ("访问团抵达阿联酋", "zh", [("United Arab Emirates", None)]),
        ("Trade between the UAE and the U.S. grew.", "en", [("United Arab Emirates", None), ("United States", None)]),
    ],
)
def test_find_places(text: str, language: str, expected: list[tuple[str, str | None]]) -> None:
    assert names(text, language) == expected


def test_mentions_carry_offsets_and_surface() -> None:
    text = "会议在四川泸州市举行。"
    found = places.find_places(text, "zh")
    assert [(m.start, m.end, m.text) for m in found] == [(3, 5, "四川"), (5, 8, "泸州市")]
    assert all(text[m.start : m.end] == m.text for m in found)


@pytest.mark.parametrize(
    ("text", "language", "expected_key"),
    [
        # homonyms: the province or city named nearby decides
        ("Suzhou, Anhui Province, hosted the fair.", "en", "341300"),
        ("Suzhou hosted the fair; the Gusu District government attended.", "en", "320500"),
        ("Suzhou hosted the fair.", "en", "320500"),  # alone: the larger city
        ("Yulin, Shaanxi signed the deal.", "en", "610800"),
        ("The Yulin expo opened in Guangxi.", "en", "450900"),
        ("南京市鼓楼区召开会议", "zh", "320106"),
        ("福州市鼓楼区召开会议", "zh", "350102"),
        ("北京市朝阳区", "zh", "110105"),
        ("Taizhou, Zhejiang Province", "en", "331000"),
        ("Xishan District of Kunming", "en", "530112"),
        ("Xishan District of Wuxi City", "en", "320205"),
        ("吉林省松原市", "zh", "220700"),
    ],
)
def test_homonyms_resolved_by_context(text: str, language: str, expected_key: str) -> None:
    keys = [m.place.key for m in places.find_places(text, language)]
    assert expected_key in keys


@pytest.mark.parametrize(
    ("text", "language", "key", "name", "country"),
    [
        ("China signed the agreement.", "en", "cc:CN", "China", "CN"),  # not a town in Mexico
        ("松原的企业", "zh", "220700", "Songyuan", "CN"),  # not Matsubara, Japan
        ("Mianyang hosted the forum.", "en", "510700", "Mianyang", "CN"),  # not the Hubei/Shaanxi towns
        ("吉林", "zh", "220000", "Jilin", "CN"),  # the province before the city of the same name
        ("海南", "zh", "460000", "Hainan", "CN"),  # the province before Qinghai's prefecture
        ("Anyang", "en", "410500", "Anyang", "CN"),  # Henan before Anyang, South Korea
    ],
)
def test_traps(text: str, language: str, key: str, name: str, country: str) -> None:
    (mention,) = places.find_places(text, language)
    assert (mention.place.key, mention.place.name, mention.place.country_code) == (key, name, country)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("京东方在合作中表现出色，来宾们参观了展厅。", "zh"),  # 东方市, 合作市, 来宾市
        ("阿里巴巴和德州仪器的代表出席。", "zh"),  # 阿里地区, 德州市
        ("朝鲜族群众和蒙古语", "zh"),  # ethnic group and language, not countries
        ("中山大学的专家在大关口上发言", "zh"),
        ("Reading is fun and the weather was nice.", "en"),
        ("Mobile phones, a clean split and some hope.", "en"),
        ("President Xi Jinping and Zhou Yongkang", "en"),
        ("Xinhua reported that Dongfeng Motor and Suning grew.", "en"),
        ("Gao Feng met Yao Ming.", "en"),
        ("china cups and a turkey dinner", "en"),
        ("Chief Executive Stanley Loh", "en"),
        ("Free trade zones attract investors.", "en"),
        ("Huawei, Mobile, Alibaba, Yili and Mengniu", "en"),  # company and brand lists
        ("永定河畔的大理石厂", "zh"),
        ("签约仪式在阿里巴巴举行", "zh"),  # a weak name inside a company name, before a venue verb
    ],
)
def test_common_words_are_not_places(text: str, language: str) -> None:
    assert places.find_places(text, language) == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("The fair was held in Nice, France.", "en", "Nice"),
        ("He studied in Reading.", "en", "Reading"),
        ("沙洋县和沙洋开发区", "zh", "Shayang"),  # bare 沙洋 counts once the county is named
        ("湖北荆门沙洋", "zh", "Shayang"),  # parent city right before a bare county name
        ("推介会在保定举行", "zh", "Baoding"),  # between a venue word and its verb
        ("代表团到大同考察调研", "zh", "Datong"),
        ("代表团到深圳、中山、南宁等地考察", "zh", "Zhongshan"),  # listed beside sure names
    ],
)
def test_weak_names_need_context(text: str, language: str, expected: str) -> None:
    assert expected in [name for name, _ in names(text, language)]


def test_bare_county_name_without_context_is_ignored() -> None:
    assert names("沙洋的风景", "zh") == []


def test_regions_hide_their_places() -> None:
    assert names("长三角一体化和粤港澳大湾区", "zh") == []
    assert names("the Yangtze River Delta and the Belt and Road", "en") == []


def test_renamed_units_keep_their_former_names() -> None:
    (old,) = places.find_places("户县", "zh")
    (new,) = places.find_places("鄠邑区", "zh")
    assert old.place == new.place and new.place.name == "Huyi" and new.place.admin1 == "Shaanxi"
    (yibin_county,) = places.find_places("宜宾县", "zh")
    assert yibin_county.place.name == "Xuzhou" and yibin_county.place.parent_key == "511500"


# --------------------------------------------------------------------------------------------
# exonyms: the Mongolian, Tibetan and Uyghur names English uses (GeoNames, via the gazetteer build)


@pytest.mark.parametrize(
    ("text", "key", "name", "admin1"),
    [
        # banners and leagues: GeoNames' "<X> Qi" forms, their bases and direction words
        ("A wind farm in Jungar Banner went into operation.", "150622", "Jungar", "Inner Mongolia"),
        ("Herders from Otog Banner sold cashmere at the fair.", "150624", "Otog", "Inner Mongolia"),
        ("The solar base in Uxin Banner doubled its output.", "150626", "Uxin", "Inner Mongolia"),
        ("Grassland officials of Hure Banner met the investors.", "150524", "Hure", "Inner Mongolia"),
        ("The Horqin Left Wing Middle Banner government signed the deal.", "150521", "Horqin Left Middle",
         "Inner Mongolia"),
        ("Horqin Left Rear Banner opened a cattle market.", "150522", "Horqin Left Rear", "Inner Mongolia"),
        ("A dairy plant opened in East Ujimqin Banner.", "152525", "East Ujimqin", "Inner Mongolia"),
        ("Dong Ujimqin Qi hosted the Naadam.", "152525", "East Ujimqin", "Inner Mongolia"),
        ("Urad Front Banner built a salt lake park.", "150823", "Urad Front", "Inner Mongolia"),
        ("New Barag Left Banner and its herders", "150726", "New Barag Left", "Inner Mongolia"),
        ("The Alxa League desert forum", "152900", "Alxa", "Inner Mongolia"),
        ("Dorbod Banner, the landing site", "150929", "Siziwang", "Inner Mongolia"),  # a translation: alias only
        ("Zhunge'er Banner", "150622", "Jungar", "Inner Mongolia"),  # the pinyin still names it
        ("准格尔旗", "150622", "Jungar", "Inner Mongolia"),
        # prefectures and counties of Tibet and Xinjiang
        ("The delegation arrived in Qamdo on Monday.", "540300", "Qamdo", "Tibet"),
        ("Chamdo's new airport road", "540300", "Qamdo", "Tibet"),
        ("Changdu City", "540300", "Qamdo", "Tibet"),
        ("Nyingchi hosted the peach blossom festival.", "540400", "Nyingchi", "Tibet"),
        ("A carpet factory in Shigatse", "540200", "Rikaze", "Tibet"),
        ("Xigaze signed the agreement.", "540200", "Rikaze", "Tibet"),
        ("Hotan Prefecture sent a trade delegation.", "653200", "Hetian", "Xinjiang"),
        ("The jade fair was held in Hotan.", "653200", "Hetian", "Xinjiang"),
        ("the Ili Kazak Autonomous Prefecture", "654000", "Yili", "Xinjiang"),
        ("Kumul melons", "650500", "Hami", "Xinjiang"),
        ("Lhaze County", "540225", "Lazi", "Tibet"),
        ("The new road reached Gyirong County.", "540234", "Jilong", "Tibet"),
    ],
)
def test_exonyms(text: str, key: str, name: str, admin1: str) -> None:
    (mention,) = places.find_places(text, "en" if text.isascii() else "zh")
    assert (mention.place.key, mention.place.name, mention.place.admin1) == (key, name, admin1)


@pytest.mark.parametrize(
    ("evidence", "key", "name"),
    [
        ("The investment fair was held in Dalad Banner on Friday.", "150621", "Dalad"),
        ("A coal chemical project was signed in Ejin Horo Banner.", "150627", "Ejin Horo"),
        ("The herders' cooperative held its meeting in Abag Banner.", "152522", "Abag"),
    ],
)
def test_banner_exonyms_as_event_places(evidence: str, key: str, name: str) -> None:
    found = places.resolve_event_place(evidence, evidence, title=None, source_name=None, language="en")
    assert found is not None
    place, how = found
    assert (place.key, place.name, place.admin1, place.level, how) == (key, name, "Inner Mongolia", "county", "venue")


@pytest.mark.parametrize(
    "text",
    [
        "IHS Markit said the PMI rose.",  # Markit (麦盖提县) is a weak alias: a company here
        "Kamil Nowak met the mayor.",  # a first name, not an alias of Hami (Kumul)
        "Urho Kekkonen visited the port.",  # a first name, not Wu'erhe district
        "The Oroqen people and the Ewenki herders",  # ethnic groups are not banner names on their own
        "Gyangze",  # a county's exonym needs a place context
    ],
)
def test_exonyms_are_not_words_or_people(text: str) -> None:
    assert names(text, "en") == []


def test_most_banners_have_their_english_names() -> None:
    banners = [r for r in places._read_tsv("gazetteer_cn.tsv") if r["name_zh"].endswith("旗")]
    named = [r for r in banners if "exonyms:geonames" in r["flags"]]
    assert len(banners) >= 49 and len(named) >= 40
    for row in named:
        assert f"{row['name']} Banner" in row["aliases"].split("|"), row["name_zh"]


# --------------------------------------------------------------------------------------------
# the event's place


@pytest.mark.parametrize(
    ("evidence", "body", "title", "source", "expected", "how"),
    [
        ("The summit was held in Deyang, Sichuan on May 3.", "", None, None, "Deyang", "venue"),
        ("峰会在四川德阳举行。", "", None, None, "Deyang", "venue"),
        ("论坛在广西最大侨乡北海市开幕。", "", None, None, "Beihai", "venue"),
        ("A forum was held on Monday in Huishan District of Wuxi City, east China's Jiangsu Province.", "",
         None, None, "Huishan", "venue"),
        ("The delegation made a short visit to Penang and was briefed on the projects.", "", None, None,
         "Penang", "venue"),
        ("They signed the MoU at the Grand Hotel in Kuala Lumpur.", "", None, None, "Kuala Lumpur", "venue"),
        ("The mayor met Thomas Weber, Mayor of Hamburg, and his delegation.",
         "Nanjing welcomed the guests. Nanjing and Hamburg are sister cities.", None, None, "Nanjing",
         "most_mentioned"),
        ("市长会见了瑞士驻华大使一行。", "成都日报 2020-01-02\n市长会见了瑞士驻华大使一行。", None, None, "Chengdu",
         "publisher"),
        ("Mayor Li hosted the executive meeting.", "Body without places.", None,
         "Luoyang Municipal People's Government Official Website", "Luoyang", "publisher"),
        ("The city's investment conference was held on June 2.", "The city's ...",
         "Guilin holds investment conference", None, "Guilin", "title"),
        ("The Chengdu-Chongqing region signed a pact in Zigong.", "", None, None, "Zigong", "venue"),
        ("成渝地区双城经济圈合作大会在内江举行。", "", None, None, "Neijiang", "venue"),
        ("The Governor of Shizuoka, Japan met Mayor Wang.", "Wang is mayor of Jinhua. Jinhua grew.", None, None,
         "Jinhua", "most_mentioned"),
        ("During their visit to the United Arab Emirates, the Fujian delegation held a promotion.", "", None, None,
         "United Arab Emirates", "venue"),
        ("6月5日，集团总经理会见了来访的洛阳市委副书记。", "6月5日，集团总经理会见了来访的洛阳市委副书记。", None, None,
         "Luoyang", "most_mentioned"),
        # the guests' home, once named as such, does not outweigh the host named less often
        ("4月2日，市长与来访的襄阳市委书记座谈。",
         "4月2日，市长与来访的襄阳市委书记座谈。宜昌与襄阳合作紧密。襄阳企业多。", None, None,
         "Yichang", "most_mentioned"),
        ("昨天，市长会见了由扬州市委书记率领的党政代表团一行。",
         "昨天，市长会见了由扬州市委书记率领的党政代表团一行。双方表示合作。\n泉州市领导参加会见。", None, None,
         "Quanzhou", "most_mentioned"),
        # the group's office in a city is the venue; the visitors' home city is not
        ("6月5日，格尔木市委副书记、市长王林一行到集团杭州总部走访调研。", "", None, None, "Hangzhou", "venue"),
        # organisers between "held by" and the place; a project's location is not the venue
        ("The Yunnan investment conference was held by the provincial committee and the provincial government "
         "in Xiamen.", "", None, None, "Xiamen", "venue"),
        ("One project was signed at the main venue in Nanning, namely the logistics project in Pingguo county.", "",
         None, None, "Nanning", "venue"),
        # an agreement's partner and its country are not the venue
        ("Mayor Wang signed a memorandum of understanding with Porto in Portugal at the conference.",
         "The conference opened in Ningbo. Mayor Wang signed a memorandum of understanding with Porto in Portugal "
         "at the conference.", None, None, "Ningbo", "most_mentioned"),
    ],
)
def test_resolve_event_place(
    evidence: str, body: str, title: str | None, source: str | None, expected: str, how: str
) -> None:
    found = places.resolve_event_place(evidence, body or evidence, title=title, source_name=source, language="en")
    assert found is not None
    assert (found[0].name, found[1]) == (expected, how)


def test_company_names_are_not_venues() -> None:
    evidence = "州长会见了云南绿色能源集团有限公司董事长和华氏医药集团昆明平台总经理。"
    body = evidence + "楚雄州将全力服务企业。楚雄州欢迎企业家。"
    found = places.resolve_event_place(evidence, body, title=None, source_name=None, language="zh")
    assert found is not None and found[0].name == "Chuxiong"


def test_no_place_gives_none() -> None:
    assert places.resolve_event_place("They met.", "They met.", title=None, source_name=None, language="en") is None


def test_to_location() -> None:
    (mention,) = places.find_places("宜宾市", "zh")
    location = places.to_location(mention.place)
    assert isinstance(location, Location)
    assert (location.place, location.admin1, location.country_code, location.location_precision) == (
        "Yibin", "Sichuan", "CN", "city"
    )
    assert location.latitude == pytest.approx(28.76, abs=0.2) and location.longitude == pytest.approx(104.64, abs=0.2)


def test_gazetteer_info_credits_sources() -> None:
    info = places.gazetteer_info()
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", info["gazetteer_version"])
    assert {"CC-BY-4.0", "MIT"} <= set(info["licenses"].split("; "))
    assert any("geonames" in s["path"] and "CC-BY-4.0" in s["title"] for s in info["sources"])
    assert all(set(s) == {"title", "path"} for s in info["sources"])


# --------------------------------------------------------------------------------------------
# the gazetteer data


def test_gazetteer_covers_all_provinces_and_prefectures() -> None:
    gaz = places._gazetteer()
    cn = [p for p in gaz.places if p.country_code in {"CN", "HK", "MO", "TW"} and not p.key.startswith(("gn:", "cc:"))]
    provinces = {p.admin1 for p in cn}
    assert len(provinces) == 34
    assert {"Inner Mongolia", "Guangxi", "Xinjiang", "Tibet", "Hong Kong", "Macau", "Chongqing"} <= provinces
    prefectures = [p for p in cn if p.level == "city" and re.fullmatch(r"\d{4}00", p.key)]
    assert len(prefectures) >= 330
    for place in cn:
        if place.country_code == "CN":
            assert 3 < place.latitude < 54 and 73 < place.longitude < 136, place  # down to the Nansha Islands
    keys = [p.key for p in gaz.places]
    assert len(keys) == len(set(keys))


def test_world_cities_have_admin1_and_chinese_names() -> None:
    by_name = {(p.name, p.country_code): p for p in places._gazetteer().places if p.level in {"city", "country"}}
    assert by_name[("Kuala Lumpur", "MY")].name_zh == "吉隆坡"
    assert by_name[("Johor Bahru", "MY")].admin1 == "Johor"
    assert by_name[("Putrajaya", "MY")].admin1 == "Putrajaya"
    assert by_name[("United Arab Emirates", "AE")].level == "country"


# --------------------------------------------------------------------------------------------
# speed, and a rough check on the seeds and dev articles


def _norm(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\s'\"`.,()（）\-_/·•]", "", value)


def test_resolver_on_seed_and_dev_articles() -> None:
    """Rough check: evidence = the sentence with the gold date text; reports accuracy, guards regressions."""
    from events.text import detect_language, normalize, split_sentences

    hits = total = 0
    for gold_file, folder in (("seeds.jsonl", "seeds"), ("dev.jsonl", "dev/articles")):
        gold_path = shared_path("gold", gold_file)
        for line in gold_path.read_text(encoding="utf-8").splitlines():
            gold = json.loads(line)
            article = shared_path(folder, gold["article"] + ".txt")
            body = normalize(article.read_text(encoding="utf-8"))
            lines = [x for x in body.split("\n") if x.strip() and not x.startswith(("---", "url:"))]
            sentences = [s.text for s in split_sentences(body)]
            date_text = gold.get("date_text") or ""
            fallback = sentences[min(1, len(sentences) - 1)]
            evidence = next((s for s in sentences if date_text and date_text in s), fallback)
            found = places.resolve_event_place(
                evidence, body, title=lines[0], source_name=None, language=detect_language(body)
            )
            aliases = {_norm(a) for a in [*gold["location"]["aliases"], gold["location"]["name"]]}
            hits += found is not None and _norm(found[0].name) in aliases
            total += 1
    print(f"event place accuracy on seeds+dev: {hits}/{total} = {hits / total:.3f}")
    assert hits / total >= 0.85


_SOUP = list("abcXYZ 在四川宜宾市举行，。Mianyang's İ😀’-Kuala Lumpur吉林")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SOUP), max_size=80))
def test_offsets_always_match_the_text(text: str) -> None:
    for mention in places.find_places(text, "zh"):
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("达拉特旗", "鄂尔多斯市", True),
        ("宜宾市", "四川省", True),
        ("宜宾市", "绵阳市", False),
        ("达拉特旗", "伊金霍洛旗", False),
    ],
)
def test_same_area(a: str, b: str, same: bool) -> None:
    from events.places import find_places, same_area

    pa, pb = find_places(a, "zh")[0].place, find_places(b, "zh")[0].place
    assert same_area(pa, pb) is same and same_area(pb, pa) is same


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The mayor met Shigeru Matsubara, chairman of the group.", []),
        ("Mayor Li met Governor Matsubara.", []),
        ("Delegates from Osaka and Kobe arrived. Kobe is a port.", ["Osaka", "Kobe", "Kobe"]),
        ("He visited New Delhi and Kuala Lumpur.", ["New Delhi", "Kuala Lumpur"]),
        ("Matsubara is a city in Osaka Prefecture.", ["Matsubara", "Osaka Prefecture"]),
    ],
)
def test_foreign_place_names_inside_person_names(text: str, expected: list[str]) -> None:
    assert [m.text for m in places.find_places(text, "en")] == expected
