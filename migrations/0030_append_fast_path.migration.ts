/**
 * A fast path in front of the group-commit append for the case a lone writer produces: one append to one stream,
 * with an exact expected revision or `no_stream`. The general function (renamed es_append_general, unchanged)
 * locks the stream row, checks it, then updates it - a row lock, a loop and four statements. Here the check and the
 * write are one statement instead:
 *
 *   exact N    UPDATE es_streams SET revision = revision + n WHERE stream_name = s AND revision = N AND NOT tombstoned
 *   no_stream  INSERT INTO es_streams (stream_name, revision) VALUES (s, n - 1) ON CONFLICT DO NOTHING
 *
 * Under READ COMMITTED the UPDATE waits for a concurrent writer of the row and re-evaluates its WHERE against the
 * row as that writer committed it, and the INSERT waits for a concurrent creator; so one row means the expectation
 * held and the row is now locked, exactly as after the general path's FOR UPDATE + check. No row means the append
 * would fail, is a retry, hits a soft-deleted or metadata-only stream, or the stream is tombstoned: the general
 * function then decides (including the idempotency probe and the error to report). A successful fast append cannot
 * be a retry: its events would sit after revision N, and the stream ends at N.
 *
 * The global lock is still taken last, after the stream row, so positions still commit in order.
 */
import { sql, type Kysely } from 'kysely';

const UP = `
ALTER FUNCTION es_append_batch(jsonb) RENAME TO es_append_general;

CREATE FUNCTION es_append_batch(p_appends jsonb)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_stream text;
  v_expected text;
  v_events jsonb;
  v_count integer;
  v_first bigint;
  v_base bigint;
  v_now timestamptz;
BEGIN
  IF jsonb_array_length(p_appends) = 1 THEN
    v_stream := p_appends->0->>'s';
    v_expected := p_appends->0->>'e';
    v_events := p_appends->0->'ev';
    v_count := jsonb_array_length(v_events);
    IF v_count > 0 THEN
      v_now := clock_timestamp();
      IF v_expected = 'no_stream' THEN
        INSERT INTO es_streams (stream_name, revision, updated_at) VALUES (v_stream, v_count - 1, v_now)
        ON CONFLICT (stream_name) DO NOTHING;
        IF FOUND THEN
          v_first := 0;
        END IF;
      ELSIF v_expected ~ '^[0-9]{1,18}$' THEN
        UPDATE es_streams SET revision = revision + v_count, soft_deleted = false, updated_at = v_now
        WHERE stream_name = v_stream AND revision = v_expected::bigint AND NOT tombstoned;
        IF FOUND THEN
          v_first := v_expected::bigint + 1;
        END IF;
      END IF;
      IF v_first IS NOT NULL THEN
        -- The global lock, last (see es_append_general).
        PERFORM pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema()));
        v_base := nextval('es_global_position');
        IF v_count > 1 THEN
          PERFORM setval('es_global_position', v_base + v_count - 1);
        END IF;
        INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
        SELECT v_base + e.ord - 1, v_stream, v_first + e.ord - 1, (e.v->>'id')::uuid, e.v->>'type', e.v->'data',
               coalesce(e.v->'metadata', '{}'::jsonb), v_now
        FROM jsonb_array_elements(v_events) WITH ORDINALITY AS e(v, ord);
        RETURN QUERY SELECT 1, NULL::text, NULL::bigint, v_first + v_count - 1, v_base + v_count - 1;
        RETURN;
      END IF;
    END IF;
  END IF;
  RETURN QUERY SELECT * FROM es_append_general(p_appends);
END
$fn$;
`;

const DOWN = `
DROP FUNCTION IF EXISTS es_append_batch(jsonb);
ALTER FUNCTION es_append_general(jsonb) RENAME TO es_append_batch;
`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(UP).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(DOWN).execute(db);
}
