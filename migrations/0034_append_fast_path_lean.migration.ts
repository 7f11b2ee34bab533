/**
 * Owner: the event store. The single-append fast path of es_append_batch (migrations/0033_stream_revision_from_events
 * .migration.ts), same checks and locks, with less executor work per call: in a plpgsql function every statement
 * that reads a table starts and ends an executor, and for a lone append those start-ups cost more than the insert.
 *
 *   - the deletion-state probe and the last revision are one SELECT (it runs after the stream lock was granted, so
 *     it sees what the previous holder committed);
 *   - the locks, the position and the timestamp are plain expressions (no executor);
 *   - one event is inserted with VALUES instead of a scan of the event array;
 *   - the result row is returned with RETURN NEXT instead of a RETURN QUERY.
 *
 * The expected revision is read without a regular expression: the store sends 'any', 'no_stream', 'stream_exists'
 * or digits, and anything else fails the bigint cast with an error, as it does in es_append_general.
 * The previous function stays as es_append_batch_0033 for down().
 */
import { sql, type Kysely } from 'kysely';

const UP = `
ALTER FUNCTION es_append_batch(jsonb) RENAME TO es_append_batch_0033;

CREATE FUNCTION es_append_batch(p_appends jsonb)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  v_append jsonb;
  v_stream text;
  v_expected text;
  v_events jsonb;
  v_count integer;
  v_exact bigint;
  v_rev bigint;
  v_blocked boolean;
  v_base bigint;
  v_now timestamptz;
BEGIN
  IF jsonb_array_length(p_appends) = 1 THEN
    v_append := p_appends->0;
    v_expected := v_append->>'e';
    v_events := v_append->'ev';
    v_count := jsonb_array_length(v_events);
    IF v_count > 0 AND v_expected <> 'any' AND v_expected <> 'stream_exists' THEN
      v_exact := CASE WHEN v_expected = 'no_stream' THEN -1 ELSE v_expected::bigint END;
      v_stream := v_append->>'s';
      PERFORM pg_advisory_xact_lock(hashtext(current_schema() || ':es_stream'), hashtext(v_stream));
      -- A soft-deleted or tombstoned stream is es_append_general's to judge.
      SELECT coalesce((SELECT max(x.stream_revision) FROM es_events AS x WHERE x.stream_name = v_stream), -1),
             EXISTS (SELECT 1 FROM es_streams AS st WHERE st.stream_name = v_stream AND (st.soft_deleted OR st.tombstoned))
      INTO v_rev, v_blocked;
      IF v_rev = v_exact AND NOT v_blocked THEN
        PERFORM pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema()));
        v_base := nextval('es_global_position');
        v_now := clock_timestamp();
        IF v_count = 1 THEN
          INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
          VALUES (v_base, v_stream, v_rev + 1, (v_events->0->>'id')::uuid, v_events->0->>'type', v_events->0->'data',
                  coalesce(v_events->0->'metadata', '{}'::jsonb), v_now);
        ELSE
          PERFORM setval('es_global_position', v_base + v_count - 1);
          INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
          SELECT v_base + e.ord - 1, v_stream, v_rev + e.ord, (e.v->>'id')::uuid, e.v->>'type', e.v->'data',
                 coalesce(e.v->'metadata', '{}'::jsonb), v_now
          FROM jsonb_array_elements(v_events) WITH ORDINALITY AS e(v, ord);
        END IF;
        idx := 1;
        next_expected_revision := v_rev + v_count;
        last_position := v_base + v_count - 1;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  RETURN QUERY SELECT * FROM es_append_general(p_appends);
END
$fn$;
`;

const DOWN = `
DROP FUNCTION es_append_batch(jsonb);
ALTER FUNCTION es_append_batch_0033(jsonb) RENAME TO es_append_batch;
`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(UP).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(DOWN).execute(db);
}
