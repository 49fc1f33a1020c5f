/** Every search index table (created by migration 20261123-03-search-index), one per value kind. */
export const SEARCH_INDEX_TABLES = ['sp_string', 'sp_token', 'sp_date', 'sp_number', 'sp_quantity', 'sp_reference', 'sp_uri', 'sp_text', 'sp_geo'] as const;

/** Date index rows spanning more than this (a Period, a year, an open end) are `long_span`: two-sided date windows read them through a partial GiST index, the others as a bounded range of `low`. */
export const LONG_SPAN_MS = 24 * 3600 * 1000;

/** The SearchParameter.type values (plus the `_text`/`_content` full-text kind). */
export type ParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special' | 'text';

/** The index table holding values of a parameter type. */
export function tableFor(type: ParamType): string {
  switch (type) {
    case 'number': return 'sp_number';
    case 'date': return 'sp_date';
    case 'string': return 'sp_string';
    case 'token': return 'sp_token';
    case 'reference': return 'sp_reference';
    case 'quantity': return 'sp_quantity';
    case 'uri': return 'sp_uri';
    case 'special': return 'sp_geo';
    case 'text': return 'sp_text';
    case 'composite': throw new Error('composite parameters have no table of their own');
  }
}
