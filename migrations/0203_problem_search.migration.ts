/**
 * Trigram indexes for GET /problems?search= (case-insensitive substring of the title or the description), when the
 * `pg_trgm` extension can be had: created if missing (it is a trusted extension; concurrent creators and a missing
 * privilege are tolerated), indexes built in whatever schema holds it. Without it the search still works, by scan.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    DECLARE
      ext_schema text;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        BEGIN
          CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
        EXCEPTION WHEN unique_violation OR duplicate_object OR insufficient_privilege OR undefined_file OR feature_not_supported THEN
          NULL;
        END;
      END IF;
      SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
      IF ext_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX problems_title_trgm_idx ON problems USING gin (title %I.gin_trgm_ops) WHERE deleted_at IS NULL', ext_schema);
        EXECUTE format('CREATE INDEX problems_description_trgm_idx ON problems USING gin (description %I.gin_trgm_ops) WHERE deleted_at IS NULL', ext_schema);
      END IF;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS problems_description_trgm_idx, problems_title_trgm_idx`.execute(db);
}
