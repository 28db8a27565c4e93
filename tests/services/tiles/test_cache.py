"""The disk tile cache: atomic writes, locks, truncation and pruning by revision."""

import threading

from services.tiles import cache


def key(**changes):
    values = dict(target="roads", style="default", tms="WebMercatorQuad", view="public-a-r1",
                  z=3, row=2, col=5, extension="png")
    values.update(changes)
    return cache.TileKey(**values)


def test_written_tiles_read_back_and_leave_no_temporary_files(tile_cache_dir):
    cache.write(key(), b"tile")
    assert cache.read(key()) == b"tile"
    assert cache.read(key(col=6)) is None
    files = [p.name for p in tile_cache_dir.rglob("*") if p.is_file()]
    assert files == ["5.png"]


def test_metatile_lock_serialises_renderers(tile_cache_dir):
    order = []

    def render(name):
        with cache.metatile_lock(key(row=1, col=1), 4):
            order.append(f"{name} in")
            threading.Event().wait(0.05)
            order.append(f"{name} out")

    threads = [threading.Thread(target=render, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_truncate_by_target_and_zoom(tile_cache_dir):
    cache.write(key(), b"1")
    cache.write(key(z=4), b"2")
    cache.write(key(target="water"), b"3")
    assert cache.truncate("roads", zooms=range(4, 5)) == 1
    assert cache.read(key()) == b"1" and cache.read(key(z=4)) is None
    assert cache.truncate("roads") == 1
    assert cache.read(key()) is None and cache.read(key(target="water")) == b"3"
    assert cache.truncate() == 1 and cache.read(key(target="water")) is None


def test_prune_keeps_only_current_revisions(tile_cache_dir):
    cache.write(key(view="public-a-old"), b"old")
    cache.write(key(view="dept-3-b-new"), b"new")
    cache.write(key(target="gone"), b"gone")
    assert cache.prune({("roads", "default"): "new"}) == 2
    assert cache.read(key(view="dept-3-b-new")) == b"new"
    assert cache.read(key(view="public-a-old")) is None
    assert cache.read(key(target="gone")) is None
