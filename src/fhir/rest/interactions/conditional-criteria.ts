import { badRequest } from '../../../shared/fhir-error';

/**
 * Normalises conditional criteria (`identifier=a|b&name=x`) so that equivalent strings share one
 * lock key: parameters sorted, values decoded once and re-encoded canonically.
 */
export function normaliseCriteria(raw: string, where: string): string {
  const text = raw.trim().replace(/^[^?]*\?/, '');
  if (!text) throw badRequest(`${where} has no search criteria: expected e.g. identifier=http://example.org|123`);
  let pairs: Array<[string, string]>;
  try {
    pairs = [...new URLSearchParams(text)].map(([k, v]) => [k.trim(), v]);
  } catch {
    throw badRequest(`${where} is not a valid query string: '${raw.slice(0, 200)}'`);
  }
  if (pairs.some(([k]) => !k)) throw badRequest(`${where} has an empty parameter name: '${raw.slice(0, 200)}'`);
  pairs.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  return new URLSearchParams(pairs).toString();
}
