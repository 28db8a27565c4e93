"""The admin's style form: edit Mapnik XML, or upload an SLD (from QGIS) to convert."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from layers.models import Style
from services.render.sld import convert_sld
from services.render.styles import StyleBodyError, check_style_body

__all__ = ["StyleForm"]

_MAX_SLD_BYTES = 2 * 1024 * 1024


class StyleForm(forms.ModelForm):
    sld_file = forms.FileField(
        label=_("SLD file"), required=False,
        help_text=_("SLD 1.0 or SE 1.1 (e.g. exported from QGIS): replaces the Mapnik style "
                    "with its conversion; the SLD is kept."),
    )

    class Meta:
        model = Style
        fields = ["layer", "name", "title", "is_default", "body", "sld_file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("body", "name", "title"):
            self.fields[name].required = False  # an uploaded SLD can supply them
        self.fields["body"].widget.attrs.update({"rows": 16, "style": "font-family: monospace"})

    def clean(self):
        data = super().clean()
        upload = data.get("sld_file")
        if upload:
            if upload.size > _MAX_SLD_BYTES:
                raise forms.ValidationError(_("The SLD is larger than 2 MB."))
            raw = upload.read()
            layer = data.get("layer") or getattr(self.instance, "layer", None)
            try:
                converted = convert_sld(raw, layer.geometry_type if layer else "")
            except StyleBodyError as e:
                raise forms.ValidationError({"sld_file": e.message}) from None
            first = converted[0]
            data["body"] = first.body
            self.instance.sld = raw.decode("utf-8", errors="replace")
            data["title"] = data.get("title") or first.title
            data["name"] = data.get("name") or first.name
        elif not data.get("body"):
            raise forms.ValidationError({"body": _("Give a Mapnik style or upload an SLD.")})
        else:
            try:
                check_style_body(data["body"])
            except StyleBodyError as e:
                raise forms.ValidationError({"body": e.message}) from None
        for name in ("name", "title"):
            if not data.get(name):
                self.add_error(name, _("This field is required."))
        return data

    def _get_validation_exclusions(self):
        # "One default style per layer" is kept by save(), which unsets the previous default.
        return super()._get_validation_exclusions() | {"is_default"}

    def save(self, commit=True):
        style = super().save(commit=False)
        if style.is_default:
            Style.objects.filter(layer=style.layer, is_default=True).exclude(pk=style.pk).update(
                is_default=False
            )
        if commit:
            style.save()
        return style
