import type { Knex } from 'knex';

/**
 * Derived immunization-tracking state (see docs/IMMUNIZATION-TRACKING.md), maintained in the
 * transaction of every Immunization / Patient / membership change and rebuildable from the FHIR
 * resources by the reconciliation job:
 * - imm_dose: one row per completed Immunization with a CVX code and a date (no PHI);
 * - imm_person_status: each person's status timeline per tracked vaccine group, and the member
 *   Patient ids it was computed from (so a patient moved away always triggers a recompute of its old person);
 * - imm_count: count deltas per (group, clinic, age band, state) at year / month / day buckets,
 *   with '*' roll-ups and a few shards against hot-row contention; a count "as of day D" is a
 *   primary-key range SUM over at most ~200 buckets per shard, never a scan over persons;
 * - clinic_api_key: (clinic, record kind, clinic's own id) → resource id, for idempotent clinic imports.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE imm_dose (
    immunization_id text PRIMARY KEY,
    patient_id text NOT NULL,
    dose_date date NOT NULL,
    cvx text NOT NULL,
    clinic text NOT NULL DEFAULT ''
  )`);
  await knex.raw('CREATE INDEX imm_dose_patient_idx ON imm_dose (patient_id)');
  await knex.raw(`CREATE TABLE imm_person_status (
    person_id text NOT NULL,
    vaccine_group text NOT NULL,
    segments jsonb NOT NULL,
    members text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, vaccine_group)
  )`);
  await knex.raw('CREATE INDEX imm_person_status_members_idx ON imm_person_status USING gin (members)');
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
  await knex.raw(`CREATE TABLE clinic_api_key (
    clinic text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('patient', 'record')),
    key text NOT NULL,
    resource_id text NOT NULL,
    PRIMARY KEY (clinic, kind, key)
  )`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['clinic_api_key', 'imm_count', 'imm_person_status', 'imm_dose']) await knex.raw(`DROP TABLE IF EXISTS ${t}`);
}
