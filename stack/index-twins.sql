-- GIN twins for the indexes that FerretDB creates, installed in FerretDB's PostgreSQL database.
--
-- FerretDB 1.24.2 (postgresql handler) stores each document in the jsonb column _jsonb of a
-- table "<collection>_<hash>" in the schema named after the MongoDB database, and creates each
-- MongoDB index as a btree over expressions such as ((_jsonb -> 'email'::text)). It pushes an
-- equality filter such as {email: 'x'} down as  _jsonb -> $1 @> $2  with the field name bound
-- as $1. A btree cannot serve @>, but a GIN index with jsonb_path_ops over the same expression
-- can, provided the plan is made with the bound field name (plan_cache_mode =
-- force_custom_plan on this database). So every single-field btree index over
-- (_jsonb -> 'field') gets a twin USING gin ((_jsonb -> 'field') jsonb_path_ops), and dropping
-- the original drops its twin.
--
-- This script is idempotent: the stack runs it at every start.

-- Name of the twin of an index: "<original>_gin", or when that would pass PostgreSQL's limit of
-- 63 bytes, a shortened original plus a hash of the full name, so that twins never collide.
CREATE OR REPLACE FUNCTION profile_jobs_index_twin_name(original_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN octet_length(original_name) <= 59 THEN original_name || '_gin'
    ELSE left(original_name, 50) || '_' || left(md5(original_name), 8) || '_gin'
  END
$$;

-- Creates the twin of one index when it is a plain btree over one (_jsonb -> 'field')
-- expression on a FerretDB collection table. Returns the twin's name, or NULL when the index is
-- of another kind. A failure is reported as a WARNING in the server log instead of failing
-- FerretDB's CREATE INDEX, because without its twin an index still works, only slower.
CREATE OR REPLACE FUNCTION profile_jobs_create_index_twin(index_oid oid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  found_index record;
  field_literal text;
  twin_name text;
BEGIN
  SELECT index_class.relname AS index_name,
         table_class.relname AS table_name,
         table_namespace.nspname AS schema_name,
         access_method.amname AS access_method,
         pg_index.indnatts AS column_count,
         pg_index.indkey[0] AS first_column,
         pg_index.indpred IS NOT NULL AS is_partial,
         pg_get_indexdef(pg_index.indexrelid, 1, false) AS first_key
    INTO found_index
    FROM pg_index
    JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
    JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
    JOIN pg_namespace table_namespace ON table_namespace.oid = table_class.relnamespace
    JOIN pg_am access_method ON access_method.oid = index_class.relam
   WHERE pg_index.indexrelid = index_oid;

  -- FerretDB's own metadata tables are read by other means and need no twin.
  IF NOT FOUND
     OR found_index.access_method <> 'btree'
     OR found_index.column_count <> 1
     OR found_index.first_column <> 0
     OR found_index.is_partial
     OR found_index.table_name LIKE '\_ferretdb\_%' THEN
    RETURN NULL;
  END IF;

  -- pg_get_indexdef prints the key of FerretDB's indexes as ((_jsonb -> 'field'::text)), with
  -- quotes in the field name doubled (PostgreSQL 15; its pretty form has one pair of brackets
  -- less, so either is accepted). Keys over nested paths (_jsonb -> 'a' -> 'b') or over other
  -- columns do not match.
  field_literal := substring(found_index.first_key FROM '^\(\(?_jsonb -> (''(?:[^'']|'''')*'')::text\)\)?$');
  IF field_literal IS NULL THEN
    RETURN NULL;
  END IF;

  twin_name := profile_jobs_index_twin_name(found_index.index_name);
  BEGIN
    EXECUTE format(
      'CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %s) jsonb_path_ops) WITH (fastupdate = off)',
      twin_name, found_index.schema_name, found_index.table_name, field_literal);
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'profile_jobs: could not create GIN twin % of index %.%: %',
      twin_name, found_index.schema_name, found_index.index_name, SQLERRM;
    RETURN NULL;
  END;

  RETURN twin_name;
END
$$;

CREATE OR REPLACE FUNCTION profile_jobs_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  command record;
BEGIN
  -- The twin's own CREATE INDEX fires this trigger again. The twin is a GIN index, so
  -- profile_jobs_create_index_twin skips it, and recursion stops after one level.
  FOR command IN
    SELECT objid FROM pg_event_trigger_ddl_commands()
     WHERE command_tag = 'CREATE INDEX' AND object_type = 'index'
  LOOP
    PERFORM profile_jobs_create_index_twin(command.objid);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION profile_jobs_on_drop_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
  twin regclass;
BEGIN
  -- When a whole table or schema is dropped, its twins are in this list too and already gone,
  -- so to_regclass finds nothing for them.
  FOR dropped IN
    SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
     WHERE object_type = 'index' AND object_name NOT LIKE '%\_gin'
  LOOP
    twin := to_regclass(format('%I.%I', dropped.schema_name, profile_jobs_index_twin_name(dropped.object_name)));
    IF twin IS NOT NULL THEN
      EXECUTE format('DROP INDEX %s', twin);
    END IF;
  END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS profile_jobs_index_twins_on_create;
CREATE EVENT TRIGGER profile_jobs_index_twins_on_create ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION profile_jobs_on_create_index();

DROP EVENT TRIGGER IF EXISTS profile_jobs_index_twins_on_drop;
CREATE EVENT TRIGGER profile_jobs_index_twins_on_drop ON sql_drop
  WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION profile_jobs_on_drop_index();

-- Indexes created while the trigger was missing (a cluster made by an older stack) get their
-- twins now. For an index that already has one, CREATE INDEX IF NOT EXISTS does nothing.
SELECT count(profile_jobs_create_index_twin(pg_index.indexrelid)) AS twins_checked
  FROM pg_index
  JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
  JOIN pg_namespace table_namespace ON table_namespace.oid = table_class.relnamespace
 WHERE table_namespace.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
