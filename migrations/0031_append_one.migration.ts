/**
 * Owner: the event store. The lone append (what a single writer sends: one append, nothing else waiting) with
 * typed parameters instead of a JSON batch document, so the server neither parses nor walks an envelope:
 *
 *   es_append_one(stream, expected, ids uuid[], types text[], data jsonb, metadata jsonb)
 *
 * `expected` is encoded as for es_append_batch ('any', 'no_stream', 'stream_exists' or a revision); `data` and
 * `metadata` are JSON arrays with one object per event, in the order of `ids`. It answers with es_append_batch's
 * row shape (idx is always 1), so the caller reads both alike.
 *
 * Fast path, as in es_append_batch's (migrations/0030_append_fast_path.migration.ts): for an exact revision the
 * check, the row lock and the revision update are one UPDATE whose WHERE is the expectation; for 'no_stream' they
 * are one INSERT ... ON CONFLICT DO NOTHING. Under READ COMMITTED both wait for a concurrent writer of the row and
 * decide against what it committed, so a row back means the expectation held and the stream row is locked. Then
 * the global lock (last, so positions still commit in position order), the position, and the events - all one
 * statement. Anything else (no row back: a wrong revision, a retry, a soft-deleted or metadata-only stream, a
 * tombstone; 'any' and 'stream_exists'; no events) goes to es_append_general with the same append as a batch of
 * one, which decides and reports exactly as before.
 *
 * The fast path does not write es_streams.updated_at (nothing reads it; it is the time of the last delete or
 * metadata change). es_streams gets a fill factor of 80 so a page keeps room for the new version of a row and the
 * revision update stays a HOT update (no index entry; no index covers a column it changes).
 */
import { sql, type Kysely } from 'kysely';

const GLOBAL_LOCK = `pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema()))`;

/**
 * The write shared by both fast paths. `stream` is the CTE that returns first_rev when the expectation held.
 * MATERIALIZED keeps each step a separate node, so the lock is only taken once the stream row is, and the position
 * only once the lock is held.
 */
function writeAfter(streamCte: string): string {
  return `
    WITH stream AS (${streamCte}),
    locked AS MATERIALIZED (SELECT s.first_rev, ${GLOBAL_LOCK} AS held FROM stream AS s),
    pos AS MATERIALIZED (SELECT l.first_rev, nextval('es_global_position') AS base, clock_timestamp() AS at FROM locked AS l),
    written AS (
      INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
      SELECT p.base + e.ord - 1, p_stream, p.first_rev + e.ord - 1, e.id, e.type, e.data, e.metadata, p.at
      FROM pos AS p
      CROSS JOIN ROWS FROM (unnest(p_ids), unnest(p_types), jsonb_array_elements(p_data), jsonb_array_elements(p_metadata))
        WITH ORDINALITY AS e(id, type, data, metadata, ord)
    )
    SELECT 1, NULL::text, NULL::bigint, p.first_rev + v_count - 1,
           -- more than one event: move the sequence past the positions used (still under the global lock)
           CASE WHEN v_count > 1 THEN setval('es_global_position', p.base + v_count - 1) ELSE p.base END
    FROM pos AS p`;
}

const UP = `
ALTER TABLE es_streams SET (fillfactor = 80);

CREATE FUNCTION es_append_one(
  p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data jsonb, p_metadata jsonb
)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_count integer := coalesce(cardinality(p_ids), 0);
BEGIN
  IF v_count > 0 AND p_expected = 'no_stream' THEN
    RETURN QUERY ${writeAfter(`
      INSERT INTO es_streams (stream_name, revision) VALUES (p_stream, v_count - 1)
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING 0::bigint AS first_rev`)};
    IF FOUND THEN
      RETURN;
    END IF;
  ELSIF v_count > 0 AND p_expected ~ '^[0-9]{1,18}$' THEN
    RETURN QUERY ${writeAfter(`
      UPDATE es_streams SET revision = revision + v_count, soft_deleted = false
      WHERE stream_name = p_stream AND revision = p_expected::bigint AND NOT tombstoned
      RETURNING revision - v_count + 1 AS first_rev`)};
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT * FROM es_append_general(jsonb_build_array(jsonb_build_object(
    's', p_stream,
    'e', p_expected,
    'ev', coalesce((
      SELECT jsonb_agg(jsonb_build_object('id', e.id, 'type', e.type, 'data', e.data, 'metadata', e.metadata) ORDER BY e.ord)
      FROM ROWS FROM (unnest(p_ids), unnest(p_types), jsonb_array_elements(p_data), jsonb_array_elements(p_metadata))
        WITH ORDINALITY AS e(id, type, data, metadata, ord)
    ), '[]'::jsonb))));
END
$fn$;
`;

const DOWN = `
DROP FUNCTION IF EXISTS es_append_one(text, text, uuid[], text[], jsonb, jsonb);
ALTER TABLE es_streams RESET (fillfactor);
`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(UP).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(DOWN).execute(db);
}
