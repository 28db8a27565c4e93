"""Parse 20,000 generated Zhangjiagang addresses; compare with cpca.transform.

    python bench/geocoding_parser.py [how_many]

cpca only finds province, city and district, which is the first step of what
``parse`` does; it is the nearest peer on PyPI. Times are per address.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import arguments
from services.geocoding import parse
from services.geocoding.divisions import AdminLevel, zhangjiagang_divisions

ROADS = (
    "人民中路 人民东路 人民西路 长安北路 长安南路 港城大道 沙洲中路 沙洲西路 暨阳中路 "
    "暨阳西路 华昌路 梁丰路 东环路 西环路 南环路 杨舍西街 步行街 金港大道 杨锦公路 塘市路"
).split()
COMPOUNDS = (
    "梁丰花园 暨阳湖畔小区 东方新村 万红三村 金塘花苑 国泰华府 阳光城市花园 锦绣苑 "
    "江南春堤 华润置地大厦 何桥新村 东湖苑"
).split()
POIS = "第一人民医院 梁丰中学 沙洲湖公园 后塍中心小学 张家港火车站 万达广场 图书馆".split()
DESCRIPTIONS = ("对面", "旁边", "东侧100米", "门口", "附近", "往东五十米")
NUMERALS = "〇一二三四五六七八九"


def chinese(number: int) -> str:
    return "".join(NUMERALS[int(digit)] for digit in str(number))


def fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def addresses(how_many: int, seed: int = 2260) -> list[str]:
    rng = random.Random(seed)
    divisions = zhangjiagang_divisions()
    towns = [d.name for d in divisions if d.level == AdminLevel.TOWN]
    villages = [d.name for d in divisions if d.level == AdminLevel.COMMUNITY]
    prefixes = ("", "张家港市", "江苏省苏州市张家港市", "苏州张家港", "张家港 ")
    made = []
    for _ in range(how_many):
        prefix = rng.choice(prefixes) + rng.choice(("", *towns))
        shape = rng.random()
        if shape < 0.4:
            number = rng.randint(1, 999)
            written = rng.choice(
                (
                    f"{number}号",
                    f"{chinese(number)}号",
                    fullwidth(f"{number}号"),
                    f"{number}-{rng.randint(1, 5)}号",
                    f"甲{number}号",
                )
            )
            address = prefix + rng.choice(ROADS) + written
        elif shape < 0.75:
            building, unit, room = rng.randint(1, 40), rng.randint(1, 6), rng.randint(101, 1802)
            written = rng.choice(
                (
                    f"{building}幢{unit}单元{room}室",
                    f"{building}号楼{unit}单元{room}",
                    f"{building}-{unit}-{room}",
                    f"{chinese(building)}栋{room}室",
                )
            )
            address = prefix + rng.choice(COMPOUNDS) + written
        elif shape < 0.9:
            address = (
                prefix + rng.choice(villages) + f"{rng.randint(1, 20)}组{rng.randint(1, 99)}号"
            )
        else:
            address = prefix + rng.choice(POIS)
        if rng.random() < 0.1:
            address += rng.choice(DESCRIPTIONS)
        made.append(address)
    return made


def per_call_us(function, inputs) -> list[float]:
    times = []
    for text in inputs:
        start = time.perf_counter_ns()
        function(text)
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main(how_many: int = 20_000) -> None:
    inputs = addresses(how_many)

    start = time.perf_counter()
    parse(inputs[0])
    ours_first = time.perf_counter() - start
    start = time.perf_counter()
    import cpca

    cpca.transform([inputs[0]])
    peer_first = time.perf_counter() - start

    ours = per_call_us(parse, inputs)
    peer = per_call_us(lambda text: cpca.transform([text]), inputs)

    start = time.perf_counter()
    for text in inputs:
        parse(text)
    ours_batch = (time.perf_counter() - start) / how_many * 1e6
    start = time.perf_counter()
    cpca.transform(inputs)
    peer_batch = (time.perf_counter() - start) / how_many * 1e6

    rows = [
        ("what", "how many", "median", "p95", "peer", "ratio"),
        (
            "parse() one call, µs",
            how_many,
            ours_med := statistics.median(ours),
            p95(ours),
            peer_med := statistics.median(peer),
            ours_med / peer_med,
        ),
        ("parse() p95 vs cpca p95, µs", how_many, "", p95(ours), p95(peer), p95(ours) / p95(peer)),
        (
            "whole batch, µs per address",
            how_many,
            ours_batch,
            "",
            peer_batch,
            ours_batch / peer_batch,
        ),
        (
            "first call incl. loading, ms",
            1,
            ours_first * 1e3,
            "",
            peer_first * 1e3,
            ours_first / peer_first,
        ),
    ]
    print(
        f"{how_many} generated addresses; peer: cpca {cpca.__version__} transform "
        "(province/city/district only); ratio = ours / peer\n"
    )
    print(_table(rows))
    print(f"\nparse(): {1e6 / ours_batch:,.0f} addresses/s on one core")


def _format(cell) -> str:
    if isinstance(cell, float):
        return f"{cell:.3f}" if cell < 1 else f"{cell:.1f}"
    return str(cell)


def _table(rows) -> str:
    cells = [[_format(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "-|-".join("-" * width for width in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    parser = arguments(__doc__)  # --scale is accepted and unused: the addresses are generated
    parser.add_argument("how_many", nargs="?", type=int, default=20_000)
    main(parser.parse_args().how_many)
