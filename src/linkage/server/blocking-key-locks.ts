import type { Knex } from 'knex';
import { lockAllKeys, lockBlockingKeys, MAX_KEY_LOCKS } from './linkage-index';

/** Oversized block hashes remembered (≈ 60 bytes each). */
const OVERSIZED_MEMORY = 100_000;

/**
 * The locks that serialise linkers sharing a blocking key, per transaction: one per key for a few records, the whole
 * index for a bulk batch (see lockBlockingKeys / lockAllKeys), never the keys of blocks known to be oversized.
 */
export class BlockingKeyLocks {
  /** Transactions holding the exclusive lock on the whole blocking-key index (no per-key locks needed). */
  private readonly holdsAll = new WeakSet<Knex.Transaction>();
  /** Transactions holding the shared lock (per-key locking; taking the exclusive one now could deadlock another such). */
  private readonly holdsSome = new WeakSet<Knex.Transaction>();
  /** Block hashes seen over MAX_BLOCK: their keys are not locked. */
  private readonly oversized = new Set<string>();

  /**
   * Locks the keys for `trx`: per key for a few records, the whole index for a bulk batch (unless per-key locks are
   * already held: upgrading could deadlock with another transaction doing the same). Nothing when the whole index
   * is already held.
   */
  async lock(trx: Knex.Transaction, keys: string[]): Promise<void> {
    if (keys.length === 0 || this.holdsAll.has(trx)) return;
    if (new Set(keys).size > MAX_KEY_LOCKS && !this.holdsSome.has(trx)) {
      await lockAllKeys(trx);
      this.holdsAll.add(trx);
      return;
    }
    await lockBlockingKeys(trx, keys, this.oversized);
    this.holdsSome.add(trx);
  }

  /** Remembers blocks seen over MAX_BLOCK (they only grow, but the memory is bounded and forgets now and then). */
  noteOversized(hashes: string[]): void {
    if (this.oversized.size + hashes.length > OVERSIZED_MEMORY) this.oversized.clear();
    for (const h of hashes) this.oversized.add(h);
  }
}
