import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from geoshare.access.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_a_data_request_writes_one_row(client):
    client.get("/ows?SERVICE=WMS&REQUEST=GetMap&LAYERS=roads,water&BBOX=1,2,3,4&CRS=EPSG:4490")
    record = AuditRecord.objects.get()
    assert (record.service, record.operation, record.layers) == ("WMS", "GetMap", ["roads", "water"])
    assert record.bbox == [1, 2, 3, 4] and record.crs == "EPSG:4490"
    assert record.status == 400 and record.bytes > 0 and record.ip == "127.0.0.1"


@pytest.mark.django_db(transaction=True)
def test_a_read_is_recorded_without_waiting_for_the_disk_and_nothing_else_is(client):
    client.get("/api/catalog/layers/")
    assert AuditRecord.objects.get().operation
    # The asynchronous commit was the audit row's alone: the session still waits for the
    # disk, so an edit that follows is as durable as ever.
    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        assert cur.fetchone()[0] == "on"


def test_pages_that_are_not_data_are_not_audited(client):
    client.get("/")
    client.get("/health")
    assert not AuditRecord.objects.exists()


def test_a_failed_credential_is_audited(client):
    client.get("/api/catalog/layers/", {"token": "gs_" + "f" * 43})
    record = AuditRecord.objects.get()
    assert record.status == 401 and record.username == ""


def test_rows_cannot_be_changed_or_deleted(client):
    client.get("/api/catalog/layers/")
    record = AuditRecord.objects.get()
    for statement in ("UPDATE access_auditrecord SET status = 200",
                      "DELETE FROM access_auditrecord"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert AuditRecord.objects.get().status == record.status


@override_settings(GEOSHARE_AUDIT_RETENTION_DAYS=1)
def test_retention_purge_is_the_only_way_out(client):
    client.get("/api/catalog/layers/")
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE access_auditrecord DISABLE TRIGGER access_audit_append_only")
        cur.execute("UPDATE access_auditrecord SET time = now() - interval '2 days'")
        cur.execute("ALTER TABLE access_auditrecord ENABLE TRIGGER access_audit_append_only")
    client.get("/api/catalog/layers/")
    call_command("purge_audit")
    assert AuditRecord.objects.count() == 1


@override_settings(GEOSHARE_RATE_LIMITS={"CATALOG": 3})
def test_anonymous_rate_limit_per_service(client):
    # Ten requests span at most one change of the one-second window, so some must exceed 3.
    statuses = [client.get("/api/catalog/layers/").status_code for _ in range(10)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses
    assert client.get("/").status_code == 200  # other paths are not limited
