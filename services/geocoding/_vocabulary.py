"""Words that end a road, compound or place name, and words of a trailing description.

Strong suffixes end a name wherever they appear (路, 小区, 医院); weak ones
(苑, 城, 园…) also occur inside names, so the parser only trusts the last one
in a run of characters.
"""

import enum
import re

__all__ = [
    "COMPOUND_VILLAGE_WORDS",
    "DESCRIPTION",
    "HAN",
    "STRONG_SUFFIX",
    "SUFFIX_KIND",
    "WEAK_SUFFIX",
    "Kind",
]

# Chinese characters: CJK extension A, the unified block and compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# 梁丰新村, 万红三村: a 村 after these is a residential compound, not a village.
COMPOUND_VILLAGE_WORDS = frozenset("新一二三四五六七八九十")


class Kind(enum.Enum):
    ROAD = "road"
    COMPOUND = "compound"
    POI = "poi"
    COMMUNITY = "community"


_STRONG = {
    Kind.ROAD: "大道 大街 公路 高速 国道 省道 路 街 巷 弄 胡同",
    Kind.COMPOUND: (
        "小区 新村 花园 公寓 大厦 家园 山庄 别墅 名苑 名邸 名都 公馆 华府 华庭 雅苑 宿舍 "
        "住宅区 生活区 商住楼 综合楼 大楼 新城 天地 豪庭 府邸 嘉园 佳园"
    ),
    Kind.POI: (
        "医院 卫生院 卫生服务站 卫生服务中心 中学 小学 学校 大学 学院 幼儿园 中专 "
        "公司 集团 工厂 银行 支行 分行 信用社 酒店 宾馆 饭店 超市 商场 市场 菜场 广场 "
        "中心 公园 体育馆 图书馆 博物馆 文化馆 美术馆 车站 汽车站 火车站 客运站 加油站 "
        "派出所 政府 委员会 法院 检察院 办事处 大队 支队 营业厅 电影院 剧院 教堂 码头 "
        "停车场 园区 工业园 科技园 产业园 开发区 服务区 研究所 事务所 管理处 管理所"
    ),
    Kind.COMMUNITY: "社区 居委会 村委会 村民委员会 居民委员会",
}
_WEAK = {
    Kind.ROAD: "道 里 线",
    Kind.COMPOUND: "苑 城 园 庭 府 湾 邸 居 阁 轩 坊 墅 庄",
    Kind.POI: "厂 所 局 院 站 馆 店 寺 庙 部 处 社 会 队 场 桥 塔",
    Kind.COMMUNITY: "村",
}


def _table(groups: dict[Kind, str]) -> dict[str, Kind]:
    return {word: kind for kind, words in groups.items() for word in words.split()}


SUFFIX_KIND: dict[str, Kind] = {**_table(_WEAK), **_table(_STRONG)}


def _alternation(words) -> re.Pattern:
    # Longest first, so that 大道 wins over 道 at the same position.
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


STRONG_SUFFIX = _alternation(_table(_STRONG))
WEAK_SUFFIX = _alternation(_table(_WEAK))

_NUMBER = r"[0-9零〇一二两三四五六七八九十百千]+"
_DIRECTION = r"[东西南北]{1,2}"
_DESCRIPTION_WORD = "|".join(
    (
        "斜对面|正对面|对面|对过|旁边|边上|旁|隔壁|附近|周边|周围|一带|大门口|门口|门前",
        "后面|后门|前面|里面|内|楼下|十字路口|交叉口|交汇处|交界处|拐角处|拐角|转角",
        # 人民路口 is the junction at 人民路: only 口 is description there.
        r"(?<![^路街道\s])路口|(?<=[路街道])口",
        rf"{_DIRECTION}(?:侧|边|面|角|首|头)",
        rf"(?:往|向|朝){_DIRECTION}",
        rf"约?{_NUMBER}(?:米|公里)(?:处|左右)?",
        r"[与和跟][^\s与和跟]{1,12}?(?:交叉口|交汇处|交界处|交界|路口)",
    )
)
# A run of description words reaching the end of the text: 对面, 东侧100米, 往东50米.
DESCRIPTION = re.compile(rf"(?:\s?(?:{_DESCRIPTION_WORD}))+$")
