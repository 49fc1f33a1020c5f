import type { Patient, Person, PersonLink } from 'fhir/r4';
import type { LinkMethod } from '../../mpi/person-directory';

/** One member of a person as the MPI holds it. */
export interface PersonMember {
  patientId: string;
  method: LinkMethod;
  score?: number;
}

/**
 * Person.link.assurance (http://hl7.org/fhir/R4/valueset-identity-assuranceLevel.html): level4 for clerical links
 * and merges, level3 for automatic matches graded certain, level2 for other automatic matches, level1 for a record
 * alone in its person.
 */
export function assuranceOf(m: PersonMember, members: number): PersonLink['assurance'] {
  if (m.method === 'manual' || m.method === 'merge') return 'level4';
  if (members === 1 || m.method === 'new') return 'level1';
  return (m.score ?? 0) >= 0.99 ? 'level3' : 'level2';
}

/**
 * The golden record of a person (http://hl7.org/fhir/R4/person.html): a `Person` with the person id, linking each
 * member Patient, demographics taken from the representative member — an active record carrying PHI, most recently
 * updated first (token-only records carry none).
 */
export function goldenPerson(personId: string, members: PersonMember[], patients: Patient[]): Person {
  const sorted = [...members].sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0));
  const withPhi = patients.filter((p) => p.name?.length || p.birthDate);
  const rep = [...withPhi].sort((a, b) => {
    const act = Number(b.active !== false) - Number(a.active !== false);
    if (act) return act;
    return (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? '');
  })[0];
  const person: Person = {
    resourceType: 'Person',
    id: personId,
    active: true,
    link: sorted.map((m) => ({ target: { reference: `Patient/${m.patientId}` }, assurance: assuranceOf(m, sorted.length) })),
  };
  if (rep?.name) person.name = rep.name;
  if (rep?.telecom) person.telecom = rep.telecom;
  if (rep?.gender) person.gender = rep.gender;
  if (rep?.birthDate) person.birthDate = rep.birthDate;
  if (rep?.address) person.address = rep.address;
  return person;
}
