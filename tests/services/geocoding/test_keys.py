import pytest

from services.geocoding.keys import (
    Form,
    form_score,
    name_key,
    query_forms,
    stored_forms,
    typo_distance,
    variants,
    without_prefix,
)

PREFIXES = ("张家港市", "张家港", "杨舍镇", "杨舍")


def test_name_key_normalises_width_numerals_and_spaces():
    assert name_key("梁丰花园 二期") == "梁丰花园2期"
    assert name_key("ＫＦＣ张家港店") == "KFC张家港店"


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("人民中路", "road", [(Form.NAME, "人民中路"), (Form.CORE, "人民中"), (Form.BASE, "人民")]),
        ("港城大道", "road", [(Form.NAME, "港城大道"), (Form.CORE, "港城")]),
        ("梁丰花园", "compound", [(Form.NAME, "梁丰花园"), (Form.CORE, "梁丰")]),
        (
            "张家港市第一人民医院",
            "poi",
            [(Form.NAME, "张家港市第一人民医院"), (Form.SHORT, "第一人民医院")],
        ),
        # A place name that is all there is stays whole: 张家港花园 is not 花园.
        ("张家港花园", "compound", [(Form.NAME, "张家港花园"), (Form.CORE, "张家港")]),
    ],
)
def test_stored_forms(name, kind, expected):
    assert stored_forms(name, kind, PREFIXES) == expected


def test_query_forms_try_every_reduction_of_a_compound():
    assert query_forms("梁丰花园小区", "compound") == [
        (Form.NAME, "梁丰花园小区"),
        (Form.CORE, "梁丰花园"),
        (Form.CORE, "梁丰"),
    ]


def test_reduced_forms_score_below_exact_names():
    assert form_score(Form.NAME, Form.NAME) == 1.0
    assert form_score(Form.NAME, Form.FORMER) < form_score(Form.NAME, Form.ALIAS) < 1.0
    assert form_score(Form.CORE, Form.CORE) < form_score(Form.CORE, Form.NAME)


@pytest.mark.parametrize(
    "written, stored, distance",
    [
        ("人明路", "人民路", 1),  # one replaced
        ("梁丰花园园", "梁丰花园", 1),  # one added
        ("梁花园", "梁丰花园", 1),  # one left out
        ("民人路", "人民路", 2),  # two swapped
        ("人和街", "人民路", None),  # two replaced
        ("人民", "人和", None),  # too short to call it a typo
    ],
)
def test_typo_distance(written, stored, distance):
    assert typo_distance(written, stored) == distance


def test_names_one_typo_apart_share_a_variant():
    assert set(variants("人明路")) & set(variants("人民路"))
    assert not set(variants("人和街")) & set(variants("人民路"))
    assert variants("人民") == ["人民"]


def test_without_prefix_keeps_a_name():
    assert without_prefix("杨舍镇人民中路", PREFIXES) == "人民中路"
    assert without_prefix("张家港村", PREFIXES) == "张家港村"
    assert without_prefix("杨舍镇梁", PREFIXES, shortest=1) == "梁"
