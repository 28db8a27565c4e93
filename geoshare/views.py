from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from geoshare import services
from geoshare.access import policy


@require_safe
def landing(request):
    layers = (
        policy.visible_layers(request.principal)
        .select_related("department")
        .order_by("kind", "title")
    )
    entries = services.entries()
    rows = [
        {
            "layer": layer,
            "links": [
                link for entry in entries if entry.layer_links
                for link in entry.layer_links(layer)
            ],
        }
        for layer in layers
    ]
    return render(request, "geoshare/landing.html", {"services": entries, "rows": rows})


@never_cache
@require_safe
def health(request):
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT postgis_lib_version(), (SELECT count(*) FROM layers_layer)")
            postgis, layer_count = cur.fetchone()
    except DatabaseError as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return JsonResponse({"status": "error", "database": message}, status=503)
    return JsonResponse(
        {"status": "ok", "database": "ok", "postgis": postgis, "layers": layer_count}
    )
