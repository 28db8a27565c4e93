from django.db import migrations

# The audit trail is append-only in the database itself: updates are refused always,
# deletes unless the retention purge (manage.py purge_audit) says so for its transaction.
AUDIT_GUARD = """
CREATE FUNCTION access_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('geoshare.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER access_audit_append_only
  BEFORE UPDATE OR DELETE ON access_auditrecord
  FOR EACH ROW EXECUTE FUNCTION access_audit_guard();
CREATE TRIGGER access_audit_no_truncate
  BEFORE TRUNCATE ON access_auditrecord
  FOR EACH STATEMENT EXECUTE FUNCTION access_audit_guard();
"""
DROP_AUDIT_GUARD = """
DROP TRIGGER IF EXISTS access_audit_no_truncate ON access_auditrecord;
DROP TRIGGER IF EXISTS access_audit_append_only ON access_auditrecord;
DROP FUNCTION IF EXISTS access_audit_guard();
"""
# Shared counters for anonymous rate limits: unlogged, because losing them in a crash
# costs nothing and WAL for every request would.
RATE_COUNTERS = """
CREATE UNLOGGED TABLE access_ratecounter (
  key text PRIMARY KEY,
  second bigint NOT NULL,
  hits integer NOT NULL
);
"""


class Migration(migrations.Migration):
    dependencies = [("access", "0002_grants_tokens_audit")]

    operations = [
        migrations.RunSQL(AUDIT_GUARD, DROP_AUDIT_GUARD),
        migrations.RunSQL(RATE_COUNTERS, "DROP TABLE IF EXISTS access_ratecounter"),
    ]
