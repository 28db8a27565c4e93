import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.geocoding.normalize import (
    RoadName,
    canonical_house_number,
    chinese_to_int,
    clean,
    convert_numerals,
    normalize,
    normalize_house_numbers,
    normalize_units,
    split_road,
    strip_committee,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("金港大道１２３号", "金港大道123号"),
        ("ＡＢＣ大厦", "ABC大厦"),
        ("人民路\u3000８８号", "人民路 88号"),
        ("  人民路\t\t88号\n", "人民路 88号"),
        ("张家港，杨舍镇、人民路", "张家港 杨舍镇 人民路"),
        ("人民路（梁丰花园）", "人民路 梁丰花园"),
        ("【张家港】人民路", "张家港 人民路"),
        ("人民路88号🏠", "人民路88号"),
        ("人民路\x0088号", "人民路88号"),
        ("人民路\u200b88号", "人民路88号"),
        ("人民路88號", "人民路88号"),
        ("梁丰花园5棟", "梁丰花园5栋"),
        ("a座", "A座"),
        ("３－２－３０１", "3-2-301"),
        ("12—16号", "12-16号"),
        ("5 号楼", "5号楼"),
        ("5#楼", "5号楼"),
        ("12#", "12号"),
        ("五#楼", "五号楼"),
        ("人民路#88", "人民路 88"),
        ("###", ""),
        ("，。、；", ""),
        ("😀😀😀", ""),
        ("", ""),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一百二十三", 123),
        ("二十", 20),
        ("十五", 15),
        ("十", 10),
        ("〇", 0),
        ("零", 0),
        ("两", 2),
        ("两百", 200),
        ("壹贰叁", 123),
        ("壹佰贰拾叁", 123),
        ("一二三", 123),
        ("三零一", 301),
        ("一〇五", 105),
        ("一百零五", 105),
        ("一千零一", 1001),
        ("一千零一十", 1010),
        ("一百一", 110),
        ("三千五", 3500),
        ("一万二千三百四十五", 12345),
        ("十万", 100000),
    ],
)
def test_chinese_to_int(numeral, value):
    assert chinese_to_int(numeral) == value


@pytest.mark.parametrize("not_a_numeral", ["", "123", "一a", "人民"])
def test_chinese_to_int_refuses_other_text(not_a_numeral):
    with pytest.raises(ValueError, match="not a Chinese numeral"):
        chinese_to_int(not_a_numeral)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("人民中路一百二十三号", "人民中路123号"),
        ("暨阳湖畔小区十二幢", "暨阳湖畔小区12幢"),
        ("梁丰花园五号楼二单元三零一室", "梁丰花园5号楼2单元301室"),
        ("5幢二单元三零一", "5幢2单元301"),
        ("人民路一二三号", "人民路123号"),
        ("韩山村十二组", "韩山村12组"),
        ("梁丰花园二期", "梁丰花园2期"),
        ("〇一室", "01室"),
        ("人民路123号之一", "人民路123号之1"),
        # Numerals that are part of a name stay.
        ("三兴村", "三兴村"),
        ("十一圩港村", "十一圩港村"),
        ("七里庙社区", "七里庙社区"),
        ("张家港市第一人民医院", "张家港市第一人民医院"),
        ("五一路", "五一路"),
        ("万红社区", "万红社区"),
    ],
)
def test_convert_numerals(text, expected):
    assert convert_numerals(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5号楼", "5幢"),
        ("5栋", "5幢"),
        ("5幢", "5幢"),
        ("A座", "A幢"),
        ("B栋", "B幢"),
        ("第3幢", "3幢"),
        ("第二单元", "第二单元"),
        ("3楼", "3层"),
        ("3楼2单元", "3幢2单元"),
        ("3号楼2单元", "3幢2单元"),
        ("301房", "301室"),
        ("301户", "301室"),
        ("301室", "301室"),
        ("人民路88号", "人民路88号"),
        ("一座桥", "一座桥"),
    ],
)
def test_normalize_units(text, expected):
    assert normalize_units(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123之1号", "123-1号"),
        ("123号之1", "123-1号"),
        ("123-1号", "123-1号"),
        ("甲12号", "12甲号"),
        ("12号甲", "12甲号"),
        ("12号乙", "12乙号"),
        ("12-16号", "12~16号"),
        ("12至16号", "12~16号"),
        ("12号至16号", "12~16号"),
        ("12到16号", "12~16号"),
        ("12~16号", "12~16号"),
        ("16-2号", "16-2号"),
        ("88号-1", "88-1号"),
        ("88号-301", "88号-301"),
        ("12号甲幢", "12号甲幢"),
        ("3-2-301", "3-2-301"),
        ("88号", "88号"),
    ],
)
def test_normalize_house_numbers(text, expected):
    assert normalize_house_numbers(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "江苏省苏州市张家港市杨舍镇人民中路一百二十三号",
            "江苏省苏州市张家港市杨舍镇人民中路123号",
        ),
        ("张家港 杨舍镇 梁丰花园5号楼2单元301", "张家港 杨舍镇 梁丰花园5幢2单元301"),
        ("港城大道甲12号", "港城大道12甲号"),
        ("长安北路１２３之一号", "长安北路123-1号"),
        ("梁丰花园三楼二单元", "梁丰花园3幢2单元"),
        ("五楼五零一房", "5层501室"),
        ("5#楼3#", "5幢3号"),
        ("人民路12号至16号", "人民路12~16号"),
    ],
)
def test_normalize_chains_the_steps(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("甲12号", "12甲"),
        ("12号甲", "12甲"),
        ("123之1号", "123-1"),
        ("123号之一", "123-1"),
        ("12-16号", "12~16"),
        ("一百二十三号", "123"),
        ("九十九", "99"),  # a register's number column without 号
        ("甲12", "12甲"),
        ("88", "88"),
        ("８８号", "88"),
        ("12a号", "12A"),
        ("人民路", ""),
        ("", ""),
    ],
)
def test_canonical_house_number(text, number):
    assert canonical_house_number(text) == number


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("中港社区居委会", "中港社区"),
        ("稻麦场社区居民委员会", "稻麦场社区"),
        ("农场居委会", "农场社区"),
        ("韩山村委会", "韩山村"),
        ("十一圩港村村民委员会", "十一圩港村"),
        ("金村村委会", "金村"),
        ("金港街道办事处", "金港街道"),
        ("中港社区", "中港社区"),
        ("张家港保税区虚拟社区", "张家港保税区虚拟社区"),
        ("村委会", "村委会"),
    ],
)
def test_strip_committee(name, place):
    assert strip_committee(name) == place


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("人民东路", ("人民", "东", "路")),
        ("人民中路", ("人民", "中", "路")),
        ("长安北路", ("长安", "北", "路")),
        ("港城大道", ("港城", "", "大道")),
        ("步行大街", ("步行", "", "大街")),
        ("杨锦公路", ("杨锦", "", "公路")),
        ("青草巷", ("青草", "", "巷")),
        ("中山路", ("中山", "", "路")),
        ("人民路东段", ("人民", "东", "路")),
    ],
)
def test_split_road(name, parts):
    road = split_road(name)
    assert road == RoadName(*parts)
    assert road.name == "".join(parts)


@pytest.mark.parametrize("not_a_road", ["梁丰花园", "路", "人民东路西段"])
def test_split_road_of_other_names(not_a_road):
    assert split_road(not_a_road) is None


_address_like = st.text(
    alphabet=st.sampled_from(
        list(
            "0123456789０１２３-~#号楼栋幢座单元室房户层组弄之至甲乙第一二三十百零两人民路花园 ，、"
        )
    ),
    max_size=40,
)


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=60), _address_like))
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_clean_is_idempotent_and_trimmed(text):
    once = clean(text)
    assert clean(once) == once
    assert once == once.strip()
    assert "  " not in once
