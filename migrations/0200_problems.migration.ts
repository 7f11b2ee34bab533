/**
 * The problems read model (owned by the `problems` projection). `problems` and `problem_test_cases` are also read
 * by the rooms and execution modules through `queries.ts` (findProblem, findTestCases); their columns are a
 * contract: add columns, never rename or drop.
 *
 * `difficulty_rank` orders difficulties by the enum (easy < medium < hard); `tags` holds tag slugs in display
 * order; the test-case counts let the admin listing skip a join.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE problems (
      id uuid PRIMARY KEY,
      slug text,
      title text NOT NULL,
      description text NOT NULL,
      difficulty text NOT NULL,
      difficulty_rank smallint NOT NULL,
      is_published boolean NOT NULL,
      company text,
      constraints text,
      examples jsonb NOT NULL DEFAULT '[]'::jsonb,
      starter_code jsonb,
      time_limit_ms integer,
      memory_limit_mb integer,
      tags text[] NOT NULL DEFAULT '{}',
      test_case_count integer NOT NULL DEFAULT 0,
      hidden_test_case_count integer NOT NULL DEFAULT 0,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX problems_created_idx ON problems (created_at, id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX problems_title_idx ON problems (title, id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX problems_difficulty_idx ON problems (difficulty_rank, id) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX problems_tags_idx ON problems USING gin (tags)`.execute(db);
  await sql`CREATE INDEX problems_slug_idx ON problems (slug) WHERE slug IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE problem_test_cases (
      problem_id uuid NOT NULL,
      idx integer NOT NULL,
      input text NOT NULL,
      expected_output text NOT NULL,
      description text,
      is_hidden boolean NOT NULL,
      timeout_ms integer,
      memory_mb integer,
      PRIMARY KEY (problem_id, idx)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE problem_test_cases, problems`.execute(db);
}
