import { describe, expect, test } from 'vitest';
import { fromDatabaseError } from './error-responses';

describe('database errors a client can provoke', () => {
  test.each([
    ['23505', 409, 'conflict'], // unique violation: a concurrent write of the same resource
    ['40001', 409, 'transient'], // serialization failure
    ['40P01', 409, 'transient'], // deadlock detected: Postgres aborted this transaction
    ['22P02', 400, 'invalid'], // invalid text representation
    ['22008', 400, 'invalid'], // datetime field overflow
  ])('SQLSTATE %s → %i %s, with no database detail', (code, status, issueCode) => {
    const err = fromDatabaseError({ code });
    expect(err?.status).toBe(status);
    const outcome = err!.toOperationOutcome();
    expect(outcome.issue[0]!.code).toBe(issueCode);
    expect(outcome.issue[0]!.diagnostics).not.toMatch(/SQLSTATE|INSERT|SELECT|relation/);
  });

  test.each([['42P01'], ['53200'], ['XX000'], [undefined]])('anything else (%s) is not a client error', (code) => {
    expect(fromDatabaseError({ code })).toBeUndefined();
  });
});
