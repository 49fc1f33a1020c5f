import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { findVaccineGroup, hasValidDose, isVaccineGroupComplete, loadCdsiEngine } from './index';
import type { DoseInput } from './engine-types';

const engine = loadCdsiEngine();
const run = (birthDate: string, doses: [string, string][], groups?: string[], assessmentDate = '2022-10-19', gender = 'female') =>
  engine.evaluate({
    birthDate, gender, assessmentDate, vaccineGroups: groups,
    doses: doses.map(([date, cvx], i): DoseInput => ({ id: `d${i}`, date, cvx })),
  });

describe('CDSi engine', () => {
  test('loads every vaccine group with standard series, including the Tessera COVID-19 overlay', () => {
    expect(engine.vaccineGroups).toEqual(expect.arrayContaining(['DTaP/Tdap/Td', 'MMR', 'HepB', 'Polio', 'COVID-19']));
    expect(engine.data.overlays['tessera-covid19.json']).toMatch(/Interim Clinical Considerations/);
  });

  test('is deterministic and stateless across calls', () => {
    const a = run('2020-01-15', [['2020-03-15', '110']]);
    const b = run('2020-01-15', [['2020-03-15', '110']]);
    expect(a).toEqual(b);
  });

  test('a combination vaccine counts for each of its vaccine groups', () => {
    const r = run('2020-01-15', [['2020-03-15', '110']]); // DTaP-HepB-IPV
    for (const g of ['DTaP/Tdap/Td', 'HepB', 'Polio']) expect(hasValidDose(r, g)).toBe(true);
    expect(hasValidDose(r, 'MMR')).toBe(false);
    expect(findVaccineGroup(r, 'polio')?.forecast?.doseNumber).toBe(2);
  });

  test('MMR: born before 1957 is immune; two valid doses complete the series', () => {
    expect(findVaccineGroup(run('1950-05-01', [], ['MMR']), 'MMR')?.status).toBe('Immune');
    const r = run('2015-01-01', [['2016-01-01', '03'], ['2019-01-01', '03']], ['MMR']);
    expect(isVaccineGroupComplete(r, 'MMR')).toBe(true);
    expect(findVaccineGroup(r, 'MMR')?.forecast).toBeUndefined();
  });

  test('a dose before the minimum age is not valid and is re-forecast', () => {
    const g = findVaccineGroup(run('2022-01-01', [['2022-01-20', '03']], ['MMR']), 'MMR')!;
    expect(g.evaluations.every((e) => e.status === 'Not Valid' && e.reason === 'Age: Too Young')).toBe(true);
    expect(g.forecast).toMatchObject({ doseNumber: 1, earliest: '2023-01-01', recommended: '2023-01-01' });
  });

  test('doses with CVX codes the data does not map are ignored by the engine', () => {
    const g = findVaccineGroup(run('2020-01-15', [['2020-03-15', '998']], ['HepB']), 'HepB')!;
    expect(g.evaluations).toEqual([]);
  });

  test.each([
    ['2020-02-30', [], '2022-10-19', 'birthDate'],
    ['2020-01-01', [['2020-13-01', '03']], '2022-10-19', 'doses[0].date'],
    ['2020-01-01', [], 'today', 'assessmentDate'],
  ] as const)('rejects malformed dates (%s, %j, %s) with a 422 naming %s', (birth, doses, assessment, path) => {
    let error: unknown;
    try { run(birth, doses.map((d) => [...d] as [string, string]), undefined, assessment); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).status).toBe(422);
    expect((error as FhirError).issues[0].expression).toEqual([path]);
  });
});

describe('COVID-19 (Tessera data in CDSi format)', () => {
  const covid = (doses: [string, string][], birthDate = '1980-01-01') => findVaccineGroup(run(birthDate, doses, ['COVID-19']), 'COVID-19')!;
  test.each([
    ['two Pfizer doses 21 days apart', [['2021-01-01', '208'], ['2021-01-22', '208']], 'Complete', ['Valid', 'Valid']],
    ['two Pfizer doses 21 - 4 days apart (grace)', [['2021-01-01', '208'], ['2021-01-18', '208']], 'Complete', ['Valid', 'Valid']],
    ['two Pfizer doses 15 days apart', [['2021-01-01', '208'], ['2021-01-16', '208']], 'Not complete', ['Valid', 'Not Valid']],
    ['two Moderna doses 21 days apart', [['2021-01-01', '207'], ['2021-01-22', '207']], 'Not complete', ['Valid', 'Not Valid']],
    ['two Moderna doses 28 days apart', [['2021-01-01', '207'], ['2021-01-29', '221']], 'Complete', ['Valid', 'Valid']],
    ['Pfizer then Moderna 28 days apart (mixed mRNA)', [['2021-01-01', '208'], ['2021-01-29', '207']], 'Complete', ['Valid', 'Valid']],
    ['one Janssen dose', [['2021-03-01', '212']], 'Complete', ['Valid']],
  ] as const)('%s → %s', (_label, doses, status, statuses) => {
    const g = covid(doses.map((d) => [...d] as [string, string]));
    expect(g.status).toBe(status);
    expect(g.evaluations.map((e) => e.status)).toEqual(statuses);
  });

  test('after one Pfizer dose the second is due 21 days later', () => {
    expect(covid([['2021-01-01', '208']]).forecast).toMatchObject({ doseNumber: 2, earliest: '2021-01-22', recommended: '2021-01-22' });
  });

  test('Janssen is not valid under 18', () => {
    const g = covid([['2021-03-01', '212']], '2010-01-01');
    expect(g.status).toBe('Not complete');
    expect(g.evaluations[0].status).toBe('Not Valid');
  });
});

describe('CVX reference data', () => {
  test.each([
    ['03', 'MMR', []],
    ['43', 'Hep B, adult', [{ tradeName: 'RECOMBIVAX ADULT', mvx: 'MSD' }, { tradeName: 'ENGERIX-B ADULT', mvx: 'SKB' }]],
    ['208', undefined, [{ tradeName: 'Pfizer-BioNTech COVID-19 Vaccine (Comirnaty)', mvx: 'PFR' }]],
  ])('CVX %s', (code, short, products) => {
    const info = engine.data.cvx.get(code.replace(/^0+/, ''))!;
    expect(info).toBeDefined();
    if (short) expect(info.shortDescription).toBe(short);
    expect(info.products).toEqual(products);
  });
});
