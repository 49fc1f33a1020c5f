import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCdcCase, type CdcTestCase } from './cdc-test-case';
import { loadCdsiEngine } from './index';

/**
 * CDC CDSi test cases (sample of 205, copied from the CDC library into test/fixtures/cdsi). Every case is asserted
 * exactly: dose statuses (+ reasons), series status, forecast dose number and dates.
 */
const fixture = join(import.meta.dirname, '../../../test/fixtures/cdsi/cdsi_testcases_sample.json');
const cases = Object.values(JSON.parse(readFileSync(fixture, 'utf8'))) as CdcTestCase[];

/**
 * Known-failing CDC case ids, each with the reason. Empty: all 205 sample cases pass. A case listed here must still
 * fail (the test below checks it), so a fix shows up as a test failure asking to shorten this list.
 */
const EXPECTED_FAILURES = new Map<string, string>([]);

const engine = loadCdsiEngine();

describe('CDC CDSi sample test cases', () => {
  test('the fixture holds the 205 sample cases', () => {
    expect(cases).toHaveLength(205);
  });

  test.each(cases.map((c) => [`${c.cdcTestId} ${c.vaccineGroup}: ${c.testcaseName.trim()}`, c] as const))('%s', (_name, tc) => {
    const outcome = runCdcCase(engine, tc);
    if (EXPECTED_FAILURES.has(tc.cdcTestId)) {
      expect(outcome.pass, `${tc.cdcTestId} now passes: remove it from EXPECTED_FAILURES`).toBe(false);
    } else {
      expect(outcome.differences).toEqual([]);
      expect(outcome.pass).toBe(true);
    }
  });
});
