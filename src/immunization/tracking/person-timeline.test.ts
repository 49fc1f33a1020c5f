import { describe, expect, test } from 'vitest';
import { loadCdsiEngine } from '../cdsi';
import { computeTimeline, segmentAt } from './person-timeline';
import type { TrackedDose } from './tracking-model';

const engine = loadCdsiEngine();
const dose = (id: string, date: string, cvx: string, clinic = 'north'): TrackedDose => ({ immunizationId: id, patientId: 'p', date, cvx, clinic });
const person = { birthDate: '1990-05-01', homeClinic: 'home' };

describe('person timeline', () => {
  test('two Pfizer doses 21 days apart: not → partially → fully, clinic of the latest dose', () => {
    const t = computeTimeline(engine, person, [dose('a', '2021-03-01', '208'), dose('b', '2021-03-22', '208', 'south')], 'COVID-19');
    expect(segmentAt(t, '2021-02-28')).toMatchObject({ state: 'not-vaccinated', clinic: 'home', band: '18-49' });
    expect(segmentAt(t, '2021-03-01')).toMatchObject({ state: 'partially-vaccinated', clinic: 'north' });
    expect(segmentAt(t, '2021-03-22')).toMatchObject({ state: 'fully-vaccinated', clinic: 'south' });
    expect(segmentAt(t, '1989-01-01')).toBeUndefined();
    expect(t[0]).toEqual({ from: '1990-05-01', state: 'not-vaccinated', clinic: 'home', band: '0-4' });
    // Age-band changes continue after the last dose.
    expect(segmentAt(t, '2040-05-01')).toMatchObject({ state: 'fully-vaccinated', band: '50-64' });
  });

  test('a second dose too early leaves the person partially vaccinated', () => {
    const t = computeTimeline(engine, person, [dose('a', '2021-03-01', '208'), dose('b', '2021-03-10', '208')], 'COVID-19');
    expect(segmentAt(t, '2022-01-01')?.state).toBe('partially-vaccinated');
  });

  test('doses of other vaccine groups do not change the COVID-19 timeline', () => {
    const t = computeTimeline(engine, person, [dose('a', '2021-03-01', '03')], 'COVID-19');
    expect(t.every((s) => s.state === 'not-vaccinated' && s.clinic === 'home')).toBe(true);
  });

  test('no birth date → no timeline (not counted)', () => {
    expect(computeTimeline(engine, { homeClinic: '' }, [dose('a', '2021-03-01', '208')], 'COVID-19')).toEqual([]);
  });
});
