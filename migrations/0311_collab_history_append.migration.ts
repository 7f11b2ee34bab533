/**
 * One call per flush of the edit history (docs/playback.md, "The edit history"): collab_history_append writes a
 * batch's update rows and its checkpoints in one statement from the client, so a flush is one round trip and one
 * transaction instead of four (BEGIN, SET LOCAL, INSERT … RETURNING, INSERT, COMMIT).
 *
 * Update rows: `u_rooms`, `u_at`, `u_authors` per row, payloads as ONE bytea (`u_blob`) sliced by `u_offsets` /
 * `u_lengths` (an array of bytea would travel hex-encoded). Identity values are drawn in the ORDER BY order, so the
 * sorted ids line up with the rows as given.
 *
 * Checkpoints: `c_rooms`, `c_at`, `c_states`, and `c_after`: the 1-based position in this batch of the room's last
 * update row before the checkpoint, 0 if the batch has none — then the checkpoint covers the room's last row written
 * earlier (ids below this batch's first), or nothing (0).
 *
 * The commit does not wait for the WAL flush (set for this transaction only): a crash loses at most the last
 * moments of history, which a crash of the collab node loses anyway.
 */
import { sql, type Kysely } from 'kysely';

const UP = `
CREATE FUNCTION collab_history_append(
  u_rooms text[], u_at bigint[], u_authors text[], u_blob bytea, u_offsets int[], u_lengths int[],
  c_rooms text[], c_at bigint[], c_after int[], c_states bytea[]
) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_ids bigint[];
  v_first bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  WITH inserted AS (
    INSERT INTO collab_edit_updates (room_id, accepted_at, author, update)
    SELECT t.room_id, t.accepted_at, t.author, substring(u_blob FROM t.off + 1 FOR t.len)
    FROM unnest(u_rooms, u_at, u_authors, u_offsets, u_lengths) WITH ORDINALITY AS t(room_id, accepted_at, author, off, len, ord)
    ORDER BY t.ord
    RETURNING id
  )
  SELECT array_agg(id ORDER BY id), min(id) INTO v_ids, v_first FROM inserted;

  IF coalesce(array_length(c_rooms, 1), 0) > 0 THEN
    INSERT INTO collab_edit_checkpoints (room_id, taken_at, through_id, state)
    SELECT c.room_id, c.taken_at,
           CASE WHEN c.after > 0 THEN v_ids[c.after]
                ELSE coalesce((SELECT max(u.id) FROM collab_edit_updates u
                               WHERE u.room_id = c.room_id AND (v_first IS NULL OR u.id < v_first)), 0)
           END,
           c.state
    FROM unnest(c_rooms, c_at, c_after, c_states) AS c(room_id, taken_at, after, state);
  END IF;
END
$fn$;
`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(UP).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS collab_history_append(text[], bigint[], text[], bytea, int[], int[], text[], bigint[], int[], bytea[])`.execute(db);
}
