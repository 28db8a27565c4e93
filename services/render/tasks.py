from procrastinate.contrib.django import app

from services.render import seed
from services.render.formats import parse_format
from services.tiles import tms


@app.task(name="render.seed_tiles", queue="jobs")
def seed_tiles(name: str, low: int, high: int, image_format: str = "image/png") -> str:
    """Seed the public view of layer or group ``name`` in every grid, levels low to high."""
    report = seed.seed(name, parse_format(image_format), tms.ids(), range(low, high + 1))
    return report.summary()
