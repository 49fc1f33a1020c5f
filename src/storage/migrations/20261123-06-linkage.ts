import type { Knex } from 'knex';

/**
 * Record linkage in the server (docs/LINKAGE.md, "In the server"): each Patient's master-space tokens
 * (no PHI), the blocking-key index used to find candidates, clerical decisions that override the
 * automatic linkage, the review queue of possible matches, and merges ($merge / $unmerge).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE linkage_record (
    patient_id text PRIMARY KEY,
    source text NOT NULL CHECK (source IN ('phi', 'site')),
    site text,
    tokens jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await knex.raw(`CREATE TABLE linkage_block (
    block_key text NOT NULL,
    patient_id text NOT NULL,
    PRIMARY KEY (block_key, patient_id)
  )`);
  await knex.raw('CREATE INDEX linkage_block_patient_idx ON linkage_block (patient_id)');
  await knex.raw(`CREATE TABLE linkage_decision (
    patient_a text NOT NULL,
    patient_b text NOT NULL,
    decision text NOT NULL CHECK (decision IN ('same', 'different')),
    decided_by text NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (patient_a, patient_b),
    CHECK (patient_a < patient_b)
  )`);
  await knex.raw('CREATE INDEX linkage_decision_b_idx ON linkage_decision (patient_b)');
  await knex.raw(`CREATE TABLE linkage_review (
    patient_a text NOT NULL,
    patient_b text NOT NULL,
    score double precision NOT NULL,
    grade text NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'confirmed', 'rejected')),
    created_at timestamptz NOT NULL DEFAULT now(),
    resolved_by text,
    resolved_at timestamptz,
    PRIMARY KEY (patient_a, patient_b),
    CHECK (patient_a < patient_b)
  )`);
  await knex.raw('CREATE INDEX linkage_review_open_idx ON linkage_review (created_at) WHERE status = \'open\'');
  await knex.raw('CREATE INDEX linkage_review_b_idx ON linkage_review (patient_b)');
  await knex.raw(`CREATE TABLE linkage_merge (
    source_id text PRIMARY KEY,
    target_id text NOT NULL,
    source_active jsonb,
    merged_by text NOT NULL,
    merged_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['linkage_merge', 'linkage_review', 'linkage_decision', 'linkage_block', 'linkage_record']) await knex.raw(`DROP TABLE IF EXISTS ${t}`);
}
