from django.views.decorators.csrf import csrf_exempt

from services.ows.dispatch import dispatch


# QGIS, GDAL and OWSLib POST XML without a CSRF token. WFS-T writes through here: a browser
# sends no session cookie (SameSite=Lax) with a cross-site POST, but would send Basic
# credentials it has cached.
@csrf_exempt
def ows(request):
    return dispatch(request)
