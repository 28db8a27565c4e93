from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from geoshare import services
from geoshare.access import policy
from geoshare.errors import first_line


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
        return JsonResponse({"status": "error", "database": first_line(e)}, status=503)
    return JsonResponse(
        {"status": "ok", "database": "ok", "postgis": postgis, "layers": layer_count}
    )
