import type { Address, HumanName, Identifier, Patient } from 'fhir/r4';
import type { PersonPhi } from '../person';

/** Identifier systems treated as national person identifiers. */
const NATIONAL_ID_SYSTEMS = new Set([
  'http://hl7.org/fhir/sid/us-ssn',
  'https://fhir.nhs.uk/Id/nhs-number',
  'http://ns.electronichealth.net.au/id/hi/ihi/1.0',
  'http://ns.electronichealth.net.au/id/medicare-number',
]);
/** Identifier type codes (http://terminology.hl7.org/CodeSystem/v2-0203) of national person identifiers. */
const NATIONAL_ID_TYPES = new Set(['SS', 'SB', 'NI', 'NH', 'MC', 'NIIP', 'PPN']);

const active = (p?: { end?: string }) => !p?.end || p.end >= new Date().toISOString().slice(0, 10);

function pickName(names: HumanName[] | undefined): HumanName | undefined {
  if (!names?.length) return undefined;
  const usable = names.filter((n) => n.use !== 'old' && active(n.period));
  const pool = usable.length ? usable : names;
  return pool.find((n) => n.use === 'official') ?? pool.find((n) => n.use === 'usual') ?? pool.find((n) => n.use !== 'nickname' && n.use !== 'anonymous') ?? pool[0];
}

function pickAddress(addresses: Address[] | undefined): Address | undefined {
  if (!addresses?.length) return undefined;
  const usable = addresses.filter((a) => a.use !== 'old' && active(a.period) && a.type !== 'postal');
  const pool = usable.length ? usable : addresses;
  return pool.find((a) => a.use === 'home') ?? pool[0];
}

function nationalId(ids: Identifier[] | undefined): string | undefined {
  const id = ids?.find(
    (i) => i.value && ((i.system && NATIONAL_ID_SYSTEMS.has(i.system)) || i.type?.coding?.some((c) => c.code && NATIONAL_ID_TYPES.has(c.code))),
  );
  return id?.value;
}

/**
 * Extracts the identifying fields of a FHIR R4 Patient (http://hl7.org/fhir/R4/patient.html): the official (else usual,
 * else first current) name, gender, birthDate, the current home address (a leading house number in line[0] becomes
 * streetNumber), a phone (mobile, then home), and a national identifier (US SSN, NHS number, IHI, Medicare, or an
 * identifier typed SS/SB/NI/NH/MC).
 */
export function fhirPatientToPersonPhi(patient: Patient): PersonPhi {
  const name = pickName(patient.name);
  const given = name?.given ?? [];
  const text = !given.length && !name?.family && name?.text ? name.text.trim().split(/\s+/) : undefined;
  const addr = pickAddress(patient.address);
  const line0 = addr?.line?.[0]?.trim() ?? '';
  const num = line0.match(/^(\d+[a-zA-Z]?(?:[-/]\d+[a-zA-Z]?)?)\s+(.+)$/);
  const phones = (patient.telecom ?? []).filter((t) => t.system === 'phone' && t.value && active(t.period));
  const phone = phones.find((t) => t.use === 'mobile') ?? phones.find((t) => t.use === 'home') ?? phones[0];
  return {
    given: text ? text[0] : given[0],
    middle: text ? text.slice(1, -1).join(' ') : given.slice(1).join(' '),
    family: text ? text[text.length - 1] : name?.family,
    suffix: name?.suffix?.join(' '),
    sex: patient.gender,
    birthDate: patient.birthDate,
    streetNumber: num ? num[1] : undefined,
    addressLine: num ? num[2] : line0 || undefined,
    addressLine2: addr?.line?.slice(1).join(' ') || undefined,
    city: addr?.city,
    state: addr?.state,
    postcode: addr?.postalCode,
    country: addr?.country,
    phone: phone?.value,
    nationalId: nationalId(patient.identifier),
  };
}
