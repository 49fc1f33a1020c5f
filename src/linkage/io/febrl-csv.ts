import { parse } from 'csv-parse/sync';
import type { PersonPhi } from '../person';

/** Columns of a FEBRL data set (Christen, https://doi.org/10.1145/1401890.1402020). */
export const FEBRL_COLUMNS = ['rec_id', 'given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id'] as const;

/** A CSV table: trimmed header names and rows of trimmed values. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** Parses CSV text (header row first); values and header names are trimmed (FEBRL values carry leading spaces). */
export function parseCsv(text: string): CsvTable {
  const records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  if (records.length === 0) throw new RangeError('CSV file is empty (no header row)');
  return { header: records[0]!.map((h) => h.trim().toLowerCase()), rows: records.slice(1) };
}

/** True when a header is a FEBRL header (has rec_id and the name columns). */
export function isFebrlHeader(header: string[]): boolean {
  return header.includes('rec_id') && header.includes('given_name') && header.includes('surname');
}

/** Reads the records of a FEBRL table into ids and PHI (optional columns sex, phone_number, suffix are honoured when present). */
export function febrlToPersons(table: CsvTable): { ids: string[]; persons: PersonPhi[] } {
  const col = (name: string) => table.header.indexOf(name);
  const missing = ['rec_id', 'given_name', 'surname'].filter((c) => col(c) < 0);
  if (missing.length) throw new RangeError(`not a FEBRL file: missing column(s) ${missing.join(', ')}`);
  const idx = Object.fromEntries(
    [...FEBRL_COLUMNS, 'sex', 'gender', 'phone_number', 'phone', 'suffix', 'middle_name'].map((c) => [c, col(c)]),
  ) as Record<string, number>;
  const get = (row: string[], c: string) => {
    const i = idx[c]!;
    return i >= 0 ? (row[i] ?? '').trim() : '';
  };
  const ids: string[] = [];
  const persons: PersonPhi[] = [];
  table.rows.forEach((row, n) => {
    const id = get(row, 'rec_id');
    if (!id) throw new RangeError(`row ${n + 2}: empty rec_id`);
    ids.push(id);
    persons.push({
      given: get(row, 'given_name'),
      middle: get(row, 'middle_name'),
      family: get(row, 'surname'),
      suffix: get(row, 'suffix'),
      sex: get(row, 'sex') || get(row, 'gender'),
      streetNumber: get(row, 'street_number'),
      addressLine: get(row, 'address_1'),
      addressLine2: get(row, 'address_2'),
      city: get(row, 'suburb'),
      postcode: get(row, 'postcode'),
      state: get(row, 'state'),
      birthDate: get(row, 'date_of_birth'),
      nationalId: get(row, 'soc_sec_id'),
      phone: get(row, 'phone_number') || get(row, 'phone'),
    });
  });
  return { ids, persons };
}
