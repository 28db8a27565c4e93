import pytest

from services.geocoding import ParsedAddress, default_parser, parse, standard_address


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("江苏省苏州市张家港市杨舍镇人民路88号", "江苏省苏州市张家港市杨舍镇人民路88号"),
        ("江苏 苏州 张家港 杨舍镇 人民路 八十八号", "江苏省苏州市张家港市杨舍镇人民路88号"),
        ("张家港 杨舍镇 梁丰花园5号楼2单元301", "张家港市杨舍镇梁丰花园5幢2单元301室"),
        ("梁丰花园3-2-301", "梁丰花园3幢2单元301室"),
        ("港城大道甲12号", "港城大道12甲号"),
        ("长安北路123之1号旁边", "长安北路123-1号"),
        ("人民路12至16号", "人民路12-16号"),
        ("人民路88弄12号", "人民路88弄12号"),
        ("锦丰镇三兴村五组十二号", "锦丰镇三兴村5组12号"),
        ("中港社区居委会", "中港社区"),
        ("人民路88号5楼501房", "人民路88号5层501室"),
        ("张家港市第一人民医院", "张家港市第一人民医院"),
        ("金港镇长江中路8号对面", "金港街道长江中路8号"),
        ("暨阳湖畔小区十二幢", "暨阳湖畔小区12幢"),
        ("人民路88号梁丰花园5栋", "人民路88号梁丰花园5幢"),
        ("", ""),
    ],
)
def test_standard_address(text, standard):
    assert standard_address(parse(text)) == standard


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("杨舍镇人民路88号", "江苏省苏州市张家港市杨舍镇人民路88号"),
        ("杨舍镇梁丰花园5幢2单元301室", "江苏省苏州市张家港市杨舍镇梁丰花园5幢2单元301室"),
        ("塘桥镇韩山村", "江苏省苏州市张家港市塘桥镇韩山村"),
    ],
)
def test_standard_address_of_a_completed_parse(text, standard):
    assert standard_address(default_parser().complete_admin(parse(text))) == standard


def test_description_and_remainder_are_left_out():
    parsed = ParsedAddress(road="人民路", number="88", description="对面", remainder="???")
    assert standard_address(parsed) == "人民路88号"


def test_a_range_only_reads_as_a_range_when_it_rises():
    assert standard_address(ParsedAddress(road="人民路", number="12~16")) == "人民路12-16号"
    assert standard_address(ParsedAddress(road="人民路", number="16~12")) == "人民路16~12号"


@pytest.mark.parametrize(
    "text",
    [
        "江苏省苏州市张家港市杨舍镇人民中路一百二十三号",
        "张家港 杨舍镇 梁丰花园5号楼2单元301",
        "港城大道12号乙",
        "长安北路123-1号",
        "人民路12-16号",
        "凤凰镇恬庄村十二组",
        "人民路青草巷5号",
        "梁丰花园东区5幢201室",
        "华润置地大厦12层",
        "人民路88号张家港市第一人民医院",
    ],
)
def test_standard_address_parses_back_to_the_same_parts(text):
    parsed = parse(text)
    assert parse(standard_address(parsed)) == parsed
