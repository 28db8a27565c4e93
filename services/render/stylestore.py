"""Saving styles into the catalog: Mapnik XML checked, SLD converted, one default per layer."""

from __future__ import annotations

from django.db import transaction

from layers.models import Style
from services.render.sld import convert_sld
from services.render.styles import check_style_body

__all__ = ["save_style", "save_sld_styles"]


@transaction.atomic
def save_style(layer, *, name: str, title: str, body: str, sld: str = "",
               is_default: bool = False) -> Style:
    """Create or replace ``layer``'s style ``name``; the layer's style revision moves on."""
    check_style_body(body)
    if is_default:
        Style.objects.filter(layer=layer, is_default=True).exclude(name=name).update(is_default=False)
    style, _created = Style.objects.update_or_create(
        layer=layer, name=name,
        defaults={"title": title, "body": body, "sld": sld, "is_default": is_default},
    )
    return style


def save_sld_styles(layer, sld: bytes, default: bool = False) -> list[Style]:
    """Every UserStyle of an SLD document as a style of ``layer``; ``default``: the first
    one (or the one the SLD marks IsDefault) becomes the layer's default."""
    converted = convert_sld(sld, layer.geometry_type)
    marked = next((c for c in converted if c.is_default), converted[0])
    text = sld.decode("utf-8", errors="replace")
    return [
        save_style(layer, name=c.name, title=c.title, body=c.body, sld=text,
                   is_default=default and c is marked)
        for c in converted
    ]
