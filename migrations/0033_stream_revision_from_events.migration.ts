/**
 * Owner: the event store. A stream's revision is no longer kept in es_streams: it is the highest stream_revision
 * of its events, one backward step of the (stream_name, stream_revision) index, which every append already
 * maintains. An append therefore writes only its events; before, every append also rewrote its stream's
 * es_streams row (a new row version and its WAL on every commit). es_streams keeps what events cannot tell:
 * deletion state and stream metadata, so a row exists only for a stream that was deleted or given metadata.
 *
 * What the row lock serialised before, a transaction-scoped advisory lock per stream serialises now. Every writer
 * of a stream takes it first: appends (in key order when a batch holds several streams, so batches cannot
 * deadlock), soft delete, tombstone and metadata. The lock key is (hash of schema + ':es_stream', hash of the
 * stream name): a hash collision only makes two streams wait for each other. The global position lock is still
 * taken last by appends that write, so positions still commit in position order. A statement that runs after
 * the stream lock was granted sees whatever the previous holder committed (locks are released after the commit
 * is visible), so the revision it reads is current until this transaction ends.
 *
 * The single-append fast path (exact revision or no_stream, at least one event) is then: the stream lock, a
 * look-up of the stream's deletion state, its last revision, the check, the global lock, the position, the
 * insert. Anything else goes to es_append_general as before (idempotent retries, errors, soft-deleted streams,
 * 'any' and 'stream_exists', batches). The previous functions stay under *_0001 / *_0030 names for down().
 */
import { sql, type Kysely } from 'kysely';

/** The stream lock of one stream name (an expression over `name`). */
const lockStream = (name: string): string => `pg_advisory_xact_lock(hashtext(current_schema() || ':es_stream'), hashtext(${name}))`;
/** The last revision of a stream (-1 = no events), from the events themselves. */
const lastRevision = (name: string): string =>
  `coalesce((SELECT max(x.stream_revision) FROM es_events AS x WHERE x.stream_name = ${name}), -1)`;
const GLOBAL_LOCK = `pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema()))`;

const KEEP_PREVIOUS = `
ALTER FUNCTION es_append_batch(jsonb) RENAME TO es_append_batch_0030;
ALTER FUNCTION es_append_general(jsonb) RENAME TO es_append_general_0001;
ALTER FUNCTION es_delete_stream(text, text, boolean) RENAME TO es_delete_stream_0001;
ALTER FUNCTION es_set_stream_metadata(text, text, integer, integer, bigint, jsonb) RENAME TO es_set_stream_metadata_0001;
ALTER TABLE es_streams DROP COLUMN revision;
DELETE FROM es_streams WHERE NOT soft_deleted AND NOT tombstoned AND metadata_revision < 0;
`;

const FAST_PATH = `
CREATE FUNCTION es_append_batch(p_appends jsonb)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  v_stream text;
  v_expected text;
  v_events jsonb;
  v_count integer;
  v_rev bigint;
  v_base bigint;
  v_now timestamptz;
BEGIN
  IF jsonb_array_length(p_appends) = 1 THEN
    v_stream := p_appends->0->>'s';
    v_expected := p_appends->0->>'e';
    v_events := p_appends->0->'ev';
    v_count := jsonb_array_length(v_events);
    IF v_count > 0 AND (v_expected = 'no_stream' OR v_expected ~ '^[0-9]{1,18}$') THEN
      PERFORM ${lockStream('v_stream')};
      -- A soft-deleted or tombstoned stream is es_append_general's to judge.
      IF NOT EXISTS (SELECT 1 FROM es_streams AS st WHERE st.stream_name = v_stream AND (st.soft_deleted OR st.tombstoned)) THEN
        v_rev := ${lastRevision('v_stream')};
        IF v_rev = (CASE WHEN v_expected = 'no_stream' THEN -1 ELSE v_expected::bigint END) THEN
          PERFORM ${GLOBAL_LOCK};
          v_base := nextval('es_global_position');
          IF v_count > 1 THEN
            PERFORM setval('es_global_position', v_base + v_count - 1);
          END IF;
          v_now := clock_timestamp();
          INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
          SELECT v_base + e.ord - 1, v_stream, v_rev + e.ord, (e.v->>'id')::uuid, e.v->>'type', e.v->'data',
                 coalesce(e.v->'metadata', '{}'::jsonb), v_now
          FROM jsonb_array_elements(v_events) WITH ORDINALITY AS e(v, ord);
          RETURN QUERY SELECT 1, NULL::text, NULL::bigint, v_rev + v_count, v_base + v_count - 1;
          RETURN;
        END IF;
      END IF;
    END IF;
  END IF;
  RETURN QUERY SELECT * FROM es_append_general(p_appends);
END
$fn$;
`;

/**
 * es_append_general as in migrations/0001_event_store.migration.ts (see there for the expected-revision,
 * idempotency and error rules), with the stream locks and the revision taken from the events. Its last statement
 * touches es_streams only to clear the soft delete of a stream it wrote to.
 */
const GENERAL = `
CREATE FUNCTION es_append_general(p_appends jsonb)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  r record;
  v_key integer;
  v_stream text;
  v_rev bigint;
  v_soft_deleted boolean;
  v_tombstoned boolean;
  v_has_metadata boolean;
  v_exact bigint;
  v_matches boolean;
  v_err text;
  v_probe_first bigint;
  v_idempotent boolean;
  v_found uuid[];
  v_found_pos bigint;
  ok_idx integer[] := '{}';
  ok_first bigint[] := '{}';
  ok_n integer[] := '{}';
  res_idx integer[] := '{}';
  res_err text[] := '{}';
  res_actual bigint[] := '{}';
  res_next bigint[] := '{}';
  res_pos bigint[] := '{}';
  written_streams text[] := '{}';
  v_total bigint := 0;
  v_base bigint;
  v_now timestamptz;
BEGIN
  -- 1. Lock every target stream in key order (batches touching the same streams cannot deadlock).
  FOR v_key IN SELECT DISTINCT hashtext(a->>'s') FROM jsonb_array_elements(p_appends) AS a ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext(current_schema() || ':es_stream'), v_key);
  END LOOP;

  -- 2. Check every element against the stream as the previous lock holders left it.
  FOR r IN
    SELECT a.ord::integer AS i, a.v->>'s' AS s, a.v->>'e' AS e, a.v->'ev' AS ev,
           jsonb_array_length(a.v->'ev') AS n,
           l.revision, l.soft_deleted, l.tombstoned, l.has_metadata
    FROM (
      SELECT d.s, ${lastRevision('d.s')} AS revision,
             coalesce(st.soft_deleted, false) AS soft_deleted, coalesce(st.tombstoned, false) AS tombstoned,
             coalesce(st.metadata_revision >= 0, false) AS has_metadata
      FROM (SELECT DISTINCT a->>'s' AS s FROM jsonb_array_elements(p_appends) AS a) AS d
      LEFT JOIN es_streams AS st ON st.stream_name = d.s
    ) AS l
    JOIN jsonb_array_elements(p_appends) WITH ORDINALITY AS a(v, ord) ON a.v->>'s' = l.s
    ORDER BY l.s, a.ord
  LOOP
    IF v_stream IS DISTINCT FROM r.s THEN
      v_stream := r.s;
      v_rev := r.revision;
      v_soft_deleted := r.soft_deleted;
      v_tombstoned := r.tombstoned;
      v_has_metadata := r.has_metadata;
    END IF;

    v_err := NULL;
    v_idempotent := false;
    IF v_tombstoned THEN
      v_err := 'ES410';
    ELSE
      v_exact := CASE WHEN r.e IN ('any', 'no_stream', 'stream_exists') THEN NULL ELSE r.e::bigint END;
      v_matches := CASE
        WHEN r.e = 'any' THEN true
        WHEN r.e = 'no_stream' THEN v_rev = -1 OR v_soft_deleted
        WHEN r.e = 'stream_exists' THEN v_rev >= 0 OR v_has_metadata
        ELSE v_rev = v_exact
      END;
      v_probe_first := CASE
        WHEN r.n = 0 THEN NULL
        WHEN r.e IN ('any', 'stream_exists') THEN v_rev - r.n + 1
        WHEN v_matches THEN NULL
        WHEN r.e = 'no_stream' THEN 0
        ELSE v_exact + 1
      END;
      IF v_probe_first >= 0 AND v_probe_first + r.n - 1 <= v_rev THEN
        SELECT array_agg(x.event_id ORDER BY x.stream_revision), max(x.global_position) INTO v_found, v_found_pos
        FROM es_events AS x
        WHERE x.stream_name = r.s AND x.stream_revision BETWEEN v_probe_first AND v_probe_first + r.n - 1;
        v_idempotent := coalesce(
          v_found = ARRAY(SELECT (e.v->>'id')::uuid FROM jsonb_array_elements(r.ev) WITH ORDINALITY AS e(v, ord) ORDER BY e.ord),
          false);
      END IF;
      IF NOT v_idempotent THEN
        IF r.e = 'stream_exists' AND v_soft_deleted THEN
          v_err := 'ES410';
        ELSIF NOT v_matches THEN
          v_err := 'ES409';
        END IF;
      END IF;
    END IF;

    IF v_idempotent THEN
      res_idx := array_append(res_idx, r.i);
      res_err := array_append(res_err, NULL::text);
      res_actual := array_append(res_actual, NULL::bigint);
      res_next := array_append(res_next, v_probe_first + r.n - 1);
      res_pos := array_append(res_pos, v_found_pos);
    ELSIF v_err IS NOT NULL THEN
      res_idx := array_append(res_idx, r.i);
      res_err := array_append(res_err, v_err);
      res_actual := array_append(res_actual, v_rev);
      res_next := array_append(res_next, NULL::bigint);
      res_pos := array_append(res_pos, NULL::bigint);
    ELSE
      ok_idx := array_append(ok_idx, r.i);
      ok_first := array_append(ok_first, v_rev + 1);
      ok_n := array_append(ok_n, r.n);
      IF r.n > 0 THEN
        v_rev := v_rev + r.n;
        IF v_soft_deleted THEN
          written_streams := array_append(written_streams, r.s);
        END IF;
        v_soft_deleted := false;
        v_total := v_total + r.n;
      END IF;
    END IF;
  END LOOP;

  IF v_total > 0 THEN
    -- 3. The global lock, last: positions handed out from here on commit in position order.
    PERFORM ${GLOBAL_LOCK};
    v_base := nextval('es_global_position');
    IF v_total > 1 THEN
      PERFORM setval('es_global_position', v_base + v_total - 1);
    END IF;
  ELSE
    -- Nothing to write (all failed, idempotent or empty): empty appends report the current head.
    v_base := coalesce((SELECT max(global_position) FROM es_events), 0) + 1;
  END IF;
  v_now := clock_timestamp();

  -- 4. Write and answer in one statement: positions follow arrival order, revisions were fixed in step 2.
  RETURN QUERY
    WITH written AS (
      INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
      SELECT v_base - 1 + row_number() OVER (ORDER BY o.i, e.ord),
             a.v->>'s', o.first_rev + e.ord - 1, (e.v->>'id')::uuid, e.v->>'type', e.v->'data',
             coalesce(e.v->'metadata', '{}'::jsonb), v_now
      FROM unnest(ok_idx, ok_first) AS o(i, first_rev)
      CROSS JOIN LATERAL (SELECT p_appends->(o.i - 1) AS v) AS a
      CROSS JOIN LATERAL jsonb_array_elements(a.v->'ev') WITH ORDINALITY AS e(v, ord)
    ), undeleted AS (
      UPDATE es_streams AS st SET soft_deleted = false, updated_at = v_now
      WHERE st.stream_name = ANY (written_streams)
    )
    SELECT o.i, NULL::text, NULL::bigint, o.first_rev + o.n - 1, v_base - 1 + sum(o.n) OVER (ORDER BY o.i)
    FROM unnest(ok_idx, ok_first, ok_n) AS o(i, first_rev, n)
    UNION ALL
    SELECT x.i, x.err, x.actual, x.next_rev, x.pos
    FROM unnest(res_idx, res_err, res_actual, res_next, res_pos) AS x(i, err, actual, next_rev, pos);
END
$fn$;
`;

/** Soft delete, tombstone and metadata as in migrations/0001_event_store.migration.ts, under the stream lock. */
const DELETE_AND_METADATA = `
CREATE FUNCTION es_delete_stream(p_stream text, p_expected text, p_tombstone boolean) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  s es_streams%ROWTYPE;
  v_rev bigint;
BEGIN
  PERFORM es_validate_expected(p_expected);
  PERFORM ${lockStream('p_stream')};
  INSERT INTO es_streams (stream_name) VALUES (p_stream) ON CONFLICT (stream_name) DO NOTHING;
  SELECT * INTO s FROM es_streams WHERE stream_name = p_stream;
  v_rev := ${lastRevision('p_stream')};
  IF s.tombstoned THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is deleted', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream)::text;
  END IF;
  IF NOT es_expected_matches(p_expected, v_rev) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409',
      MESSAGE = format('wrong expected revision on stream %s', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream, 'expected', p_expected, 'actual', v_rev)::text;
  END IF;
  IF p_tombstone THEN
    UPDATE es_streams SET tombstoned = true, updated_at = now() WHERE stream_name = p_stream;
  ELSE
    UPDATE es_streams
    SET soft_deleted = true, truncate_before = v_rev + 1, metadata_revision = s.metadata_revision + 1,
        updated_at = now()
    WHERE stream_name = p_stream;
  END IF;
END
$fn$;

CREATE FUNCTION es_set_stream_metadata(
  p_stream text, p_expected text, p_max_age integer, p_max_count integer, p_truncate_before bigint, p_custom jsonb
) RETURNS bigint
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  s es_streams%ROWTYPE;
BEGIN
  PERFORM es_validate_expected(p_expected);
  PERFORM ${lockStream('p_stream')};
  INSERT INTO es_streams (stream_name) VALUES (p_stream) ON CONFLICT (stream_name) DO NOTHING;
  SELECT * INTO s FROM es_streams WHERE stream_name = p_stream;
  IF s.tombstoned THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is deleted', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream)::text;
  END IF;
  IF NOT es_expected_matches(p_expected, s.metadata_revision) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409',
      MESSAGE = format('wrong expected metadata revision on stream %s', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream, 'expected', p_expected, 'actual', s.metadata_revision)::text;
  END IF;
  UPDATE es_streams
  SET max_age_seconds = p_max_age, max_count = p_max_count, truncate_before = p_truncate_before,
      custom_metadata = p_custom, metadata_revision = s.metadata_revision + 1, soft_deleted = false,
      updated_at = now()
  WHERE stream_name = p_stream;
  RETURN s.metadata_revision + 1;
END
$fn$;
`;

const DOWN = `
DROP FUNCTION es_append_batch(jsonb);
DROP FUNCTION es_append_general(jsonb);
DROP FUNCTION es_delete_stream(text, text, boolean);
DROP FUNCTION es_set_stream_metadata(text, text, integer, integer, bigint, jsonb);
ALTER TABLE es_streams ADD COLUMN revision bigint NOT NULL DEFAULT -1;
INSERT INTO es_streams AS st (stream_name, revision)
SELECT stream_name, max(stream_revision) FROM es_events GROUP BY stream_name
ON CONFLICT (stream_name) DO UPDATE SET revision = EXCLUDED.revision;
ALTER FUNCTION es_append_batch_0030(jsonb) RENAME TO es_append_batch;
ALTER FUNCTION es_append_general_0001(jsonb) RENAME TO es_append_general;
ALTER FUNCTION es_delete_stream_0001(text, text, boolean) RENAME TO es_delete_stream;
ALTER FUNCTION es_set_stream_metadata_0001(text, text, integer, integer, bigint, jsonb) RENAME TO es_set_stream_metadata;
`;

export async function up(db: Kysely<any>): Promise<void> {
  for (const ddl of [KEEP_PREVIOUS, FAST_PATH, GENERAL, DELETE_AND_METADATA]) {
    await sql.raw(ddl).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(DOWN).execute(db);
}
