import pytest

from services.geocoding import full_pinyin, initials


@pytest.mark.parametrize(
    ("name", "expected_initials", "expected_full"),
    [
        ("杨舍镇", "ysz", "yangshezhen"),
        ("张家港市", "zjgs", "zhangjiagangshi"),
        ("金港街道", "jgjd", "jingangjiedao"),
        ("长安北路", "cabl", "changanbeilu"),
        ("港城大道", "gcdd", "gangchengdadao"),
        ("暨阳湖畔小区", "jyhpxq", "jiyanghupanxiaoqu"),
        ("乐余镇", "lyz", "leyuzhen"),
        ("后塍街道", "hcjd", "houchengjiedao"),
        ("梁丰花园5幢", "lfhy5z", "liangfenghuayuan5zhuang"),
        ("KFC张家港店", "kfczjgd", "kfczhangjiagangdian"),
        ("中港 社区", "zgsq", "zhonggangshequ"),
        ("", "", ""),
    ],
)
def test_pinyin_keys(name, expected_initials, expected_full):
    assert initials(name) == expected_initials
    assert full_pinyin(name) == expected_full


def test_full_pinyin_with_separator():
    assert full_pinyin("杨舍镇", separator=" ") == "yang she zhen"


def test_each_name_is_read_on_its_own():
    # Read as one phrase, 镇长 ("town head") would turn 长 into zhang.
    assert full_pinyin("杨舍镇 长安路", separator=" ") == "yang she zhen chang an lu"


def test_rare_characters_keep_one_key_each():
    assert len(initials("㐀㐁")) == 2
