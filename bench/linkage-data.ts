/** Benchmark data sets for record linkage: FEBRL 1–3 from ../shared (optional) and a generated two-file 5,000 × 5,000 case. */
import { existsSync, readFileSync } from 'node:fs';
import { febrlToPersons, parseCsv } from '../src/linkage/io/febrl-csv';
import type { PersonPhi } from '../src/linkage/person';
import { seededRandom } from '../src/shared/seeded-random';

/** Where the FEBRL sets live (not needed by tests). */
export const FEBRL_DIR = new URL('../../shared/data/linkage/', import.meta.url);

/** One benchmark case: one file (dedup) or two files (link). */
export interface BenchCase {
  name: string;
  a: { ids: string[]; persons: PersonPhi[] };
  b?: { ids: string[]; persons: PersonPhi[] };
}

/** Reads a FEBRL CSV from the shared data folder. */
export function readFebrl(name: string): { ids: string[]; persons: PersonPhi[] } {
  return febrlToPersons(parseCsv(readFileSync(new URL(name, FEBRL_DIR), 'utf8')));
}

export const rng = seededRandom;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Introduces one typo (substitution, deletion, insertion or adjacent swap). */
function typo(s: string, r: () => number): string {
  if (s.length < 2) return s;
  const i = Math.floor(r() * s.length);
  const c = LETTERS[Math.floor(r() * 26)]!;
  const op = Math.floor(r() * 4);
  if (op === 0) return s.slice(0, i) + c + s.slice(i + 1);
  if (op === 1) return s.slice(0, i) + s.slice(i + 1);
  if (op === 2) return s.slice(0, i) + c + s.slice(i);
  if (i < s.length - 1) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  return s;
}

/** Corrupts a copy of a record: 1–3 modifications among typos, missing values, DOB digit errors and day/month swaps. */
export function corrupt(p: PersonPhi, r: () => number): PersonPhi {
  const q: PersonPhi = { ...p };
  const n = 1 + Math.floor(r() * 3);
  const textFields = ['given', 'family', 'addressLine', 'addressLine2', 'city'] as const;
  for (let k = 0; k < n; k++) {
    const what = r();
    if (what < 0.45) {
      const f = textFields[Math.floor(r() * textFields.length)]!;
      q[f] = typo(q[f] ?? '', r);
    } else if (what < 0.6) {
      const f = (['addressLine2', 'streetNumber', 'postcode', 'given', 'nationalId'] as const)[Math.floor(r() * 5)]!;
      q[f] = '';
    } else if (what < 0.75 && q.birthDate && /^\d{8}$/.test(q.birthDate)) {
      const d = q.birthDate;
      if (r() < 0.5 && Number(d.slice(6)) <= 12) q.birthDate = d.slice(0, 4) + d.slice(6) + d.slice(4, 6);
      else {
        const i = 2 + Math.floor(r() * 6);
        q.birthDate = d.slice(0, i) + String(Math.floor(r() * 10)) + d.slice(i + 1);
      }
    } else if (what < 0.85 && q.nationalId) {
      const i = Math.floor(r() * q.nationalId.length);
      q.nationalId = q.nationalId.slice(0, i) + String(Math.floor(r() * 10)) + q.nationalId.slice(i + 1);
    } else if (q.postcode && q.postcode.length > 1) {
      const i = Math.floor(r() * q.postcode.length);
      q.postcode = q.postcode.slice(0, i) + String(Math.floor(r() * 10)) + q.postcode.slice(i + 1);
    }
  }
  return q;
}

/** Originals of febrl2 and febrl3 as distinct entities (febrl3 ids shifted by 100000). */
function originals(): { ids: string[]; persons: PersonPhi[] } {
  const ids: string[] = [];
  const persons: PersonPhi[] = [];
  for (const [file, shift] of [['febrl2.csv', 0], ['febrl3.csv', 100000]] as const) {
    const d = readFebrl(file);
    d.ids.forEach((id, i) => {
      const m = id.match(/^rec-(\d+)-org$/);
      if (!m) return;
      ids.push(`rec-${Number(m[1]) + shift}-org`);
      persons.push(d.persons[i]!);
    });
  }
  return { ids, persons };
}

/** A generated two-file case: A = 5,000 originals; B = corrupted copies of 4,000 of them plus 1,000 other originals. */
export function generatedTwoFile(seed = 42): BenchCase {
  const all = originals();
  const r = rng(seed);
  const a = { ids: all.ids.slice(0, 5000), persons: all.persons.slice(0, 5000) };
  const b = { ids: [] as string[], persons: [] as PersonPhi[] };
  for (let i = 0; i < 4000; i++) {
    b.ids.push(a.ids[i]!.replace('-org', '-dup-0'));
    b.persons.push(corrupt(a.persons[i]!, r));
  }
  for (let i = 5000; i < 6000 && i < all.ids.length; i++) {
    b.ids.push(all.ids[i]!);
    b.persons.push(all.persons[i]!);
  }
  return { name: 'generated A×B 5000×5000', a, b };
}

/** febrl3 split into originals (A) and duplicates (B). */
export function febrl3Split(): BenchCase {
  const d = readFebrl('febrl3.csv');
  const a = { ids: [] as string[], persons: [] as PersonPhi[] };
  const b = { ids: [] as string[], persons: [] as PersonPhi[] };
  d.ids.forEach((id, i) => {
    const t = id.endsWith('-org') ? a : b;
    t.ids.push(id);
    t.persons.push(d.persons[i]!);
  });
  return { name: 'febrl3 org×dup 2000×3000', a, b };
}

/**
 * A harder one-file case (not FEBRL-generated): 2,000 febrl2 originals plus duplicates that use nicknames
 * (Robert → Bob), surname changes at the same address, transposed DOBs and typos, and look-alike *different*
 * people: twins (same surname, DOB, address; other given name and id), parents and children (same surname and
 * address, other given name and DOB) and Jr/Sr pairs (same name and address, other DOB). Look-alikes are new entities.
 */
export function generatedHard(seed = 7): BenchCase {
  const src = readFebrl('febrl2.csv');
  const orgIdx = src.ids.map((id, i) => (id.endsWith('-org') ? i : -1)).filter((i) => i >= 0).slice(0, 2000);
  const r = rng(seed);
  const nick = nicknamePairs();
  const ids: string[] = [];
  const persons: PersonPhi[] = [];
  const givens = orgIdx.map((i) => src.persons[i]!.given).filter((g): g is string => !!g);
  const families = orgIdx.map((i) => src.persons[i]!.family).filter((g): g is string => !!g);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const randId = () => String(1000000 + Math.floor(r() * 8999999));
  let extra = 900000;
  orgIdx.forEach((i, k) => {
    const n = src.ids[i]!.match(/^rec-(\d+)-org$/)![1]!;
    const p = src.persons[i]!;
    ids.push(`rec-${n}-org`);
    persons.push(p);
    const kind = k % 10;
    const given = (p.given ?? '').trim();
    if (kind <= 2 && nick.has(given)) {
      ids.push(`rec-${n}-dup-0`);
      persons.push(corrupt({ ...p, given: pick(nick.get(given)!) }, r));
    } else if (kind === 3) {
      ids.push(`rec-${n}-dup-0`);
      persons.push({ ...p, family: pick(families), nationalId: r() < 0.5 ? p.nationalId : '' });
    } else if (kind === 4) {
      ids.push(`rec-${n}-dup-0`);
      persons.push(corrupt(corrupt(p, r), r));
    } else if (kind === 5) {
      ids.push(`rec-${extra++}-org`);
      let g = pick(givens);
      while (g === given) g = pick(givens);
      persons.push({ ...p, given: g, nationalId: r() < 0.5 ? randId() : '' }); // twin
    } else if (kind === 6 && p.birthDate && /^\d{8}$/.test(p.birthDate)) {
      ids.push(`rec-${extra++}-org`);
      const year = Number(p.birthDate.slice(0, 4)) + 20 + Math.floor(r() * 15);
      let g = pick(givens);
      while (g === given) g = pick(givens);
      persons.push({ ...p, given: g, birthDate: `${year}${p.birthDate.slice(4)}`, nationalId: r() < 0.5 ? randId() : '' }); // child
    } else if (kind === 7 && p.birthDate && /^\d{8}$/.test(p.birthDate)) {
      // father (Sr, the original) and son (Jr)
      persons[persons.length - 1] = { ...p, suffix: 'Sr' };
      ids.push(`rec-${extra++}-org`);
      const year = Number(p.birthDate.slice(0, 4)) + 25 + Math.floor(r() * 10);
      persons.push({ ...p, suffix: 'Jr', birthDate: `${year}${p.birthDate.slice(6)}${p.birthDate.slice(4, 6)}`, nationalId: r() < 0.5 ? randId() : '' });
    }
  });
  return { name: 'generated hard dedup (nicknames, name changes, twins, parents, Jr/Sr)', a: { ids, persons } };
}

let nickPairs: Map<string, string[]> | undefined;
/** Formal name → nicknames from the bundled list. */
function nicknamePairs(): Map<string, string[]> {
  if (nickPairs) return nickPairs;
  nickPairs = new Map();
  const text = readFileSync(new URL('../seeds/linkage/nicknames_names.csv', import.meta.url), 'utf8');
  for (const line of text.split('\n').slice(1)) {
    const [a, , b] = line.trim().split(',');
    if (a && b && a.length > b.length) (nickPairs.get(a) ?? nickPairs.set(a, []).get(a)!).push(b);
  }
  return nickPairs;
}

/** All benchmark cases (null when ../shared is absent). */
export function benchCases(): BenchCase[] | null {
  if (!existsSync(new URL('febrl1.csv', FEBRL_DIR))) return null;
  return [
    { name: 'febrl1 dedup 1000', a: readFebrl('febrl1.csv') },
    { name: 'febrl2 dedup 5000', a: readFebrl('febrl2.csv') },
    { name: 'febrl3 dedup 5000', a: readFebrl('febrl3.csv') },
    febrl3Split(),
    generatedTwoFile(),
    generatedHard(),
  ];
}
