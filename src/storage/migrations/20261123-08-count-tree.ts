import type { Knex } from 'knex';

/**
 * Replaces the year/month/day count deltas (`imm_count`) by a Fenwick tree over days
 * (`imm_count_tree`, docs/IMMUNIZATION-TRACKING.md): node i (day 1 = 1800-01-01, 2^18 days) holds the
 * change of the three state counts over days (i - lowbit(i), i], so a count as of a day is the sum of
 * at most 18 nodes and a breakdown is one index read per node for all strata at once:
 * - primary key (group, clinic, node, age_band, shard): one clinic (or '*'), every band;
 * - imm_count_tree_band_idx (group, age_band, node, clinic, shard): one band (or '*'), every clinic.
 * Counts are columns, so updating them is a HOT update (no index entry written).
 * The existing day-level deltas are carried over (shards folded into shard 0).
 */
const TREE_SIZE = 1 << 18;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE imm_count_tree (
    vaccine_group text NOT NULL,
    clinic text NOT NULL,
    age_band text NOT NULL,
    node integer NOT NULL CHECK (node BETWEEN 1 AND ${TREE_SIZE}),
    shard smallint NOT NULL,
    n_fully bigint NOT NULL DEFAULT 0,
    n_partially bigint NOT NULL DEFAULT 0,
    n_not bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (vaccine_group, clinic, node, age_band, shard)
  )`);
  // Daily deltas → every node on each day's update path (node + lowbit(node), … ≤ 2^18).
  await knex.raw(`INSERT INTO imm_count_tree (vaccine_group, clinic, age_band, node, shard, n_fully, n_partially, n_not)
    WITH RECURSIVE daily AS (
      SELECT vaccine_group, clinic, age_band, least(${TREE_SIZE}, greatest(1, (bucket - date '1800-01-01') + 1)) AS node,
             sum(n) FILTER (WHERE state = 'fully-vaccinated') AS f,
             sum(n) FILTER (WHERE state = 'partially-vaccinated') AS p,
             sum(n) FILTER (WHERE state = 'not-vaccinated') AS v
      FROM imm_count WHERE level = 'D' GROUP BY 1, 2, 3, 4
    ), path AS (
      SELECT vaccine_group, clinic, age_band, node, f, p, v FROM daily
      UNION ALL
      SELECT vaccine_group, clinic, age_band, node + (node & -node), f, p, v FROM path WHERE node + (node & -node) <= ${TREE_SIZE}
    )
    SELECT vaccine_group, clinic, age_band, node, 0, coalesce(sum(f), 0), coalesce(sum(p), 0), coalesce(sum(v), 0)
    FROM path GROUP BY 1, 2, 3, 4
    HAVING coalesce(sum(f), 0) <> 0 OR coalesce(sum(p), 0) <> 0 OR coalesce(sum(v), 0) <> 0`);
  await knex.raw('CREATE INDEX imm_count_tree_band_idx ON imm_count_tree (vaccine_group, age_band, node, clinic, shard)');
  await knex.raw('DROP TABLE imm_count');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE imm_count (
    vaccine_group text NOT NULL,
    clinic text NOT NULL,
    age_band text NOT NULL,
    state text NOT NULL,
    level char(1) NOT NULL CHECK (level IN ('Y', 'M', 'D')),
    bucket date NOT NULL,
    shard smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (vaccine_group, clinic, age_band, level, bucket, state, shard)
  )`);
  // Daily delta of day i = node i minus its children (the nodes c with c + lowbit(c) = i); then year/month/day buckets.
  await knex.raw(`INSERT INTO imm_count (vaccine_group, clinic, age_band, state, level, bucket, shard, n)
    WITH terms AS (
      SELECT vaccine_group, clinic, age_band, node, n_fully AS f, n_partially AS p, n_not AS v FROM imm_count_tree
      UNION ALL
      SELECT vaccine_group, clinic, age_band, node + (node & -node), -n_fully, -n_partially, -n_not FROM imm_count_tree WHERE node + (node & -node) <= ${TREE_SIZE}
    ), daily AS (
      SELECT vaccine_group, clinic, age_band, date '1800-01-01' + (node - 1) AS day, sum(f) AS f, sum(p) AS p, sum(v) AS v FROM terms GROUP BY 1, 2, 3, 4
    ), states AS (
      SELECT vaccine_group, clinic, age_band, day, s.state, s.n FROM daily,
        LATERAL (VALUES ('fully-vaccinated', f), ('partially-vaccinated', p), ('not-vaccinated', v)) AS s(state, n)
      WHERE s.n <> 0
    )
    SELECT vaccine_group, clinic, age_band, state, l.level, l.bucket, 0, sum(n)
    FROM states, LATERAL (VALUES ('Y', date_trunc('year', day)::date), ('M', date_trunc('month', day)::date), ('D', day)) AS l(level, bucket)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0`);
  await knex.raw('DROP TABLE imm_count_tree');
}
