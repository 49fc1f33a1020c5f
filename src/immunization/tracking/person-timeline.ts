import type { CdsiEngine, EvaluateResult } from '../cdsi';
import { hasValidDose, isVaccineGroupComplete } from '../cdsi';
import type { StatusSegment, TrackedDose, TrackingState } from './tracking-model';
import { AGE_BANDS, ageBandAt, birthdayAt } from './tracking-model';

/** What the tracker knows of a person, merged over all of the person's Patient records. */
export interface PersonFacts {
  /** 'YYYY-MM-DD'; a person without one cannot be evaluated by CDSi and is not counted. */
  birthDate?: string;
  gender?: string;
  /** Clinic of the person's records (Patient.managingOrganization), '' when none. */
  homeClinic: string;
}

/** The tracked state of a group in an engine result: complete/immune → fully, ≥ 1 valid dose → partially, else not vaccinated. */
export function stateOf(result: EvaluateResult, group: string): TrackingState {
  if (isVaccineGroupComplete(result, group)) return 'fully-vaccinated';
  if (hasValidDose(result, group)) return 'partially-vaccinated';
  return 'not-vaccinated';
}

/**
 * The person's status timeline for one vaccine group: from birth, the state (CDSi evaluation of the
 * doses given up to each day, assessed that day), the attributed clinic (clinic of the latest dose of
 * the group so far, else the home clinic) and the age band (age that day). `doses` must already be
 * de-duplicated. Empty when the birth date is unknown.
 */
export function computeTimeline(engine: CdsiEngine, person: PersonFacts, doses: TrackedDose[], group: string): StatusSegment[] {
  const birthDate = person.birthDate;
  if (!birthDate) return [];
  const input = (list: TrackedDose[], assessmentDate: string) => ({
    birthDate,
    gender: person.gender,
    assessmentDate,
    doses: list.map((d) => ({ id: d.immunizationId, date: d.date, cvx: d.cvx })),
    vaccineGroups: [group],
  });
  const sorted = [...doses].filter((d) => d.date >= birthDate).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // Points where something may change: (day, state?, clinic?, band?).
  const points: Array<{ day: string; state?: TrackingState; clinic?: string; band?: string }> = [];
  points.push({ day: birthDate, state: 'not-vaccinated', clinic: person.homeClinic, band: ageBandAt(birthDate, birthDate) });
  for (const b of AGE_BANDS) if (b.from > 0) points.push({ day: birthdayAt(birthDate, b.from), band: b.label });
  if (sorted.length > 0) {
    const last = sorted[sorted.length - 1].date;
    const all = engine.evaluate(input(sorted, last));
    const relevantIds = new Set((all.vaccineGroups.find((g) => g.vaccineGroup.toLowerCase() === group.toLowerCase())?.evaluations ?? []).map((e) => e.doseId));
    const relevant = sorted.filter((d) => relevantIds.has(d.immunizationId));
    const days = [...new Set(relevant.map((d) => d.date))];
    for (const day of days) {
      const upTo = relevant.filter((d) => d.date <= day);
      const state = day === last ? stateOf(all, group) : stateOf(engine.evaluate(input(upTo, day)), group);
      const clinic = upTo.filter((d) => d.date === day).map((d) => d.clinic).find((c) => c !== '') ?? undefined;
      points.push({ day, state, clinic });
    }
  }
  points.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const segments: StatusSegment[] = [];
  let cur: Omit<StatusSegment, 'from'> = { state: 'not-vaccinated', clinic: person.homeClinic, band: ageBandAt(birthDate, birthDate) };
  for (let i = 0; i < points.length; ) {
    const day = points[i].day;
    const next = { ...cur };
    for (; i < points.length && points[i].day === day; i++) {
      const p = points[i];
      if (p.state !== undefined) next.state = p.state;
      if (p.clinic !== undefined) next.clinic = p.clinic;
      if (p.band !== undefined) next.band = p.band;
    }
    const last = segments[segments.length - 1];
    if (!last || last.state !== next.state || last.clinic !== next.clinic || last.band !== next.band) segments.push({ from: day, ...next });
    cur = next;
  }
  return segments;
}

/** The segment in force on `day`, or undefined before birth / without a timeline. */
export function segmentAt(segments: StatusSegment[], day: string): StatusSegment | undefined {
  let found: StatusSegment | undefined;
  for (const s of segments) if (s.from <= day) found = s;
  return found;
}
