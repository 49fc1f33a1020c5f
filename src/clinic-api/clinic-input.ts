import type { Immunization, OperationOutcomeIssue, Patient } from 'fhir/r4';
import { createHash } from 'node:crypto';
import { FhirError, issue } from '../shared/fhir-error';
import type { CdsiEngine } from '../immunization/cdsi';
import { normalizeCvx } from '../immunization/cdsi';
import { CVX_SYSTEM } from '../immunization/forecast/parse-forecast-input';
import { isDay } from '../immunization/tracking';

/** Identifier system of a clinic's own patient ids. */
export const clinicPatientSystem = (clinic: string) => `https://tessera.example.org/fhir/clinic/${clinic}/patient`;
/** Identifier system of a clinic's own vaccination record ids. */
export const clinicRecordSystem = (clinic: string) => `https://tessera.example.org/fhir/clinic/${clinic}/record`;

/** Identifying data as a clinic sends it (a subset of the linkage engine's PersonPhi). */
export interface ClinicPhi {
  given?: string;
  middle?: string;
  family: string;
  /** male | female | other | unknown (m / f accepted). */
  sex?: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  addressLine?: string;
  city?: string;
  postcode?: string;
  country?: string;
  phone?: string;
}

/** A vaccination as a clinic reports it (seed API body or one CSV row). */
export interface VaccinationInput {
  clinic: string;
  /** The clinic's own id of this vaccination record (idempotency key); absent → always a new record. */
  recordId?: string;
  /** The clinic's own patient id; absent → derived from the PHI. */
  patientId?: string;
  phi: ClinicPhi;
  /** CVX code or product name. */
  vaccine: string;
  provider?: string;
  /** YYYY-MM-DD, default today. */
  date: string;
  lotNumber?: string;
  /** completed (default) or entered-in-error (a correction). */
  status: 'completed' | 'entered-in-error';
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const PHI_FIELDS = ['given', 'middle', 'family', 'sex', 'birthDate', 'addressLine', 'city', 'postcode', 'country', 'phone'];

/** Collects issues instead of stopping at the first one. */
export class IssueList {
  readonly issues: OperationOutcomeIssue[] = [];
  add(code: OperationOutcomeIssue['code'], msg: string, path: string): void {
    this.issues.push(issue(code, msg, path));
  }
  throwIfAny(): void {
    if (this.issues.length > 0) throw new FhirError(400, this.issues);
  }
}

function str(v: unknown, path: string, issues: IssueList, required = false, max = 200): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) issues.add('required', `${path} is required`, path);
    return undefined;
  }
  if (typeof v !== 'string') {
    issues.add('invalid', `${path} must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}`, path);
    return undefined;
  }
  const t = v.trim();
  if (t.length > max) issues.add('invalid', `${path} is longer than ${max} characters`, path);
  if (required && t === '') issues.add('required', `${path} is required`, path);
  return t || undefined;
}

/** A clinic id as used in URLs and Organization ids; throws 400 otherwise. */
export function checkClinicId(clinic: unknown, path = 'clinic'): string {
  const issues = new IssueList();
  const c = str(clinic, path, issues, true, 64);
  if (c && !ID.test(c)) issues.add('invalid', `${path} must match [A-Za-z0-9-.]{1,64} (it becomes Organization/{clinic}), got '${c.slice(0, 70)}'`, path);
  issues.throwIfAny();
  return c!;
}

/** Checks a PHI object; issues are named `{prefix}.{field}`. */
export function parsePhi(value: unknown, issues: IssueList, prefix = 'phi'): ClinicPhi | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    issues.add('required', `${prefix} must be an object with family, birthDate and optionally given, sex, addressLine, city, postcode, country, phone`, prefix);
    return undefined;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!PHI_FIELDS.includes(k)) issues.add('structure', `Unknown field ${prefix}.${k}: expected one of ${PHI_FIELDS.join(', ')}`, `${prefix}.${k}`);
  const phi: ClinicPhi = {
    given: str(o.given, `${prefix}.given`, issues),
    middle: str(o.middle, `${prefix}.middle`, issues),
    family: str(o.family, `${prefix}.family`, issues, true) ?? '',
    sex: str(o.sex, `${prefix}.sex`, issues),
    birthDate: str(o.birthDate, `${prefix}.birthDate`, issues, true) ?? '',
    addressLine: str(o.addressLine, `${prefix}.addressLine`, issues),
    city: str(o.city, `${prefix}.city`, issues),
    postcode: str(o.postcode, `${prefix}.postcode`, issues, false, 20),
    country: str(o.country, `${prefix}.country`, issues, false, 60),
    phone: str(o.phone, `${prefix}.phone`, issues, false, 40),
  };
  if (phi.birthDate && !isDay(phi.birthDate)) issues.add('invalid', `${prefix}.birthDate must be a date YYYY-MM-DD, got '${phi.birthDate.slice(0, 20)}'`, `${prefix}.birthDate`);
  if (phi.sex && !['male', 'female', 'other', 'unknown', 'm', 'f'].includes(phi.sex.toLowerCase())) issues.add('code-invalid', `${prefix}.sex must be male, female, other or unknown, got '${phi.sex.slice(0, 20)}'`, `${prefix}.sex`);
  return phi;
}

/** Resolves a vaccine given as a CVX code or a product / vaccine name (case-insensitive) to one CVX code, else an issue. */
export function resolveVaccine(engine: CdsiEngine, vaccine: string, issues: IssueList, path = 'vaccine'): string | undefined {
  const byCode = engine.data.cvx.get(normalizeCvx(vaccine));
  if (byCode && !byCode.nonVaccine) return byCode.cvx;
  if (byCode) {
    issues.add('code-invalid', `${path} CVX ${byCode.cvx} (${byCode.shortDescription}) is not an administrable vaccine`, path);
    return undefined;
  }
  const v = vaccine.toLowerCase().trim();
  // "Moderna COVID-19 Vaccine (Spikevax)" answers to its full name, its name without the brand, and the brand.
  const names = (tradeName: string) => {
    const t = tradeName.toLowerCase();
    const m = t.match(/^(.*?)\s*\(([^)]+)\)\s*$/);
    return m ? [t, m[1], m[2]] : [t];
  };
  const hits = [...engine.data.cvx.values()].filter((c) => !c.nonVaccine && (c.shortDescription.toLowerCase() === v || c.products.some((p) => names(p.tradeName).includes(v))));
  if (hits.length === 1) return hits[0].cvx;
  if (hits.length > 1) issues.add('invalid', `${path} '${vaccine.slice(0, 60)}' names several vaccines (CVX ${hits.map((h) => h.cvx).join(', ')}): send the CVX code`, path);
  else issues.add('code-invalid', `${path} '${vaccine.slice(0, 60)}' is not a known CVX code or vaccine name (e.g. 208 for Pfizer-BioNTech, 207 for Moderna, 212 for Janssen)`, path);
  return undefined;
}

/** Checks a seed-API / CSV vaccination; throws FhirError 400 listing every problem. */
export function parseVaccination(body: Record<string, unknown>, engine: CdsiEngine, today: string, issues = new IssueList()): VaccinationInput {
  const clinic = str(body.clinic, 'clinic', issues, true, 64);
  if (clinic && !ID.test(clinic)) issues.add('invalid', `clinic must match [A-Za-z0-9-.]{1,64}, got '${clinic.slice(0, 70)}'`, 'clinic');
  const recordId = str(body.recordId, 'recordId', issues, false, 64);
  const patientId = str(body.patientId, 'patientId', issues, false, 64);
  const phi = parsePhi(body.phi, issues);
  const vaccineText = str(body.vaccine, 'vaccine', issues, true, 100);
  const cvx = vaccineText ? resolveVaccine(engine, vaccineText, issues) : undefined;
  const provider = str(body.provider, 'provider', issues, false, 200);
  const date = str(body.date, 'date', issues) ?? today;
  if (!isDay(date)) issues.add('invalid', `date must be a date YYYY-MM-DD, got '${date.slice(0, 20)}'`, 'date');
  else if (date > today) issues.add('invalid', `date ${date} is in the future`, 'date');
  else if (phi?.birthDate && isDay(phi.birthDate) && date < phi.birthDate) issues.add('invalid', `date ${date} is before phi.birthDate`, 'date');
  const lotNumber = str(body.lotNumber, 'lotNumber', issues, false, 60);
  const status = (str(body.status, 'status', issues) ?? 'completed') as VaccinationInput['status'];
  if (status !== 'completed' && status !== 'entered-in-error') issues.add('code-invalid', `status must be completed or entered-in-error, got '${String(status).slice(0, 30)}'`, 'status');
  issues.throwIfAny();
  return { clinic: clinic!, recordId, patientId, phi: phi!, vaccine: cvx!, provider, date, lotNumber, status };
}

/** The clinic-side patient key: the clinic's own id, else a hash of normalised name and birth date (same person, same key). */
export function patientKey(input: { patientId?: string; phi: ClinicPhi }): string {
  if (input.patientId) return input.patientId;
  const norm = (s?: string) => (s ?? '').normalize('NFKD').replace(/[^A-Za-z]/g, '').toLowerCase();
  return `phi-${createHash('sha256').update([norm(input.phi.given), norm(input.phi.family), input.phi.birthDate].join('|')).digest('hex').slice(0, 32)}`;
}

/** The FHIR Patient for a clinic's PHI (http://hl7.org/fhir/R4/patient.html). */
export function phiToPatient(clinic: string, key: string, phi: ClinicPhi): Patient {
  const sex = phi.sex?.toLowerCase();
  const gender = sex === 'm' ? 'male' : sex === 'f' ? 'female' : (sex as Patient['gender']);
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: clinicPatientSystem(clinic), value: key }],
    name: [{ use: 'official', family: phi.family, ...(phi.given || phi.middle ? { given: [phi.given, phi.middle].filter((g): g is string => !!g) } : {}) }],
    birthDate: phi.birthDate,
    managingOrganization: { reference: `Organization/${clinic}` },
  };
  if (gender) patient.gender = gender;
  if (phi.phone) patient.telecom = [{ system: 'phone', value: phi.phone }];
  if (phi.addressLine || phi.city || phi.postcode || phi.country) {
    patient.address = [{ ...(phi.addressLine ? { line: [phi.addressLine] } : {}), city: phi.city, postalCode: phi.postcode, country: phi.country }];
  }
  return patient;
}

/** The PHI of a stored Patient, as the seed API returns it. */
export function patientToPhi(p: Patient): Partial<ClinicPhi> {
  const name = p.name?.[0];
  return {
    given: name?.given?.[0], middle: name?.given?.[1], family: name?.family, sex: p.gender, birthDate: p.birthDate,
    addressLine: p.address?.[0]?.line?.[0], city: p.address?.[0]?.city, postcode: p.address?.[0]?.postalCode, country: p.address?.[0]?.country,
    phone: p.telecom?.find((t) => t.system === 'phone')?.value,
  };
}

/** The FHIR Immunization of a clinic's vaccination (http://hl7.org/fhir/R4/immunization.html). */
export function vaccinationToImmunization(input: VaccinationInput, patientId: string, recordKey: string, engine: CdsiEngine): Immunization {
  const info = engine.data.cvx.get(normalizeCvx(input.vaccine));
  const imm: Immunization = {
    resourceType: 'Immunization',
    identifier: [{ system: clinicRecordSystem(input.clinic), value: recordKey }],
    status: input.status,
    vaccineCode: { coding: [{ system: CVX_SYSTEM, code: input.vaccine, ...(info ? { display: info.shortDescription } : {}) }] },
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: input.date,
    primarySource: true,
    performer: [
      { function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP', display: 'Administering Provider' }] }, actor: { reference: `Organization/${input.clinic}` } },
      ...(input.provider ? [{ actor: { display: input.provider } }] : []),
    ],
  };
  if (input.lotNumber) imm.lotNumber = input.lotNumber;
  return imm;
}
