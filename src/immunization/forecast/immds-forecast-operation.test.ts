import type { Immunization, ImmunizationEvaluation, ImmunizationRecommendation, Parameters, ParametersParameter, Patient } from 'fhir/r4';
import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { loadCdsiEngine } from '../cdsi/index';
import { runImmdsForecast } from './immds-forecast-operation';
import { immdsForecastOperationDefinition } from './immds-forecast.operation-definition';
import { CVX_SYSTEM } from './parse-forecast-input';
import { DATE_CRITERION } from './to-immunization-recommendation';

const engine = loadCdsiEngine();

function imm(id: string, cvx: string | undefined, date: string | undefined, extra: Partial<Immunization> = {}): ParametersParameter {
  const resource: Immunization = {
    resourceType: 'Immunization', id, status: 'completed', patient: { reference: 'Patient/p1' },
    vaccineCode: cvx === undefined ? { text: 'something' } : { coding: [{ system: CVX_SYSTEM, code: cvx }] },
    ...(date === undefined ? {} : { occurrenceDateTime: date }),
    ...extra,
  } as Immunization;
  return { name: 'immunization', resource };
}
function patientResource(birthDate: string | undefined): Patient {
  return { resourceType: 'Patient', id: 'p1', gender: 'female', ...(birthDate ? { birthDate } : {}) };
}
function request(birthDate: string | undefined, immunizations: ParametersParameter[], assessmentDate: string | null = '2022-10-19'): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      ...(assessmentDate === null ? [] : [{ name: 'assessmentDate', valueDate: assessmentDate }]),
      { name: 'patient', resource: patientResource(birthDate) },
      ...immunizations,
    ],
  };
}
const evaluations = (out: Parameters) => (out.parameter ?? []).filter((p) => p.name === 'evaluation').map((p) => p.resource as ImmunizationEvaluation);
const recommendation = (out: Parameters) => out.parameter!.find((p) => p.name === 'recommendation')!.resource as ImmunizationRecommendation;

/** Runs and returns the FhirError thrown (fails the test when nothing is thrown). */
function error(input: Parameters): FhirError {
  try {
    runImmdsForecast(input, engine);
  } catch (e) {
    expect(e).toBeInstanceOf(FhirError);
    return e as FhirError;
  }
  throw new Error('expected a FhirError');
}

describe('$immds-forecast', () => {
  test('evaluates each dose per antigen and forecasts per vaccine group', () => {
    // CDC case 2013-0045: DTaP x3, the third 28 - 5 days after the second
    const out = runImmdsForecast(request('2022-05-21', [
      imm('i1', '107', '2022-07-21'), imm('i2', '107', '2022-09-21'), imm('i3', '107', '2022-10-14'),
    ]), engine);
    const dtap = evaluations(out).filter((e) => ['Diphtheria', 'Tetanus', 'Pertussis'].includes(e.targetDisease.text!));
    expect(dtap).toHaveLength(9);
    const third = dtap.filter((e) => e.immunizationEvent.reference === 'Immunization/i3');
    expect(third.map((e) => e.doseStatus.coding![0].code)).toEqual(['notvalid', 'notvalid', 'notvalid']);
    expect(third[0].doseStatusReason?.[0].text).toBe('Interval: too short');
    const first = dtap.find((e) => e.immunizationEvent.reference === 'Immunization/i1')!;
    expect(first).toMatchObject({ status: 'completed', patient: { reference: 'Patient/p1' }, doseNumberPositiveInt: 1, date: '2022-10-19' });

    const rec = recommendation(out);
    expect(rec).toMatchObject({ resourceType: 'ImmunizationRecommendation', patient: { reference: 'Patient/p1' }, date: '2022-10-19' });
    const group = rec.recommendation.find((r) => r.targetDisease?.text === 'DTaP/Tdap/Td')!;
    expect(group.doseNumberPositiveInt).toBe(3);
    expect(group.forecastStatus.text).toBe('Not complete');
    expect(group.forecastStatus.coding?.[0].code).toBe('due');
    const dates = Object.fromEntries(group.dateCriterion!.map((d) => [d.code.coding![0].code, d.value]));
    expect(dates).toEqual({ [DATE_CRITERION.earliest.code]: '2022-11-11', [DATE_CRITERION.recommended.code]: '2022-11-21', [DATE_CRITERION.pastDue.code]: '2023-01-17' });
    expect(group.vaccineCode?.[0].coding?.[0].system).toBe(CVX_SYSTEM);
    expect(group.supportingImmunization?.map((r) => r.reference)).toEqual(['Immunization/i1', 'Immunization/i2']);
  });

  test('series status complete / immune / aged out', () => {
    const rec = recommendation(runImmdsForecast(request('1950-01-01', [imm('z', '121', '2015-01-01')]), engine));
    const by = (name: string) => rec.recommendation.find((r) => r.targetDisease?.text === name)!;
    expect(by('MMR').forecastStatus).toMatchObject({ text: 'Immune', coding: [{ code: 'immune' }, { code: 'Immune' }] });
    expect(by('Rotavirus').forecastStatus.text).toBe('Aged out');
    expect(by('Rotavirus').dateCriterion).toBeUndefined();
  });

  test('past the past-due date the forecast is overdue', () => {
    const rec = recommendation(runImmdsForecast(request('2015-10-19', []), engine));
    expect(rec.recommendation.find((r) => r.targetDisease?.text === 'MMR')!.forecastStatus.coding?.[0].code).toBe('overdue');
  });

  test('not-done and entered-in-error immunizations and doses after the assessment date are not evaluated', () => {
    const out = runImmdsForecast(request('2020-01-01', [
      imm('a', '03', '2021-01-10', { status: 'not-done' }), imm('b', '03', '2021-01-10', { status: 'entered-in-error' }), imm('c', '03', '2023-01-10'),
    ]), engine);
    expect(evaluations(out)).toEqual([]);
  });

  test('the OperationDefinition describes the IG parameters', () => {
    expect(immdsForecastOperationDefinition).toMatchObject({ code: 'immds-forecast', url: 'http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation' });
    expect(immdsForecastOperationDefinition.parameter!.map((p) => `${p.use}:${p.name}`)).toEqual([
      'in:assessmentDate', 'in:patient', 'in:immunization', 'out:evaluation', 'out:recommendation',
    ]);
  });
});

describe('$immds-forecast bad input', () => {
  test.each([
    ['not a Parameters resource', { resourceType: 'Patient' } as unknown as Parameters, 400, 'Parameters'],
    ['missing assessmentDate', request('2020-01-01', [], null), 400, "Parameters.parameter.where(name='assessmentDate')"],
    ['partial assessmentDate', request('2020-01-01', [], '2022-10'), 400, "Parameters.parameter.where(name='assessmentDate').value"],
    ['missing patient', { resourceType: 'Parameters', parameter: [{ name: 'assessmentDate', valueDate: '2022-10-19' }] } as Parameters, 400, "Parameters.parameter.where(name='patient')"],
    ['missing birthDate', request(undefined, []), 422, "Parameters.parameter.where(name='patient').resource.birthDate"],
    ['partial birthDate', request('2020', []), 422, "Parameters.parameter.where(name='patient').resource.birthDate"],
    ['birthDate after assessmentDate', request('2023-01-01', []), 422, "Parameters.parameter.where(name='patient').resource.birthDate"],
    ['unknown CVX', request('2020-01-01', [imm('x', '99999', '2021-01-01')]), 422, "Parameters.parameter.where(name='immunization')[0].resource.vaccineCode.coding.code"],
    ['no CVX coding', request('2020-01-01', [imm('x', undefined, '2021-01-01')]), 422, "Parameters.parameter.where(name='immunization')[0].resource.vaccineCode"],
    ['missing occurrence date', request('2020-01-01', [imm('x', '03', undefined)]), 422, "Parameters.parameter.where(name='immunization')[0].resource.occurrence"],
    ['dose before birth', request('2020-01-01', [imm('x', '08', '2019-12-31')]), 422, "Parameters.parameter.where(name='immunization')[0].resource.occurrence"],
    ['a non-Immunization resource', request('2020-01-01', [{ name: 'immunization', resource: { resourceType: 'Patient' } }]), 422, "Parameters.parameter.where(name='immunization')[0].resource"],
  ])('%s', (_label, input, status, expression) => {
    const e = error(input);
    expect(e.status).toBe(status);
    expect(e.issues[0].expression).toEqual([expression]);
    expect(e.issues[0].severity).toBe('error');
  });

  test('every bad immunization is reported at once', () => {
    const e = error(request('2020-01-01', [imm('a', '99999', '2021-01-01'), imm('b', '03', '2021-01-01'), imm('c', '03', 'soon')]));
    expect(e.status).toBe(422);
    expect(e.issues.map((i) => i.expression![0])).toEqual([
      "Parameters.parameter.where(name='immunization')[0].resource.vaccineCode.coding.code",
      "Parameters.parameter.where(name='immunization')[2].resource.occurrence",
    ]);
    expect(e.toOperationOutcome().resourceType).toBe('OperationOutcome');
  });
});
