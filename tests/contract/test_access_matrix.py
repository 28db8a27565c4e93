"""One policy, every protocol: what each principal sees of each tier, through each protocol.

The demo city gives the layers: `schools` (public), `pollution_sources` (egov) and
`land_approvals` (internal, owned by the land bureau zrzy). The education bureau (jy) gets
a grant on `land_approvals` limited to one town with `approval_no` hidden.
"""

import base64

import pytest
from django.contrib.auth.models import User

from geoshare.access import tokens
from geoshare.access.models import AuditRecord, LayerGrant
from layers.models import Layer
from tests.contract.protocols import FEATURES, LISTING, PROTOCOLS, Caller

pytestmark = pytest.mark.django_db
PASSWORD = "geoshare-demo"
HIDDEN = "approval_no"


def basic(username: str, password: str = PASSWORD) -> dict:
    value = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {value}"}


@pytest.fixture
def approvals():
    return Layer.objects.get(name="land_approvals")


@pytest.fixture
def granted_town(approvals):
    """The town of the landmark approval: the jy grant shows that town only."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT town, count(*) FROM geodata.land_approvals GROUP BY town ORDER BY 2 DESC")
        town, _ = cur.fetchone()
    LayerGrant.objects.create(layer=approvals, department_id=_department("jy"),
                              row_filter=f"town = '{town}'", hidden_fields=[HIDDEN])
    return town


def _department(code: str) -> int:
    from geoshare.access.models import Department

    return Department.objects.get(code=code).pk


@pytest.fixture
def callers(client, granted_town):
    owner_token, _ = tokens.issue(User.objects.get(username="zrzy_viewer"), "qgis")
    revoked, revoked_token = tokens.issue(User.objects.get(username="zrzy_viewer"), "old")
    tokens.revoke(revoked_token)
    grantee_token, _ = tokens.issue(User.objects.get(username="jy_viewer"), "script")
    return {
        "anonymous": Caller(client),
        "owner": Caller(client, basic("zrzy_viewer")),
        "owner_token": Caller(client, params={"token": owner_token}),
        "grantee": Caller(client, {"HTTP_AUTHORIZATION": f"Bearer {grantee_token}"}),
        "no_grant": Caller(client, basic("gaj_viewer")),
        "revoked_token": Caller(client, params={"token": revoked}),
        "superuser": Caller(client, basic("admin")),
    }


# principal -> (sees egov layer, sees internal layer, internal rows are limited, hidden field absent)
EXPECTED = {
    "anonymous": (False, False, None, None),
    "owner": (True, True, False, False),
    "owner_token": (True, True, False, False),
    "grantee": (True, True, True, True),
    "no_grant": (True, False, None, None),
    "superuser": (True, True, False, False),
}


@pytest.mark.parametrize("protocol", LISTING)
@pytest.mark.parametrize("principal", list(EXPECTED))
def test_listed_layers(callers, protocol, principal):
    sees_egov, sees_internal, _, _ = EXPECTED[principal]
    names = PROTOCOLS[protocol].names(callers[principal])
    assert "schools" in names
    assert ("pollution_sources" in names) == sees_egov
    assert ("land_approvals" in names) == sees_internal
    # rooms is internal to the police (gaj), whose viewer is the "no_grant" principal here.
    assert ("rooms" in names) == (principal in ("superuser", "no_grant"))


@pytest.mark.parametrize("protocol", FEATURES)
@pytest.mark.parametrize("principal", list(EXPECTED))
def test_features_of_the_internal_layer(callers, approvals, granted_town, protocol, principal):
    _, sees, limited, hidden = EXPECTED[principal]
    status, features = PROTOCOLS[protocol].features(callers[principal], approvals)
    if not sees:
        assert status in (400, 404) and features is None
        return
    assert status == 200 and features
    towns = {f.get("town") for f in features.values()}
    if limited:
        assert towns == {granted_town}
    else:
        assert len(features) == approvals.feature_count
    assert all((HIDDEN in f) != hidden for f in features.values())


@pytest.mark.parametrize("protocol", FEATURES)
def test_hidden_layer_answers_like_a_missing_one(callers, approvals, protocol):
    missing = Layer(name="no_such_layer", extent=approvals.extent)
    hidden = PROTOCOLS[protocol].features(callers["anonymous"], approvals)
    unknown = PROTOCOLS[protocol].features(callers["anonymous"], missing)
    assert hidden == unknown


@pytest.mark.parametrize("path", ["/ows?SERVICE=WFS&REQUEST=GetCapabilities", "/ogcapi/collections",
                                  "/api/catalog/layers/"])
def test_revoked_token_is_refused_everywhere(callers, path):
    assert callers["revoked_token"].get(path).status_code == 401


def test_every_data_access_is_audited(callers, approvals):
    before = AuditRecord.objects.count()
    PROTOCOLS["wfs"].features(callers["grantee"], approvals)
    PROTOCOLS["ogcapi"].features(callers["grantee"], approvals)
    records = list(AuditRecord.objects.order_by("-id")[: AuditRecord.objects.count() - before])
    assert {r.service for r in records} >= {"WFS", "OGCAPI"}
    assert all(r.username == "jy_viewer" and r.department == "jy" for r in records)
    assert all("land_approvals" in r.layers and r.status == 200 for r in records)


def test_cached_tiles_never_cross_principals(callers, approvals):
    from services.tiles import tms as tms_registry

    west, south, east, north = approvals.extent.extent
    tile = next(iter(tms_registry.get("WebMercatorQuad").tiles(west, south, east, north, [9])))
    path = f"/ogcapi/collections/land_approvals/tiles/WebMercatorQuad/{tile.z}/{tile.y}/{tile.x}"
    owner = callers["owner"].get(path)
    again = callers["owner_token"].get(path)  # same view of the layer: shared cache entry
    grantee = callers["grantee"].get(path)
    assert owner.status_code == again.status_code == 200 and again["X-Cache"] == "hit"
    assert grantee["X-Cache"] == "miss" and HIDDEN.encode() not in grantee.body
    assert HIDDEN.encode() in owner.body
