from django.db import migrations

# Processes keep the policy's decisions for anonymous callers until the catalog changes
# (geoshare.access.public_decisions); a change to these tables tells them, once per
# statement, when its transaction commits.
TABLES = ("layers_layer", "layers_layergroup", "layers_layergroupmember")

NOTIFY = """
CREATE FUNCTION layers_notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('geoshare_catalog', TG_TABLE_NAME);
  RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION layers_notify_catalog_change();\n"
    for table in TABLES
)
DROP_NOTIFY = "".join(f"DROP TRIGGER IF EXISTS {table}_notify ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS layers_notify_catalog_change();"
)


class Migration(migrations.Migration):
    dependencies = [("layers", "0003_layer_groups")]

    operations = [migrations.RunSQL(NOTIFY, DROP_NOTIFY)]
