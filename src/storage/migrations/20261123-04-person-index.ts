import type { Knex } from 'knex';

/**
 * The master person index: which Patient records are the same person. A Patient belongs to at
 * most one person (primary key on patient_id: enforced by the database, unlike HAPI MDM #4156).
 * The person id is the id of the golden-record `Person` resource.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE mpi_person_link (
    patient_id text PRIMARY KEY,
    person_id text NOT NULL,
    method text NOT NULL CHECK (method IN ('auto', 'manual', 'merge', 'new')),
    score double precision,
    linked_at timestamptz NOT NULL DEFAULT now()
  )`);
  await knex.raw('CREATE INDEX mpi_person_link_person_idx ON mpi_person_link (person_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS mpi_person_link');
}
