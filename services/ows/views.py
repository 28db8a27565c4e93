from django.views.decorators.csrf import csrf_exempt

from services.ows.dispatch import dispatch


@csrf_exempt  # OGC clients POST XML without a CSRF token; no /ows operation writes data
def ows(request):
    return dispatch(request)
