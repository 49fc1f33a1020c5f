import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ImmunizationEvaluation, ImmunizationRecommendation, MeasureReport, OperationOutcome, Parameters } from 'fhir/r4';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { counts, createPatient, merge, setStatus, statusOf, unmerge, vaccinate } from './tracking-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

const AFTER = { date: '2021-12-31' };

describe('status of a person (CDSi over every linked record)', () => {
  test('two Pfizer doses 21 days apart: partially after the first, fully after the second, counted by date', async () => {
    const before = await counts(t, AFTER);
    const p = await createPatient(t, '1980-05-05');
    expect(await counts(t, AFTER)).toEqual({ ...before, not: before.not + 1 });
    await vaccinate(t, p, '208', '2021-03-01');
    expect((await statusOf(t, p, '&date=2021-03-10')).status).toBe('partially-vaccinated');
    await vaccinate(t, p, '208', '2021-03-22');
    expect((await statusOf(t, p)).status).toBe('fully-vaccinated');
    expect(await counts(t, AFTER)).toEqual({ ...before, fully: before.fully + 1 });
    // As of a day between the doses the same person is partially vaccinated, before the first not vaccinated.
    const mid = await counts(t, { date: '2021-03-21' });
    const early = await counts(t, { date: '2021-02-28' });
    expect(mid.partially - early.partially).toBeGreaterThanOrEqual(1);
    const { params } = await statusOf(t, p);
    const evals = params.parameter!.filter((x) => x.name === 'evaluation').map((x) => x.resource as ImmunizationEvaluation);
    expect(evals.map((e) => [e.doseStatus.coding![0].code, e.doseNumberPositiveInt, e.seriesDosesPositiveInt])).toEqual([['valid', 1, 2], ['valid', 2, 2]]);
    const rec = params.parameter!.find((x) => x.name === 'recommendation')!.resource as ImmunizationRecommendation;
    expect(rec.recommendation[0].forecastStatus.coding![0].code).toBe('complete');
  });

  test('second dose too early: partially vaccinated, the dose not valid with its reason, next dose forecast', async () => {
    const p = await createPatient(t, '1990-01-01');
    await vaccinate(t, p, '208', '2021-04-01');
    await vaccinate(t, p, '208', '2021-04-10');
    const { status, params } = await statusOf(t, p, '&date=2021-04-20');
    expect(status).toBe('partially-vaccinated');
    const evals = params.parameter!.filter((x) => x.name === 'evaluation').map((x) => x.resource as ImmunizationEvaluation);
    expect(evals[1].doseStatus.coding![0].code).toBe('notvalid');
    expect(evals[1].doseStatusReason![0].text).toMatch(/too short/i);
    const rec = params.parameter!.find((x) => x.name === 'recommendation')!.resource as ImmunizationRecommendation;
    expect(rec.recommendation[0].doseNumberPositiveInt).toBe(2);
    expect(rec.recommendation[0].dateCriterion![0].value).toBe('2021-05-01'); // CDSi: 21 days after the immediately previous dose, even the invalid one
  });

  test('mixed brands (Pfizer then Moderna 28 days later) complete the series', async () => {
    const p = await createPatient(t, '1970-07-07');
    await vaccinate(t, p, '208', '2021-05-01');
    await vaccinate(t, p, '207', '2021-05-29');
    expect((await statusOf(t, p)).status).toBe('fully-vaccinated');
  });

  test('a dose at another clinic on a linked record completes the series; the person is counted once, at the clinic of the latest dose', async () => {
    const a = await createPatient(t, '1985-02-02', 'north');
    const b = await createPatient(t, '1985-02-02', 'south');
    await vaccinate(t, a, '207', '2021-06-01', 'north');
    await vaccinate(t, b, '207', '2021-07-01', 'south');
    const north0 = await counts(t, { ...AFTER, clinic: 'north' });
    const south0 = await counts(t, { ...AFTER, clinic: 'south' });
    expect(north0.partially).toBe(1);
    expect(south0.partially).toBe(1);
    const all0 = await counts(t, AFTER);
    await merge(t, a, [b]);
    expect((await statusOf(t, a)).status).toBe('fully-vaccinated');
    expect((await statusOf(t, b)).status).toBe('fully-vaccinated');
    expect(await counts(t, { ...AFTER, clinic: 'north' })).toEqual({ fully: 0, partially: 0, not: 0 });
    expect(await counts(t, { ...AFTER, clinic: 'south' })).toEqual({ fully: 1, partially: 0, not: 0 });
    expect(await counts(t, AFTER)).toEqual({ fully: all0.fully + 1, partially: all0.partially - 2, not: all0.not });
    // Unmerge: back to two partially vaccinated persons.
    await unmerge(t, b, 'person-unmerged-b');
    expect((await statusOf(t, b)).status).toBe('partially-vaccinated');
    expect(await counts(t, AFTER)).toEqual(all0);
  });

  test('the same dose reported twice (two clinics) counts once', async () => {
    const p = await createPatient(t, '1975-03-03');
    await vaccinate(t, p, '208', '2021-08-01', 'north');
    await vaccinate(t, p, '208', '2021-08-01', 'south');
    const { status, params } = await statusOf(t, p);
    expect(status).toBe('partially-vaccinated');
    expect(params.parameter!.filter((x) => x.name === 'duplicate')).toHaveLength(1);
    expect(params.parameter!.find((x) => x.name === 'status')!.part!.find((x) => x.name === 'valid-doses')!.valueInteger).toBe(1);
  });

  test('entered-in-error and delete move the counts back', async () => {
    const p = await createPatient(t, '1960-06-06');
    const d1 = await vaccinate(t, p, '212', '2021-09-01');
    const c1 = await counts(t, AFTER);
    await setStatus(t, d1, 'entered-in-error');
    expect((await statusOf(t, p)).status).toBe('not-vaccinated');
    const c2 = await counts(t, AFTER);
    expect(c2).toEqual({ fully: c1.fully - 1, partially: c1.partially, not: c1.not + 1 });
    await setStatus(t, d1, 'completed');
    expect(await counts(t, AFTER)).toEqual(c1);
    expect((await t.http(`/Immunization/${d1}`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect(await counts(t, AFTER)).toEqual(c2);
  });

  test('age band is the age at the counted date', async () => {
    const p = await createPatient(t, '2010-01-15');
    await vaccinate(t, p, '208', '2021-06-01');
    const at11 = await counts(t, { date: '2021-12-31', 'age-band': '5-11' });
    const at12 = await counts(t, { date: '2022-01-15', 'age-band': '12-17' });
    expect(at11.partially).toBeGreaterThanOrEqual(1);
    expect(at12.partially).toBeGreaterThanOrEqual(1);
    const before = await counts(t, { date: '2022-01-14', 'age-band': '12-17' });
    expect(at12.partially - before.partially).toBe(1);
  });
});

describe('$vaccination-counts', () => {
  test('MeasureReport form and breakdown by clinic agree with the Parameters form', async () => {
    const total = await counts(t, AFTER);
    const res = await t.http('/MeasureReport/$vaccination-counts?vaccine-group=COVID-19&date=2021-12-31&breakdown=clinic');
    expect(res.status).toBe(200);
    const mr = (await res.json()) as MeasureReport;
    expect(mr.resourceType).toBe('MeasureReport');
    const pop = Object.fromEntries(mr.group![0].population!.map((p) => [p.code!.coding![0].code, p.count]));
    expect(pop).toEqual({ 'fully-vaccinated': total.fully, 'partially-vaccinated': total.partially, 'not-vaccinated': total.not });
    const strata = mr.group![0].stratifier![0].stratum!;
    const sum = strata.reduce((s, x) => s + x.population!.reduce((a, p) => a + p.count!, 0), 0);
    expect(sum).toBe(total.fully + total.partially + total.not);
  });

  test('breakdowns by age band, by clinic within a band and by day agree with single counts', async () => {
    const p = await createPatient(t, '2003-12-20', 'north');
    await vaccinate(t, p, '208', '2021-12-10', 'south');
    const strata = async (qs: string) => {
      const res = await t.http(`/$vaccination-counts?vaccine-group=COVID-19&${qs}`);
      expect(res.status).toBe(200);
      const params = (await res.json()) as Parameters;
      // The total of a breakdown response is the single count of the same question.
      const total = (n: string) => params.parameter!.find((x) => x.name === n)!.valueInteger!;
      const single = new URLSearchParams(qs);
      single.delete('breakdown');
      single.delete('start');
      expect(await counts(t, Object.fromEntries(single))).toEqual({ fully: total('fully-vaccinated'), partially: total('partially-vaccinated'), not: total('not-vaccinated') });
      return params.parameter!.filter((x) => x.name === 'stratum').map((x) => {
        const v = (n: string) => x.part!.find((y) => y.name === n)!.valueInteger!;
        const dim = x.part![0];
        return { value: dim.valueString ?? dim.valueDate!, fully: v('fully-vaccinated'), partially: v('partially-vaccinated'), not: v('not-vaccinated') };
      });
    };
    const byBand = await strata('date=2021-12-31&breakdown=age-band');
    expect(byBand.map((s) => s.value)).toContain('18-49');
    for (const s of byBand) expect(await counts(t, { date: '2021-12-31', 'age-band': s.value })).toEqual({ fully: s.fully, partially: s.partially, not: s.not });
    const total = await counts(t, AFTER);
    expect(['fully', 'partially', 'not'].map((k) => byBand.reduce((n, s) => n + s[k as 'fully'], 0))).toEqual([total.fully, total.partially, total.not]);
    const byClinic = await strata('date=2021-12-31&age-band=18-49&breakdown=clinic');
    const south = byClinic.find((s) => s.value === 'south')!;
    expect(await counts(t, { date: '2021-12-31', 'age-band': '18-49', clinic: 'south' })).toEqual({ fully: south.fully, partially: south.partially, not: south.not });
    // By day: one stratum per day, each the count as of that day; the person turns 18 on 2021-12-20.
    const byDay = await strata('date=2021-12-21&start=2021-12-08&age-band=18-49&clinic=south&breakdown=day');
    expect(byDay.map((s) => s.value)).toEqual(Array.from({ length: 14 }, (_, i) => `2021-12-${String(8 + i).padStart(2, '0')}`));
    for (const s of byDay.filter((_, i) => i % 3 === 0 || i >= 11)) {
      expect(await counts(t, { date: s.value, 'age-band': '18-49', clinic: 'south' })).toEqual({ fully: s.fully, partially: s.partially, not: s.not });
    }
    const at = (day: string) => byDay.find((s) => s.value === day)!;
    expect(at('2021-12-20').partially - at('2021-12-19').partially).toBeGreaterThanOrEqual(1);
    const mr = (await (await t.http('/MeasureReport/$vaccination-counts?vaccine-group=COVID-19&date=2021-12-21&start=2021-12-08&breakdown=day')).json()) as MeasureReport;
    expect(mr.period).toEqual({ start: '2021-12-08', end: '2021-12-21' });
    expect(mr.group![0].stratifier![0].stratum!.map((s) => s.value!.text)).toHaveLength(14);
  });

  test.each([
    ['unknown parameter', 'vaccine-group=COVID-19&colour=red', /Unknown parameter 'colour'/],
    ['unknown breakdown', 'vaccine-group=COVID-19&breakdown=colour', /must be one of clinic, age-band, day/],
    ['start without a day breakdown', 'vaccine-group=COVID-19&start=2021-01-01', /only allowed with 'breakdown=day'/],
    ['day breakdown too long', 'vaccine-group=COVID-19&breakdown=day&start=2020-01-01&date=2021-12-31', /1 to 366 days/],
    ['day breakdown backwards', 'vaccine-group=COVID-19&breakdown=day&start=2021-02-01&date=2021-01-01', /1 to 366 days/],
    ['bad start', 'vaccine-group=COVID-19&breakdown=day&start=2021-02-30', /'start' must be a day/],
    ['bad date', 'vaccine-group=COVID-19&date=2021-13-01', /YYYY-MM-DD/],
    ['untracked group', 'vaccine-group=MMR', /no maintained counts/],
    ['unknown age band', 'vaccine-group=COVID-19&age-band=3-7', /Unknown age band/],
  ])('%s → 400 OperationOutcome', async (_name, qs, message) => {
    const res = await t.http(`/$vaccination-counts?${qs}`);
    expect(res.status).toBe(400);
    const oo = (await res.json()) as OperationOutcome;
    expect(oo.issue[0].diagnostics).toMatch(message);
  });

  test('$immunization-status of an unknown patient is 404, without a birth date 422', async () => {
    expect((await t.http('/Patient/nope/$immunization-status')).status).toBe(404);
    const p = await createPatient(t, undefined);
    expect((await t.http(`/Patient/${p}/$immunization-status`)).status).toBe(422);
  });
});

describe('concurrency', () => {
  test('100 concurrent vaccinations → counts exact', async () => {
    const before = await counts(t, AFTER);
    const patients = await Promise.all(Array.from({ length: 50 }, (_, i) => createPatient(t, `19${50 + (i % 40)}-01-01`)));
    const mid = await counts(t, AFTER);
    expect(mid.not).toBe(before.not + 50);
    // Two doses per patient, all 100 at once: 50 persons become fully vaccinated.
    await Promise.all(patients.flatMap((p) => [vaccinate(t, p, '207', '2021-10-01'), vaccinate(t, p, '207', '2021-10-29')]));
    expect(await counts(t, AFTER)).toEqual({ fully: before.fully + 50, partially: before.partially, not: before.not });
  });
});
