import type { Immunization, Reference } from 'fhir/r4';
import { normalizeCvx } from '../cdsi';
import { CVX_SYSTEM } from '../forecast/parse-forecast-input';
import type { TrackedDose } from './tracking-model';
import { isDay } from './tracking-model';

/** The id in a `Type/id` reference (relative or absolute URL), or undefined. */
export function referencedId(ref: Reference | undefined, type: string): string | undefined {
  const m = ref?.reference?.match(new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`));
  return m?.[1];
}

/** The patient id an Immunization is about, or undefined. */
export function immunizationPatientId(imm: Immunization | undefined): string | undefined {
  return imm ? referencedId(imm.patient, 'Patient') : undefined;
}

/** The clinic (Organization id) of a dose: the first performer that is an Organization, else ''. */
export function immunizationClinic(imm: Immunization): string {
  for (const p of imm.performer ?? []) {
    const id = referencedId(p.actor, 'Organization');
    if (id) return id;
  }
  return '';
}

/**
 * The tracked dose of an Immunization, or undefined when it does not count: only status
 * `completed` (so `entered-in-error` and `not-done` never count, http://hl7.org/fhir/R4/valueset-immunization-status.html),
 * with a CVX code, an occurrenceDateTime and a patient.
 */
export function trackedDose(id: string, imm: Immunization | undefined): TrackedDose | undefined {
  if (!imm || imm.status !== 'completed') return undefined;
  const patientId = immunizationPatientId(imm);
  const coding = imm.vaccineCode?.coding?.find((c) => c.system === CVX_SYSTEM && c.code);
  const date = imm.occurrenceDateTime?.slice(0, 10);
  if (!patientId || !coding?.code || !date || !isDay(date)) return undefined;
  return { immunizationId: id, patientId, date, cvx: normalizeCvx(coding.code), clinic: immunizationClinic(imm) };
}

/**
 * The same dose reported twice (by two clinics, or twice by one) counts once: doses with the same
 * day and CVX code are one dose; the one with the smallest Immunization id is kept.
 * Returns the kept doses sorted by date and the duplicates with the id they duplicate.
 */
export function dedupeDoses(doses: TrackedDose[]): { kept: TrackedDose[]; duplicates: Array<{ dose: TrackedDose; of: string }> } {
  const sorted = [...doses].sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.immunizationId < b.immunizationId ? -1 : a.immunizationId > b.immunizationId ? 1 : 0));
  const seen = new Map<string, string>();
  const kept: TrackedDose[] = [];
  const duplicates: Array<{ dose: TrackedDose; of: string }> = [];
  for (const d of sorted) {
    const key = `${d.date}|${d.cvx}`;
    const first = seen.get(key);
    if (first) duplicates.push({ dose: d, of: first });
    else {
      seen.set(key, d.immunizationId);
      kept.push(d);
    }
  }
  return { kept, duplicates };
}
