"""WFS-T: editors insert, update, replace and delete through wfs:Transaction, all or nothing."""

import json

import pytest
import shapely
from django.contrib.gis.geos import Point
from lxml import etree
from pyproj import Transformer

from geoshare.access.models import AuditRecord, LayerGrant, Role, Tier
from layers.models import Layer
from tests.factories import as_member, department, vector_layer

pytestmark = pytest.mark.django_db

WFS20 = 'xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" ' \
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:geoshare="urn:geoshare:features"'
WFS11 = 'xmlns:wfs="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" ' \
        'xmlns:gml="http://www.opengis.net/gml" xmlns:geoshare="urn:geoshare:features"'
OWS = {"ows": "http://www.opengis.net/ows/1.1", "ows10": "http://www.opengis.net/ows",
       "wfs": "http://www.opengis.net/wfs/2.0", "wfs11": "http://www.opengis.net/wfs",
       "fes": "http://www.opengis.net/fes/2.0", "ogc": "http://www.opengis.net/ogc"}


@pytest.fixture
def hydrants(db):
    """Fire hydrants of the 't_fire' department (e-government tier), fids 1 and 2."""
    return vector_layer(
        "t_hydrants", [shapely.Point(120.50, 31.90), shapely.Point(120.60, 31.95)],
        {"name": ["北栓", "南栓"], "pressure": [0.3, 0.4], "owner_id": ["A1", "B2"]},
        tier=Tier.EGOV, dept=department("t_fire"),
    )


@pytest.fixture
def editor(client):
    return as_member(client, "t_fire", Role.EDITOR)


def transact(client, actions: str, version="2.0.0", **attributes):
    namespaces = WFS20 if version == "2.0.0" else WFS11  # 1.0.0 shares 1.1.0's namespace
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    body = f'<wfs:Transaction service="WFS" version="{version}" {namespaces}{extra}>{actions}</wfs:Transaction>'
    return client.post("/ows", body.encode(), content_type="text/xml")


def hydrant_rows(client) -> dict[str, dict]:
    response = client.get("/ows", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
                                   "TYPENAMES": "geoshare:t_hydrants", "OUTPUTFORMAT": "application/json",
                                   "SRSNAME": "urn:ogc:def:crs:OGC:1.3:CRS84"})
    features = json.loads(b"".join(response.streaming_content))["features"]
    return {f["properties"]["name"]: {**f["properties"], "id": f["id"], "xy": f["geometry"]["coordinates"]
                                      if f["geometry"] else None} for f in features}


def exception_code(response) -> str:
    return etree.fromstring(response.content).xpath("//@exceptionCode")[0]


def test_capabilities_offer_transaction_to_those_who_may_edit(client, hydrants):
    def operations(version):
        root = etree.fromstring(client.get("/ows", {"SERVICE": "WFS", "VERSION": version,
                                                    "REQUEST": "GetCapabilities"}).content)
        return set(root.xpath("//ows:Operation/@name | //ows10:Operation/@name", namespaces=OWS)), root

    names, root = operations("2.0.0")
    assert "Transaction" not in names
    assert root.xpath("string(//ows:Constraint[@name='ImplementsTransactionalWFS']/ows:DefaultValue)",
                      namespaces=OWS) == "FALSE"
    as_member(client, "t_fire", Role.EDITOR)
    names, root = operations("2.0.0")
    assert "Transaction" in names
    assert root.xpath("string(//ows:Constraint[@name='ImplementsTransactionalWFS']/ows:DefaultValue)",
                      namespaces=OWS) == "TRUE"
    names, root = operations("1.1.0")
    assert "Transaction" in names
    editable = root.xpath("//wfs11:FeatureType[wfs11:Operations/wfs11:Operation='Insert']/wfs11:Name/text()",
                          namespaces=OWS)
    assert editable == ["geoshare:t_hydrants"]


def test_a_wfs20_transaction_inserts_updates_and_deletes(editor, hydrants):
    revision = hydrants.data_revision
    response = transact(editor, """
      <wfs:Insert handle="new hydrant">
        <geoshare:t_hydrants gml:id="n1">
          <geoshare:name>东栓</geoshare:name><geoshare:pressure>0.35</geoshare:pressure>
          <geoshare:geom><gml:Point gml:id="p1" srsName="urn:ogc:def:crs:EPSG::4490">
            <gml:pos>31.92 120.55</gml:pos></gml:Point></geoshare:geom>
        </geoshare:t_hydrants>
      </wfs:Insert>
      <wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:ValueReference>pressure</wfs:ValueReference><wfs:Value>0.5</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="t_hydrants.1"/></fes:Filter>
      </wfs:Update>
      <wfs:Delete typeName="geoshare:t_hydrants">
        <fes:Filter><fes:ResourceId rid="t_hydrants.2"/></fes:Filter>
      </wfs:Delete>""")
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    summary = {etree.QName(e).localname: int(e.text) for e in root.find("wfs:TransactionSummary", OWS)}
    assert summary == {"totalInserted": 1, "totalUpdated": 1, "totalReplaced": 0, "totalDeleted": 1}
    rid = root.xpath("//wfs:InsertResults/wfs:Feature[@handle='new hydrant']/fes:ResourceId/@rid",
                     namespaces=OWS)[0]
    rows = hydrant_rows(editor)
    assert set(rows) == {"北栓", "东栓"}
    assert rows["东栓"]["id"] == rid and rows["东栓"]["pressure"] == 0.35
    assert rows["东栓"]["xy"] == pytest.approx([120.55, 31.92])  # read lat/lon, as the urn says
    assert rows["北栓"]["pressure"] == 0.5 and rows["北栓"]["xy"] == pytest.approx([120.50, 31.90])
    layer = Layer.objects.get(pk=hydrants.pk)
    assert layer.feature_count == 2 and layer.data_revision > revision
    record = AuditRecord.objects.get(operation="Transaction")
    assert record.layers == ["t_hydrants"] and record.items == 3 and record.status == 200


def test_a_wfs11_transaction_as_gdal_and_qgis_write_it(editor, hydrants):
    # GDAL and QGIS speak WFS 1.1.0 to edit: GML 3.1.1, ogc:FeatureId, wfs:Name; 'EPSG:4490'
    # in 1.1 is longitude first.
    response = transact(editor, """
      <wfs:Insert>
        <geoshare:t_hydrants>
          <geoshare:geom><gml:Point srsName="EPSG:4490"><gml:pos>120.57 31.93</gml:pos></gml:Point></geoshare:geom>
          <geoshare:name>西栓</geoshare:name>
        </geoshare:t_hydrants>
      </wfs:Insert>
      <wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:Name>geom</wfs:Name><wfs:Value>
          <gml:Point srsName="EPSG:4490"><gml:coordinates>120.51,31.91</gml:coordinates></gml:Point>
        </wfs:Value></wfs:Property>
        <wfs:Property><wfs:Name>pressure</wfs:Name></wfs:Property>
        <ogc:Filter><ogc:FeatureId fid="t_hydrants.1"/></ogc:Filter>
      </wfs:Update>""", version="1.1.0")
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    assert root.findtext("wfs11:TransactionSummary/wfs11:totalInserted", namespaces=OWS) == "1"
    assert root.findtext("wfs11:TransactionSummary/wfs11:totalUpdated", namespaces=OWS) == "1"
    fid = root.xpath("//wfs11:InsertResults/wfs11:Feature/ogc:FeatureId/@fid", namespaces=OWS)[0]
    rows = hydrant_rows(editor)
    assert rows["西栓"]["id"] == fid and rows["西栓"]["xy"] == pytest.approx([120.57, 31.93])
    assert rows["西栓"]["pressure"] is None
    # Only the named properties change: the name stays, the pressure is emptied.
    assert rows["北栓"]["xy"] == pytest.approx([120.51, 31.91]) and rows["北栓"]["pressure"] is None


def test_a_wfs10_transaction_as_qgis_3_writes_it_for_a_wfs20_connection(editor, hydrants):
    # QGIS 3.x sends version="1.0.0" documents (GML 2) and reads the 1.0.0 answer.
    response = transact(editor, """
      <wfs:Insert><geoshare:t_hydrants>
        <geoshare:name>西栓</geoshare:name>
        <geoshare:geom><gml:Point srsName="EPSG:4490">
          <gml:coordinates cs="," ts=" ">120.56,31.93</gml:coordinates></gml:Point></geoshare:geom>
      </geoshare:t_hydrants></wfs:Insert>
      <wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:Name>pressure</wfs:Name><wfs:Value>0.7</wfs:Value></wfs:Property>
        <ogc:Filter><ogc:FeatureId fid="t_hydrants.1"/></ogc:Filter>
      </wfs:Update>
      <wfs:Delete typeName="geoshare:t_hydrants"><ogc:Filter><ogc:FeatureId fid="t_hydrants.2"/></ogc:Filter>
      </wfs:Delete>""", version="1.0.0")
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "WFS_TransactionResponse"
    assert root.xpath("wfs11:TransactionResult/wfs11:Status/*", namespaces=OWS)[0].tag.endswith("SUCCESS")
    fid = root.xpath("wfs11:InsertResult/ogc:FeatureId/@fid", namespaces=OWS)[0]
    rows = hydrant_rows(editor)
    assert set(rows) == {"北栓", "西栓"} and rows["西栓"]["id"] == fid
    assert rows["西栓"]["xy"] == pytest.approx([120.56, 31.93]) and rows["北栓"]["pressure"] == 0.7


def test_replace_and_an_update_in_another_crs(editor, hydrants):
    x, y = Transformer.from_crs(4490, 3857, always_xy=True).transform(120.52, 31.91)
    response = transact(editor, f"""
      <wfs:Replace>
        <geoshare:t_hydrants><geoshare:name>新南栓</geoshare:name>
          <geoshare:geom><gml:Point srsName="http://www.opengis.net/def/crs/EPSG/0/4490">
            <gml:pos>31.96 120.61</gml:pos></gml:Point></geoshare:geom></geoshare:t_hydrants>
        <fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>name</fes:ValueReference>
          <fes:Literal>南栓</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>
      </wfs:Replace>
      <wfs:Update typeName="geoshare:t_hydrants" srsName="EPSG:3857">
        <wfs:Property><wfs:ValueReference>geom</wfs:ValueReference><wfs:Value>
          <gml:Point><gml:pos>{x} {y}</gml:pos></gml:Point></wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="t_hydrants.1"/></fes:Filter>
      </wfs:Update>""")
    assert response.status_code == 200, response.content
    rows = hydrant_rows(editor)
    # Replace writes every visible field: what it leaves out is emptied.
    assert rows["新南栓"]["pressure"] is None and rows["新南栓"]["xy"] == pytest.approx([120.61, 31.96])
    assert rows["北栓"]["xy"] == pytest.approx([120.52, 31.91])


def test_one_failing_action_undoes_the_whole_transaction(editor, hydrants):
    response = transact(editor, """
      <wfs:Insert><geoshare:t_hydrants><geoshare:name>东栓</geoshare:name></geoshare:t_hydrants></wfs:Insert>
      <wfs:Delete typeName="geoshare:t_hydrants"><fes:Filter><fes:ResourceId rid="t_hydrants.1"/></fes:Filter></wfs:Delete>
      <wfs:Update typeName="geoshare:t_hydrants" handle="bad pressure">
        <wfs:Property><wfs:ValueReference>pressure</wfs:ValueReference><wfs:Value>很高</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="t_hydrants.2"/></fes:Filter>
      </wfs:Update>""")
    assert response.status_code == 400 and exception_code(response) == "InvalidValue"
    assert set(hydrant_rows(editor)) == {"北栓", "南栓"}
    assert Layer.objects.get(pk=hydrants.pk).data_revision == hydrants.data_revision


FILTER_1 = '<fes:Filter><fes:ResourceId rid="t_hydrants.1"/></fes:Filter>'
DELETE_1 = f'<wfs:Delete typeName="geoshare:t_hydrants">{FILTER_1}</wfs:Delete>'


def test_who_may_transact(client, hydrants):
    open_layer = vector_layer("t_open", [shapely.Point(120.5, 31.9)], {"name": ["公开"]},
                              dept=department("t_fire"))
    anonymous = transact(client, DELETE_1.replace("t_hydrants", open_layer.name))
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic")
    # The e-government layer is hidden from the public: unknown, as a name never used.
    hidden, unknown = transact(client, DELETE_1), transact(client, DELETE_1.replace("t_hydrants", "t_nothing"))
    assert hidden.status_code == unknown.status_code == 400
    assert exception_code(hidden) == exception_code(unknown) == "InvalidParameterValue"
    viewer = as_member(client, "t_fire", Role.VIEWER)
    assert transact(viewer, DELETE_1).status_code == 403
    other = as_member(client.__class__(), "t_other", Role.EDITOR)  # sees egov, edits its own only
    refused = transact(other, DELETE_1)
    assert refused.status_code == 403 and "t_hydrants" in refused.content.decode()
    assert set(hydrant_rows(other)) == {"北栓", "南栓"}


def test_a_row_filtered_grant_changes_only_its_rows_and_keeps_them_inside(client, hydrants):
    other = as_member(client, "t_other", Role.EDITOR)
    LayerGrant.objects.create(layer=hydrants, department=department("t_other"), action="edit",
                              row_filter="name = '北栓'", hidden_fields=["owner_id"])
    every = ("<fes:Filter><fes:PropertyIsGreaterThan><fes:ValueReference>pressure</fes:ValueReference>"
             "<fes:Literal>0</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>")
    response = transact(other, f"""<wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:ValueReference>pressure</wfs:ValueReference><wfs:Value>0.9</wfs:Value></wfs:Property>
        {every}</wfs:Update>""")
    assert response.status_code == 200, response.content
    assert etree.fromstring(response.content).findtext(".//wfs:totalUpdated", namespaces=OWS) == "1"
    assert {n: r["pressure"] for n, r in hydrant_rows(other).items()} == {"北栓": 0.9, "南栓": 0.4}
    # Renaming its row out of its view is refused and undone; hidden fields cannot be written.
    moved = transact(other, f"""<wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:ValueReference>name</wfs:ValueReference><wfs:Value>别处</wfs:Value></wfs:Property>
        {every}</wfs:Update>""")
    assert moved.status_code == 403
    hidden = transact(other, f"""<wfs:Update typeName="geoshare:t_hydrants">
        <wfs:Property><wfs:ValueReference>owner_id</wfs:ValueReference><wfs:Value>X9</wfs:Value></wfs:Property>
        {every}</wfs:Update>""")
    assert hidden.status_code == 400 and "owner_id" in hidden.content.decode()
    assert set(hydrant_rows(other)) == {"北栓", "南栓"}


@pytest.mark.parametrize("actions, attributes, code", [
    ('<wfs:Delete typeName="geoshare:t_hydrants"/>', {}, "MissingParameterValue"),
    (DELETE_1, {"lockId": "L1"}, "OptionNotSupported"),
    ('<wfs:Native vendorId="x" safeToIgnore="false">VACUUM</wfs:Native>', {}, "OptionNotSupported"),
    ("", {}, "MissingParameterValue"),
    ('<wfs:Insert><other:t_hydrants xmlns:other="urn:other"><other:name>x</other:name>'
     "</other:t_hydrants></wfs:Insert>", {}, "InvalidParameterValue"),
    ("<wfs:Insert><geoshare:t_hydrants><geoshare:geom><gml:Point><gml:pos>1 2 3 x</gml:pos></gml:Point>"
     "</geoshare:geom></geoshare:t_hydrants></wfs:Insert>", {}, "InvalidValue"),
    ("<wfs:Insert><geoshare:t_hydrants><geoshare:geom><gml:LineString><gml:posList>31.9 120.5 31.95 120.6"
     "</gml:posList></gml:LineString></geoshare:geom></geoshare:t_hydrants></wfs:Insert>", {}, "InvalidValue"),
    ('<wfs:Insert><geoshare:t_hydrants><geoshare:name">x"; DROP TABLE t</geoshare:name>'
     "</geoshare:t_hydrants></wfs:Insert>", {}, "OperationParsingFailed"),
    ('<wfs:Update typeName="geoshare:t_hydrants"><wfs:Property><wfs:ValueReference>name" = 1; --'
     f"</wfs:ValueReference><wfs:Value>x</wfs:Value></wfs:Property>{FILTER_1}</wfs:Update>",
     {}, "InvalidParameterValue"),
])
def test_a_bad_transaction_is_refused_and_changes_nothing(editor, hydrants, actions, attributes, code):
    response = transact(editor, actions, **attributes)
    assert response.status_code == 400, response.content
    assert exception_code(response) == code
    assert set(hydrant_rows(editor)) == {"北栓", "南栓"}
    assert Layer.objects.get(pk=hydrants.pk).data_revision == hydrants.data_revision


def test_a_value_with_sql_in_it_is_stored_as_written(editor, hydrants):
    text = "'); DELETE FROM geodata.t_hydrants; --"
    response = transact(editor, f"<wfs:Insert><geoshare:t_hydrants><geoshare:name>{text}</geoshare:name>"
                                "</geoshare:t_hydrants></wfs:Insert>")
    assert response.status_code == 200, response.content
    assert set(hydrant_rows(editor)) == {"北栓", "南栓", text}


def test_transaction_is_posted(editor, hydrants):
    response = editor.get("/ows", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "Transaction"})
    assert response.status_code == 400 and exception_code(response) == "OptionNotSupported"
    assert "POST" in response.content.decode()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_http_methods_are_405_and_change_nothing(editor, hydrants, method):
    body = (f'<wfs:Transaction service="WFS" version="2.0.0" {WFS20}><wfs:Delete typeName="geoshare:t_hydrants">'
            f"{FILTER_1}</wfs:Delete></wfs:Transaction>")
    response = editor.generic(method, "/ows?SERVICE=WFS&REQUEST=Transaction", body.encode(),
                              content_type="text/xml")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert set(hydrant_rows(editor)) == {"北栓", "南栓"}


def test_many_features_in_one_insert_go_in_together_or_not_at_all(editor, hydrants):
    def point(name, pos):
        return (f"<geoshare:t_hydrants><geoshare:name>{name}</geoshare:name><geoshare:geom>"
                f"<gml:Point srsName=\"urn:ogc:def:crs:EPSG::4490\"><gml:pos>{pos}</gml:pos></gml:Point>"
                "</geoshare:geom></geoshare:t_hydrants>")

    line = ("<geoshare:t_hydrants><geoshare:geom><gml:LineString srsName=\"urn:ogc:def:crs:EPSG::4490\">"
            "<gml:posList>31.9 120.5 31.95 120.6</gml:posList></gml:LineString></geoshare:geom></geoshare:t_hydrants>")
    refused = transact(editor, f"<wfs:Insert>{point('一', '31.91 120.51')}{line}</wfs:Insert>")
    assert refused.status_code == 400 and "feature 2:" in refused.content.decode()
    assert set(hydrant_rows(editor)) == {"北栓", "南栓"}
    names = [f"栓{n}" for n in range(50)]
    response = transact(editor, "<wfs:Insert>" + "".join(
        point(name, f"{31.9 + n / 1000} {120.5 + n / 1000}") for n, name in enumerate(names)) + "</wfs:Insert>")
    assert response.status_code == 200, response.content
    rids = etree.fromstring(response.content).xpath("//fes:ResourceId/@rid", namespaces=OWS)
    rows = hydrant_rows(editor)
    # The ids come back in the order of the features.
    assert [rows[name]["id"] for name in names] == rids
    assert rows["栓49"]["xy"] == pytest.approx([120.549, 31.949])
    assert Layer.objects.get(pk=hydrants.pk).feature_count == 52


def test_gdal_s_documents_for_a_wfs20_connection(editor, hydrants):
    # 1.x namespaces labelled 2.0.0, ogc:ResourceId in updates; GDAL reads a new id as
    # ogc:FeatureId (batched inserts) or fes:ResourceId (one by one): both are there.
    def gdal(actions):
        body = (f'<wfs:Transaction xmlns:wfs="http://www.opengis.net/wfs" service="WFS" version="2.0.0" '
                f'xmlns:gml="http://www.opengis.net/gml" xmlns:ogc="http://www.opengis.net/ogc">{actions}'
                "</wfs:Transaction>")
        return editor.post("/ows", body.encode(), content_type="application/xml; charset=UTF-8")

    inserted = gdal('<wfs:Insert><feature:t_hydrants xmlns:feature="urn:geoshare:features">'
                    "<feature:name>东栓</feature:name><feature:geom><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4490\">"
                    "<gml:pos>31.92 120.55</gml:pos></gml:Point></feature:geom></feature:t_hydrants></wfs:Insert>")
    assert inserted.status_code == 200, inserted.content
    feature = etree.fromstring(inserted.content).find("wfs11:InsertResults/wfs11:Feature", OWS)
    fid = feature.find("ogc:FeatureId", OWS).get("fid")
    assert feature.find("fes:ResourceId", OWS).get("rid") == fid
    updated = gdal('<wfs:Update typeName="feature:t_hydrants" xmlns:feature="urn:geoshare:features">'
                   "<wfs:Property><wfs:Name>pressure</wfs:Name><wfs:Value>0.8</wfs:Value></wfs:Property>"
                   f'<ogc:Filter><ogc:ResourceId rid="{fid}"/></ogc:Filter></wfs:Update>')
    assert updated.status_code == 200, updated.content
    assert hydrant_rows(editor)["东栓"]["pressure"] == 0.8
    # Before deleting by id, GDAL fetches the feature with an unprefixed GmlObjectId id.
    found = editor.get("/ows", {
        "SERVICE": "WFS", "VERSION": "1.1.0", "REQUEST": "GetFeature", "TYPENAME": "geoshare:t_hydrants",
        "OUTPUTFORMAT": "application/json",
        "FILTER": f'<Filter xmlns="http://www.opengis.net/ogc"><GmlObjectId id="{fid}"/></Filter>'})
    assert [f["id"] for f in json.loads(b"".join(found.streaming_content))["features"]] == [fid]


def test_an_insert_outside_the_extent_grows_it(editor, hydrants):
    response = transact(editor, "<wfs:Insert><geoshare:t_hydrants><geoshare:geom>"
                                '<gml:Point srsName="urn:ogc:def:crs:EPSG::4490"><gml:pos>32.05 120.85</gml:pos>'
                                "</gml:Point></geoshare:geom></geoshare:t_hydrants></wfs:Insert>")
    assert response.status_code == 200, response.content
    layer = Layer.objects.get(pk=hydrants.pk)
    assert layer.native_bbox == pytest.approx([120.50, 31.90, 120.85, 32.05])
    assert layer.extent.srid == 4490
    assert layer.extent.covers(Point(120.85, 32.05, srid=4490))
    assert layer.extent.covers(Point(120.50, 31.90, srid=4490))
