"""Top-1 accuracy of forward geocoding on the labelled evaluation sets, by matched level.

    python bench/geocoding_quality.py              # the tuning split
    python bench/geocoding_quality.py --holdout    # and the never-tuned split
    python bench/geocoding_quality.py --generate   # write both splits from the gazetteer
    python bench/geocoding_quality.py --misses 20  # show some wrong answers
    python bench/geocoding_quality.py --generate --data var/eval-scale10   # another gazetteer

Needs the demo gazetteer (manage.py load_demo) in GEOSHARE_DATABASE_URL's database. The
splits live in tests/services/geocoding/data/. The peer column is a naive geocoder: the
entry whose whole standard address is most similar to the query (pg_trgm).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Table, arguments, django_setup, ensure_demo  # noqa: E402

LEVELS = (
    "house_number",
    "building",
    "unit",
    "room",
    "poi",
    "compound",
    "road",
    "community",
    "town",
)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--holdout", action="store_true", help="also evaluate the holdout split")
    parser.add_argument("--generate", action="store_true", help="write the splits anew")
    parser.add_argument("--size", type=int, default=2400, help="cases per split (--generate)")
    parser.add_argument("--misses", type=int, default=0, help="print this many wrong answers")
    parser.add_argument("--no-peer", action="store_true", help="skip the naive baseline")
    parser.add_argument(
        "--data", type=Path, help="where the splits are (default tests/services/geocoding/data)"
    )
    options = parser.parse_args()
    django_setup()
    ensure_demo(options.scale)
    from tests.services.geocoding import evaluation

    data = options.data or evaluation.DATA
    paths = {mix.name: data / f"{mix.name}.jsonl" for mix in (evaluation.TUNE, evaluation.HOLDOUT)}
    if options.generate:
        for mix in (evaluation.TUNE, evaluation.HOLDOUT):
            cases = evaluation.generate(mix, options.size)
            evaluation.save(cases, paths[mix.name])
            print(f"wrote {len(cases)} cases to {paths[mix.name]}")
    splits = ["tune", "holdout"] if options.holdout else ["tune"]
    for split in splits:
        run(split, evaluation.load(paths[split]), options)


def run(split: str, cases, options) -> None:
    from geoshare.access.policy import Principal
    from services.geocoding.scope import scope_for
    from tests.services.geocoding import evaluation

    scope = scope_for(Principal(user_id=0, username="bench", is_superuser=True))
    started = time.perf_counter()
    report = evaluation.evaluate(cases, scope)
    seconds = time.perf_counter() - started
    peer = None if options.no_peer else naive_report(cases)
    table = Table(f"geocoding quality, {split} split ({len(cases)} queries, {seconds:.1f} s)")
    for level in (*LEVELS, None):
        total = (
            sum(n for n, _ in report.by_level.values())
            if level is None
            else report.by_level.get(level, (0, 0))[0]
        )
        if not total:
            continue
        ours = report.accuracy(level)
        theirs = peer.accuracy(level) if peer else None
        table.add(
            f"top-1 {level or 'all levels'}",
            str(total),
            f"{100 * ours:.1f}%",
            "-",
            f"{100 * theirs:.1f}% (trigram on address)" if theirs is not None else "-",
            f"{ours / theirs:.2f}x" if theirs else "-",
        )
    table.print()
    variations = Table(f"by variation, {split} split (a query may have several)")
    for name, (total, right) in sorted(report.by_variation.items(), key=lambda kv: -kv[1][0]):
        variations.add(name, str(total), f"{100 * right / total:.1f}%")
    variations.print()
    for case, answer in report.misses[: options.misses]:
        print(
            f"  {case.query}  →  {answer}   "
            f"(want {case.level} {case.address}; {','.join(case.variations)})"
        )


def naive_report(cases):
    """The naive geocoder's answers: the entry whose standard address is nearest in trigrams."""
    from bench.geocoding import ensure_naive_index, naive_geocode
    from services.geocoding.models import Entry, Level
    from tests.services.geocoding.evaluation import Report

    ensure_naive_index()
    report = Report()
    for case in cases:
        found = naive_geocode(case.query)
        entry = Entry.objects.get(pk=found[0]) if found else None
        correct = (
            entry is not None
            and Level(entry.level).api_name == case.level
            and (entry.address == case.address)
        )
        report.add(case, correct, entry.address if entry else "nothing")
    return report


if __name__ == "__main__":
    main()
