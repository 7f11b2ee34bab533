/**
 * Event store tables and the plpgsql functions that are the only way events get written.
 *
 * Global order: positions come from a sequence, but only after the append has taken a transaction-scoped advisory
 * lock that is held until commit. A transaction that owns a position therefore commits before anyone else can get
 * the next one, so position order equals commit order and readers can safely use `global_position > checkpoint`
 * (no gaps that fill in later). The lock key includes the schema, so deployments or test schemas sharing one
 * database do not serialise each other.
 *
 * The functions meant to be called (append, delete, metadata) pin their search_path to the schema they were created
 * in, so they work whatever the caller's path is; the small helpers rely on that pinned path.
 * Errors use custom SQLSTATEs: ES409 wrong expected revision (DETAIL is JSON {stream, expected, actual}) and
 * ES410 stream deleted (tombstoned).
 */
import { sql, type Kysely } from 'kysely';

const TABLES = `
CREATE SEQUENCE es_global_position AS bigint MINVALUE 1 START WITH 1;

-- One row per stream: the 0-based last revision (-1 = no events), deletion state and stream metadata.
-- metadata_revision plays the role of the ESDB metastream revision (-1 = metadata never written).
CREATE TABLE es_streams (
  stream_name       text PRIMARY KEY,
  revision          bigint NOT NULL DEFAULT -1,
  soft_deleted      boolean NOT NULL DEFAULT false,
  tombstoned        boolean NOT NULL DEFAULT false,
  truncate_before   bigint,
  max_age_seconds   integer,
  max_count         integer,
  custom_metadata   jsonb,
  metadata_revision bigint NOT NULL DEFAULT -1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- No foreign key to es_streams: the append functions hold the stream row lock while inserting, and a key check
-- per event would only add an index probe to the hot path. Event ids are not indexed: as in ESDB, idempotency is
-- checked per stream (by revision), and nothing looks events up by id.
CREATE TABLE es_events (
  global_position bigint PRIMARY KEY,
  stream_name     text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL,
  CONSTRAINT es_events_stream_revision_key UNIQUE (stream_name, stream_revision)
);
`;

const HELPERS = `
-- NOTIFY channel of this schema: a fixed-length name that is always a valid identifier. No pinned search_path,
-- so the planner can inline it; both callers (the append function and the store's LISTEN connection) run with the
-- event store schema first on their path.
CREATE FUNCTION es_notify_channel() RETURNS text
LANGUAGE sql STABLE
AS $fn$ SELECT 'es_' || md5(current_schema()) $fn$;

-- Plain ESDB expected-revision check against a current revision (-1 = no stream).
CREATE FUNCTION es_expected_matches(p_expected text, p_current bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $fn$
  SELECT CASE p_expected
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN p_current = -1
    WHEN 'stream_exists' THEN p_current >= 0
    ELSE p_current = p_expected::bigint
  END
$fn$;

CREATE FUNCTION es_validate_expected(p_expected text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $fn$
BEGIN
  IF p_expected IS NULL OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND p_expected !~ '^[0-9]{1,18}$') THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('invalid expected revision %L', p_expected);
  END IF;
END
$fn$;
`;

/**
 * The group-commit append. p_appends is a JSON array of {s: stream, e: expected, ev: [{id, type, data, metadata}]};
 * it returns one row per element (idx is 1-based): either next_expected_revision + last_position, or an
 * error_code (ES409 with actual_revision, or ES410) for that element alone while the others still commit.
 *
 * Expected revision follows EventStoreDB: 'no_stream' also accepts a soft-deleted stream (the first write recreates
 * it and revisions continue); 'stream_exists' accepts a stream with events or with metadata, and a soft-deleted
 * stream fails it with ES410 (ESDB answers StreamDeleted there too); a tombstoned stream fails everything with ES410.
 *
 * Idempotency is per stream, as in ESDB: when the events of an element already sit in its stream, in order, right
 * after the expected revision (for 'any'/'stream_exists': as the stream's last events), the original result is
 * returned and nothing is written. The probe runs only where the append would otherwise fail (or for 'any' /
 * 'stream_exists'), so the common exact-revision append pays nothing for it.
 *
 * Statement budget matters here (every append waits for this function while holding the stream locks): one
 * INSERT for new streams, one query that locks the stream rows and drives the loop, one that writes and answers.
 *
 * It sends no NOTIFY: Postgres serialises every notifying transaction of the cluster on one lock held through its
 * commit flush, so a NOTIFY here would queue appends behind every other notifier's fsync. The store announces
 * the committed position right after the commit instead, in a transaction of its own that writes nothing.
 */
const APPEND_BATCH = `
CREATE FUNCTION es_append_batch(p_appends jsonb)
RETURNS TABLE (idx integer, error_code text, actual_revision bigint, next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
-- Custom plans would re-plan the array-driven statements on every call; their generic plans are just as good.
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  r record;
  -- running state of the stream being processed (rows arrive grouped by stream, in arrival order)
  v_stream text;
  v_rev bigint;
  v_soft_deleted boolean;
  v_tombstoned boolean;
  v_has_metadata boolean;
  v_changed boolean := false;
  -- per element
  v_exact bigint;
  v_matches boolean;
  v_err text;
  v_probe_first bigint;
  v_idempotent boolean;
  v_found uuid[];
  v_found_pos bigint;
  -- results
  ok_idx integer[] := '{}';
  ok_first bigint[] := '{}';
  ok_n integer[] := '{}';
  res_idx integer[] := '{}';
  res_err text[] := '{}';
  res_actual bigint[] := '{}';
  res_next bigint[] := '{}';
  res_pos bigint[] := '{}';
  upd_stream text[] := '{}';
  upd_rev bigint[] := '{}';
  v_total bigint := 0;
  v_base bigint;
  v_now timestamptz;
BEGIN
  -- 1. Every target stream gets a row (in name order, so concurrent creators queue in the same order).
  INSERT INTO es_streams (stream_name)
  SELECT DISTINCT a->>'s' FROM jsonb_array_elements(p_appends) AS a ORDER BY 1
  ON CONFLICT (stream_name) DO NOTHING;

  -- 2. Lock the rows in name order (batches touching the same streams cannot deadlock) and check every element
  --    against the locked state, which FOR UPDATE returns as committed by whoever held the lock before us.
  FOR r IN
    SELECT a.ord::integer AS i, a.v->>'s' AS s, a.v->>'e' AS e, a.v->'ev' AS ev,
           jsonb_array_length(a.v->'ev') AS n,
           l.revision, l.soft_deleted, l.tombstoned, l.has_metadata
    FROM (
      SELECT st.stream_name, st.revision, st.soft_deleted, st.tombstoned, st.metadata_revision >= 0 AS has_metadata
      FROM es_streams AS st
      WHERE st.stream_name = ANY (ARRAY(SELECT DISTINCT a->>'s' FROM jsonb_array_elements(p_appends) AS a))
      ORDER BY st.stream_name
      FOR UPDATE
    ) AS l
    JOIN jsonb_array_elements(p_appends) WITH ORDINALITY AS a(v, ord) ON a.v->>'s' = l.stream_name
    ORDER BY l.stream_name, a.ord
  LOOP
    IF v_stream IS DISTINCT FROM r.s THEN
      IF v_changed THEN
        upd_stream := array_append(upd_stream, v_stream);
        upd_rev := array_append(upd_rev, v_rev);
      END IF;
      v_stream := r.s;
      v_rev := r.revision;
      v_soft_deleted := r.soft_deleted;
      v_tombstoned := r.tombstoned;
      v_has_metadata := r.has_metadata;
      v_changed := false;
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
      -- Where the events of a retried append would be, if this is one.
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
        v_soft_deleted := false;
        v_changed := true;
        v_total := v_total + r.n;
      END IF;
    END IF;
  END LOOP;
  IF v_changed THEN
    upd_stream := array_append(upd_stream, v_stream);
    upd_rev := array_append(upd_rev, v_rev);
  END IF;

  IF v_total > 0 THEN
    -- 3. The global lock, last: positions handed out from here on commit in position order.
    PERFORM pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema()));
    v_base := nextval('es_global_position');
    IF v_total > 1 THEN
      PERFORM setval('es_global_position', v_base + v_total - 1);
    END IF;
    v_now := clock_timestamp();
  ELSE
    -- Nothing to write (all failed, idempotent or empty): empty appends report the current head.
    v_base := coalesce((SELECT max(global_position) FROM es_events), 0) + 1;
    v_now := clock_timestamp();
  END IF;

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
    ), updated AS (
      UPDATE es_streams AS st SET revision = u.rev, soft_deleted = false, updated_at = v_now
      FROM unnest(upd_stream, upd_rev) AS u(name, rev)
      WHERE st.stream_name = u.name
    )
    SELECT o.i, NULL::text, NULL::bigint, o.first_rev + o.n - 1, v_base - 1 + sum(o.n) OVER (ORDER BY o.i)
    FROM unnest(ok_idx, ok_first, ok_n) AS o(i, first_rev, n)
    UNION ALL
    SELECT x.i, x.err, x.actual, x.next_rev, x.pos
    FROM unnest(res_idx, res_err, res_actual, res_next, res_pos) AS x(i, err, actual, next_rev, pos);
END
$fn$;
`;

/** Single-stream append for SQL callers; same semantics, failures raised as ES409/ES410. */
const APPEND_ONE = `
CREATE FUNCTION es_append_to_stream(p_stream text, p_expected text, p_events jsonb)
RETURNS TABLE (next_expected_revision bigint, last_position bigint)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  r record;
BEGIN
  PERFORM es_validate_expected(p_expected);
  SELECT * INTO r
  FROM es_append_batch(jsonb_build_array(jsonb_build_object('s', p_stream, 'e', p_expected, 'ev', coalesce(p_events, '[]'::jsonb))));
  IF r.error_code = 'ES409' THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409',
      MESSAGE = format('wrong expected revision on stream %s', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream, 'expected', p_expected, 'actual', r.actual_revision)::text;
  ELSIF r.error_code = 'ES410' THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is deleted', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream)::text;
  END IF;
  -- SQL callers have no store to announce the commit for them; delivered at commit only.
  IF jsonb_array_length(coalesce(p_events, '[]'::jsonb)) > 0 THEN
    PERFORM pg_notify(es_notify_channel(), r.last_position::text);
  END IF;
  RETURN QUERY SELECT r.next_expected_revision, r.last_position;
END
$fn$;
`;

/**
 * Soft delete and tombstone. Neither writes events, so neither takes the global lock. Soft delete hides every
 * current event (truncate_before = revision + 1) and marks the stream deleted until its next append; revisions
 * continue from where they were. ESDB parks $tb at "max" while deleted; here it is revision + 1 right away, which
 * reads the same.
 */
const DELETE_AND_METADATA = `
CREATE FUNCTION es_delete_stream(p_stream text, p_expected text, p_tombstone boolean) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  s es_streams%ROWTYPE;
BEGIN
  PERFORM es_validate_expected(p_expected);
  INSERT INTO es_streams (stream_name) VALUES (p_stream) ON CONFLICT (stream_name) DO NOTHING;
  SELECT * INTO s FROM es_streams WHERE stream_name = p_stream FOR UPDATE;
  IF s.tombstoned THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is deleted', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream)::text;
  END IF;
  IF NOT es_expected_matches(p_expected, s.revision) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409',
      MESSAGE = format('wrong expected revision on stream %s', p_stream),
      DETAIL = jsonb_build_object('stream', p_stream, 'expected', p_expected, 'actual', s.revision)::text;
  END IF;
  IF p_tombstone THEN
    UPDATE es_streams SET tombstoned = true, updated_at = now() WHERE stream_name = p_stream;
  ELSE
    UPDATE es_streams
    SET soft_deleted = true, truncate_before = s.revision + 1, metadata_revision = s.metadata_revision + 1,
        updated_at = now()
    WHERE stream_name = p_stream;
  END IF;
END
$fn$;

-- Replaces the whole metadata document, as ESDB does; the expected revision is checked against the metadata
-- revision. Like ESDB, writing metadata clears a soft delete (its truncate-before is whatever the new document says).
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
  INSERT INTO es_streams (stream_name) VALUES (p_stream) ON CONFLICT (stream_name) DO NOTHING;
  SELECT * INTO s FROM es_streams WHERE stream_name = p_stream FOR UPDATE;
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

export async function up(db: Kysely<any>): Promise<void> {
  for (const ddl of [TABLES, HELPERS, APPEND_BATCH, APPEND_ONE, DELETE_AND_METADATA]) {
    await sql.raw(ddl).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `DROP FUNCTION IF EXISTS es_set_stream_metadata(text, text, integer, integer, bigint, jsonb);
       DROP FUNCTION IF EXISTS es_delete_stream(text, text, boolean);
       DROP FUNCTION IF EXISTS es_append_to_stream(text, text, jsonb);
       DROP FUNCTION IF EXISTS es_append_batch(jsonb);
       DROP FUNCTION IF EXISTS es_validate_expected(text);
       DROP FUNCTION IF EXISTS es_expected_matches(text, bigint);
       DROP FUNCTION IF EXISTS es_notify_channel();
       DROP TABLE IF EXISTS es_events;
       DROP TABLE IF EXISTS es_streams;
       DROP SEQUENCE IF EXISTS es_global_position;`,
    )
    .execute(db);
}
