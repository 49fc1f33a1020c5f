import type { Knex } from 'knex';

/**
 * Blocking keys as 64-bit hashes (`hashtextextended(key, 0)`) instead of text: the blocking index holds ~27 rows
 * per Patient, so its size decides whether candidate lookups stay in the buffer cache at 1M persons. A hash
 * collision only adds a candidate, which scoring then rejects.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE linkage_block_hashed (
    block_hash bigint NOT NULL,
    patient_id text NOT NULL,
    PRIMARY KEY (block_hash, patient_id)
  )`);
  await knex.raw(`INSERT INTO linkage_block_hashed (block_hash, patient_id)
    SELECT DISTINCT hashtextextended(block_key, 0), patient_id FROM linkage_block`);
  await knex.raw('DROP TABLE linkage_block');
  await knex.raw('ALTER TABLE linkage_block_hashed RENAME TO linkage_block');
  await knex.raw('ALTER INDEX linkage_block_hashed_pkey RENAME TO linkage_block_pkey');
  await knex.raw('CREATE INDEX linkage_block_patient_idx ON linkage_block (patient_id)');
}

export async function down(knex: Knex): Promise<void> {
  // The text keys cannot be recovered from their hashes: rebuild the table empty (re-saving each Patient refills it).
  await knex.raw('DROP TABLE linkage_block');
  await knex.raw(`CREATE TABLE linkage_block (block_key text NOT NULL, patient_id text NOT NULL, PRIMARY KEY (block_key, patient_id))`);
  await knex.raw('CREATE INDEX linkage_block_patient_idx ON linkage_block (patient_id)');
}
