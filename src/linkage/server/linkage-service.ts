import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditEvent, Identifier, Patient, PatientLink, Reference } from 'fhir/r4';
import type { ResourceStore, WriteEvent } from '../../storage/resource-store';
import type { LinkMethod, PersonDirectory } from '../../mpi/person-directory';
import type { Principal } from '../../fhir/rest/request-context';
import { FhirError, badRequest, conflict, issue, notFound } from '../../shared/fhir-error';
import type { MasterKey } from '../keys';
import type { NormalizedPerson } from '../person';
import { normalizePerson } from '../normalize/normalize-person';
import { fhirPatientToPersonPhi } from '../fhir/patient-to-person';
import { computeTokens } from '../tokens/compute-tokens';
import type { LinkageTokens } from '../tokens/linkage-tokens';
import { fromSiteTokens } from '../tokens/site-tokens';
import { blockingKeys } from '../match/blocking';
import type { PairScore } from '../match/score-pair';
import {
  deleteLinkageRecord, loadCandidates, loadLinkageRecord, MAX_BLOCK, MAX_CANDIDATES, saveAndFindCandidates, saveAndFindCandidatesMany,
  type CandidateRow, type LinkContext,
  type StoredLinkageRecord,
} from './linkage-index';
import {
  deleteDecision, deleteMerge, differentAcross, dropOpenReviews, listReviews, mergeOf, queueForReview, resolveReview, saveDecision,
  saveMerge, type ReviewItem,
} from './linkage-decisions';
import { auditLinkage, linkageAuditEvent, type LinkageAction } from './linkage-audit';
import { GoldenRecordSync } from './golden-record-sync';
import { bestMatch, CandidateScorer, vetoed, type Subject } from './candidate-scorer';
import { BlockingKeyLocks } from './blocking-key-locks';
import { allowAll, type ClericalAction, type LinkagePolicy } from './linkage-policy';

/** Tag of Patients created from a clinic's site tokens (no PHI). */
export const TOKEN_ONLY_TAG = { system: 'https://tessera.dev/fhir/CodeSystem/linkage', code: 'token-only', display: 'Created from site linkage tokens; holds no PHI' };

/** Principal recorded for decisions the linkage engine takes itself. */
const SYSTEM_PRINCIPAL: Principal = { subject: 'system:record-linkage', scopes: [], anonymous: false };

/** What the linkage service needs from the composed server. */
export interface LinkageServiceDeps {
  knex: Knex;
  store: ResourceStore;
  persons: PersonDirectory;
  /** The master key (see resolveLinkageKey): tokens are computed and site tokens opened with it. */
  key: MasterKey;
  /** Authorisation of clerical actions (default: everyone, as there is no authentication yet). */
  policy?: LinkagePolicy;
}

/** A match to a query record. */
export interface MatchResult {
  patient: Patient;
  score: number;
  grade: PairScore['grade'];
  personId?: string;
}

/** Result of $tokenized-patient. */
export interface TokenizedPatientResult {
  patient: Patient;
  personId: string;
  created: boolean;
}

/** A Patient created in the transaction, to be linked by `linkNew`. */
interface NewLinkRecord {
  id: string;
  tokens: LinkageTokens;
  person: NormalizedPerson;
  content: Patient;
  keys: string[];
}

const hasIdentity = (n: NormalizedPerson) => !!(n.given || n.family || n.dob || n.nationalId);
const ref = (id: string) => `Patient/${id}`;

/**
 * Record linkage in the server: keeps each Patient's tokens and blocking keys, links every created or updated
 * Patient incrementally into the master person index (candidates through the blocking-key index, then
 * Fellegi–Sunter scoring with the engine's hard rules), maintains the golden-record `Person` resources, and
 * carries out the clerical actions ($match, review, link/unlink, merge/unmerge, token-only submissions), each
 * audited. Membership always changes through PersonDirectory so its listeners (immunization tracking) follow.
 */
export class LinkageService {
  private readonly scorer = new CandidateScorer();
  private readonly keyLocks = new BlockingKeyLocks();
  private readonly policy: LinkagePolicy;
  /** Site tokens waiting for the Patient create of a $tokenized-patient call, per transaction. */
  private readonly pendingSite = new WeakMap<Knex.Transaction, { tokens: LinkageTokens; site: string }>();
  /** Patients whose writes in this transaction are the service's own (merge bookkeeping): the hook leaves them alone. */
  private readonly ownWrites = new WeakMap<Knex.Transaction, Set<string>>();

  constructor(private readonly deps: LinkageServiceDeps) {
    this.policy = deps.policy ?? allowAll;
  }

  /** Registers the Patient write hook and the golden-record listener. Call before other Patient hooks (tracking follows membership). */
  install(): void {
    this.deps.store.addBatchWriteHook(['Patient'], (trx, events) => this.onPatientWrites(trx, events));
    new GoldenRecordSync(this.deps.store, this.deps.persons).install();
  }

  /** Throws unless the principal may take the action (the one authorisation point of the linkage operations). */
  authorize(principal: Principal, action: ClericalAction): void {
    this.policy(principal, action);
  }

  // ---------------------------------------------------------------- automatic linkage

  /**
   * Links written Patients. The blocking keys of all PHI records of the batch are locked in one statement, then
   * each record is linked in turn (a later record of the batch sees the earlier ones as candidates).
   */
  private async onPatientWrites(trx: Knex.Transaction, events: WriteEvent[]): Promise<void> {
    const toLink: Array<{ id: string; tokens: LinkageTokens; person: NormalizedPerson; content: Patient; fresh: boolean }> = [];
    for (const event of events) {
      if (this.ownWrites.get(trx)?.has(event.id)) continue;
      if (!event.current) {
        await deleteLinkageRecord(trx, event.id);
        await dropOpenReviews(trx, event.id);
        await this.deps.persons.remove(trx, event.id);
        continue;
      }
      const pending = this.pendingSite.get(trx);
      if (pending) {
        this.pendingSite.delete(trx);
        await this.indexAndLink(trx, event.id, { source: 'site', site: pending.site, tokens: pending.tokens }, undefined);
        continue;
      }
      const person = normalizePerson(fhirPatientToPersonPhi(event.current as Patient));
      if (!hasIdentity(person)) {
        const stored = await loadLinkageRecord(trx, event.id);
        // A token-only Patient updated without PHI keeps its site tokens; a record that lost its identity leaves the index.
        if (stored?.source === 'site') continue;
        if (stored) await deleteLinkageRecord(trx, event.id);
        await this.deps.persons.ensurePerson(trx, event.id);
        continue;
      }
      toLink.push({ id: event.id, tokens: computeTokens(person, this.deps.key), person, content: event.current as Patient, fresh: event.method === 'POST' && !event.previous });
    }
    if (toLink.length === 0) return;
    const keys = toLink.map((r) => blockingKeys(r.tokens));
    // Serialise with every concurrent linker sharing a key before looking for candidates (one person, not two).
    await this.keyLocks.lock(trx, keys.flat());
    const fresh: NewLinkRecord[] = [];
    for (let i = 0; i < toLink.length; i++) {
      const r = toLink[i]!;
      if (r.fresh) fresh.push({ ...r, keys: keys[i]! });
      else await this.linkLocked(trx, r.id, { source: 'phi', tokens: r.tokens }, keys[i]!, r.person);
    }
    await this.linkNew(trx, fresh);
  }

  /**
   * Links Patients created in this transaction (no stored tokens, person, merge or decision can exist for them):
   * one statement stores their keys and reads their candidates among earlier records, candidates among the batch
   * itself come from its own blocking keys, each record is decided in turn (seeing where the earlier ones went),
   * and the placements, audit events and review items are written together.
   */
  private async linkNew(trx: Knex.Transaction, recs: NewLinkRecord[]): Promise<void> {
    if (recs.length === 0) return;
    const { candidates: stored, oversized } = await saveAndFindCandidatesMany(trx, recs.map((r) => ({ patientId: r.id, tokens: r.tokens, keys: r.keys })), true);
    this.keyLocks.noteOversized(oversized);
    const placed = new Map<string, string>();
    const batchBlocks = new Map<string, number[]>();
    const placements: Array<{ patientId: string; personId: string; method: LinkMethod; score?: number }> = [];
    const audits: AuditEvent[] = [];
    const reviews: Array<{ a: string; b: string; score: number; grade: string }> = [];
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      const shared = new Map<number, number>();
      for (const k of r.keys) {
        const block = batchBlocks.get(k);
        if (block && block.length <= MAX_BLOCK) for (const j of block) shared.set(j, (shared.get(j) ?? 0) + 1);
        if (block) block.push(i);
        else batchBlocks.set(k, [i]);
      }
      const mates: CandidateRow[] = [...shared]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, MAX_CANDIDATES)
        .map(([j]) => ({ record: { patientId: recs[j]!.id, source: 'phi', tokens: recs[j]!.tokens }, personId: placed.get(recs[j]!.id), content: recs[j]!.content }));
      const scored = this.scorer.score({ tokens: r.tokens, person: r.person }, [...stored[i]!, ...mates]);
      const { best } = bestMatch(scored);
      const personId = best?.personId ?? randomUUID();
      placed.set(r.id, personId);
      placements.push(best ? { patientId: r.id, personId, method: 'auto', score: best.score.score } : { patientId: r.id, personId, method: 'new' });
      if (best) audits.push(linkageAuditEvent({ action: 'auto-link', principal: SYSTEM_PRINCIPAL, patients: [r.id, best.patientId], persons: [personId], score: best.score.score }));
      for (const c of scored) {
        if (c.score.outcome === 'possible' && c.personId !== personId && !vetoed(c)) reviews.push({ a: r.id, b: c.patientId, score: c.score.score, grade: c.score.grade });
      }
    }
    await this.deps.persons.assignManyUnlinked(trx, placements);
    await this.deps.store.createMany(trx, audits);
    await queueForReview(trx, reviews);
  }

  /** Stores a record's tokens and blocking keys, then (re)links it. */
  private async indexAndLink(trx: Knex.Transaction, patientId: string, rec: Omit<StoredLinkageRecord, 'patientId'>, person: NormalizedPerson | undefined): Promise<void> {
    const keys = blockingKeys(rec.tokens);
    // Serialise with every concurrent linker sharing a key before looking for candidates (one person, not two).
    await this.keyLocks.lock(trx, keys);
    await this.linkLocked(trx, patientId, rec, keys, person);
  }

  /** Stores a record's tokens and blocking keys and (re)links it; its keys are already locked. */
  private async linkLocked(trx: Knex.Transaction, patientId: string, rec: Omit<StoredLinkageRecord, 'patientId'>, keys: string[], person: NormalizedPerson | undefined): Promise<void> {
    const step = await saveAndFindCandidates(trx, { patientId, ...rec }, keys, !!person);
    this.keyLocks.noteOversized(step.oversized);
    // Identifying data unchanged and already placed, or placed by a clerical decision: nothing to re-decide.
    if (step.settled) return;
    await this.relink(trx, patientId, { tokens: rec.tokens, person }, step.ctx, step.candidates);
  }

  /**
   * Decides the person of one record: clerical decisions (manual link, merge) are kept as they are; otherwise the
   * record joins the person of its best "match" candidate unless any scored member of that person is cannot-link
   * with it or separated from it by a "different" decision; "possible" candidates go to the review queue.
   */
  private async relink(trx: Knex.Transaction, patientId: string, subject: Subject, ctx: LinkContext, candidates: CandidateRow[]): Promise<void> {
    const { persons } = this.deps;
    if (ctx.method === 'manual' || ctx.method === 'merge' || ctx.merged) return;
    const scored = this.scorer.score(subject, candidates);
    const separated = new Set(ctx.differentFrom);
    const { best, blockedPersons } = bestMatch(scored, ctx.blockedPersons);
    const current = ctx.personId;
    let finalPerson = current;
    // A record without a person yet (read after its Patient row was written and its keys locked) has no link row
    // another transaction could move: it is placed without re-reading one.
    const place = (personId: string, method: LinkMethod, score?: number) =>
      current ? persons.assign(trx, [patientId], personId, method, score) : persons.assignUnlinked(trx, patientId, personId, method, score);
    if (best && best.personId !== current) {
      await place(best.personId!, 'auto', best.score.score);
      await auditLinkage(trx, this.deps.store, { action: 'auto-link', principal: SYSTEM_PRINCIPAL, patients: [patientId, best.patientId], persons: [best.personId!], score: best.score.score });
      finalPerson = best.personId;
    } else if (!best) {
      if (!current) {
        finalPerson = randomUUID();
        await place(finalPerson, 'new');
      } else {
        const others = (await persons.membersOf(trx, current)).filter((m) => m !== patientId);
        const stillMatches = scored.some((c) => c.personId === current && c.score.outcome === 'match') && !blockedPersons.has(current);
        if (others.length > 0 && !stillMatches) {
          finalPerson = randomUUID();
          await persons.assign(trx, [patientId], finalPerson, 'new');
          await auditLinkage(trx, this.deps.store, { action: 'auto-unlink', principal: SYSTEM_PRINCIPAL, patients: [patientId], persons: [current, finalPerson] });
        }
      }
    }
    const reviews = scored
      .filter((c) => c.score.outcome === 'possible' && c.personId !== finalPerson && !separated.has(c.patientId) && !vetoed(c))
      .map((c) => ({ a: patientId, b: c.patientId, score: c.score.score, grade: c.score.grade }));
    await queueForReview(trx, reviews);
  }

  // ---------------------------------------------------------------- $match

  /**
   * Patient/$match (http://hl7.org/fhir/R4/patient-operation-match.html): scores a Patient resource (not stored)
   * against the index; returns matches graded possible or better, best first, at most `count`.
   */
  async match(db: Knex | Knex.Transaction, resource: Patient, options: { onlyCertainMatches?: boolean; count?: number }): Promise<MatchResult[]> {
    const person = normalizePerson(fhirPatientToPersonPhi(resource));
    if (!hasIdentity(person)) {
      throw new FhirError(400, issue('invalid', 'Patient/$match needs a Patient with at least a name, birthDate or national identifier; got none', 'Parameters.parameter.where(name = \'resource\').resource'));
    }
    const tokens = computeTokens(person, this.deps.key);
    const candidates = await loadCandidates(db, blockingKeys(tokens), resource.id, true);
    const scored = this.scorer.score({ tokens, person }, candidates);
    const kept = scored
      .filter((c) => c.score.outcome !== 'non-match' && (!options.onlyCertainMatches || c.score.grade === 'certain'))
      .sort((a, b) => b.score.score - a.score.score || (a.patientId < b.patientId ? -1 : 1))
      .slice(0, options.count ?? 10);
    const patients = new Map((await this.deps.store.readMany(db, 'Patient', kept.map((c) => c.patientId))).map((p) => [p.id!, p as Patient]));
    return kept.filter((c) => patients.has(c.patientId)).map((c) => ({ patient: patients.get(c.patientId)!, score: c.score.score, grade: c.score.grade, personId: c.personId }));
  }

  // ---------------------------------------------------------------- review queue, link, unlink

  /** The review queue (possible matches), oldest first. */
  async reviewQueue(db: Knex | Knex.Transaction, principal: Principal, options: { status?: ReviewItem['status']; patientId?: string; count?: number }): Promise<ReviewItem[]> {
    this.authorize(principal, 'review');
    return listReviews(db, { status: options.status, patientId: options.patientId, limit: options.count ?? 100 });
  }

  /** Reads a live Patient or throws 404 naming the parameter. */
  private async livePatient(trx: Knex.Transaction, id: string, param: string): Promise<Patient> {
    const v = await this.deps.store.read(trx, 'Patient', id);
    if (!v || v.deleted || !v.content) throw new FhirError(404, issue('not-found', `${param}: Patient/${id} does not exist`, `Parameters.parameter.where(name = '${param}')`));
    return v.content as Patient;
  }

  /** Locks the linkage of the given patients (clerical actions against each other and against automatic relinking of them). */
  private async lockPatients(trx: Knex.Transaction, ids: string[]): Promise<void> {
    for (const id of [...new Set(ids)].sort()) await this.deps.store.lock(trx, `id:Patient/${id}`);
  }

  private async audit(trx: Knex.Transaction, action: LinkageAction, principal: Principal, patients: string[], persons: string[]): Promise<void> {
    await auditLinkage(trx, this.deps.store, { action, principal, patients, persons: persons.filter(Boolean) });
  }

  /**
   * Clerical "same person" (confirms a review item): the persons of `a` and `b` become one (b's person joins a's),
   * recorded as a decision that later updates never undo. Refused (409) when a "different" decision separates
   * a member of one from a member of the other.
   */
  async link(trx: Knex.Transaction, principal: Principal, a: string, b: string): Promise<string> {
    this.authorize(principal, 'link');
    if (a === b) throw badRequest('patient-a and patient-b must be different records', "Parameters.parameter.where(name = 'patient-b')");
    await this.lockPatients(trx, [a, b]);
    await this.livePatient(trx, a, 'patient-a');
    await this.livePatient(trx, b, 'patient-b');
    const { persons } = this.deps;
    const personA = await persons.ensurePerson(trx, a);
    const personB = await persons.ensurePerson(trx, b);
    const membersA = await persons.membersOf(trx, personA);
    const membersB = await persons.membersOf(trx, personB);
    const contra = (await differentAcross(trx, membersA, membersB)).filter(([x, y]) => !((x === a && y === b) || (x === b && y === a)));
    if (contra.length) {
      throw conflict(`cannot link: Patient/${contra[0]![0]} and Patient/${contra[0]![1]} were decided to be different people (unlink decision); remove that decision first`);
    }
    await saveDecision(trx, a, b, 'same', principal.subject);
    await resolveReview(trx, a, b, 'confirmed', principal.subject);
    if (personA !== personB) {
      await persons.assign(trx, [b], personA, 'manual');
      const rest = membersB.filter((m) => m !== b);
      await this.moveKeepingMethod(trx, rest, personA);
    } else {
      await persons.assign(trx, [b], personA, 'manual');
    }
    await this.audit(trx, 'link', principal, [a, b], [personA, personB === personA ? '' : personB]);
    return personA;
  }

  /** Moves patients into a person, each keeping its link method. */
  private async moveKeepingMethod(trx: Knex.Transaction, patientIds: string[], personId: string): Promise<void> {
    if (patientIds.length === 0) return;
    const rows = (await trx('mpi_person_link').whereIn('patient_id', patientIds).select('patient_id', 'method', 'score')) as Array<{ patient_id: string; method: LinkMethod; score: number | null }>;
    for (const r of rows) await this.deps.persons.assign(trx, [r.patient_id], personId, r.method, r.score ?? undefined);
  }

  /**
   * Clerical "not the same person" (rejects a review item): records the decision (never re-linked automatically)
   * and, when they share a person, moves `b` into a person of its own. Without `b`, separates `a` from every other
   * member of its person. A merged pair must be unmerged instead (409).
   */
  async unlink(trx: Knex.Transaction, principal: Principal, a: string, b?: string): Promise<string> {
    this.authorize(principal, 'unlink');
    if (a === b) throw badRequest('patient-a and patient-b must be different records', "Parameters.parameter.where(name = 'patient-b')");
    await this.lockPatients(trx, b ? [a, b] : [a]);
    await this.livePatient(trx, a, 'patient-a');
    if (b) await this.livePatient(trx, b, 'patient-b');
    const { persons } = this.deps;
    const personA = await persons.ensurePerson(trx, a);
    const moving = b ?? a;
    const others = b ? [a] : (await persons.membersOf(trx, personA)).filter((m) => m !== a);
    for (const o of others) {
      const m = (await mergeOf(trx, o)) ?? (await mergeOf(trx, moving));
      if (m && ((m.sourceId === o && m.targetId === moving) || (m.sourceId === moving && m.targetId === o))) {
        throw conflict(`Patient/${m.sourceId} was merged into Patient/${m.targetId}: use $unmerge`);
      }
    }
    for (const o of others) {
      await saveDecision(trx, moving, o, 'different', principal.subject);
      await resolveReview(trx, moving, o, 'rejected', principal.subject);
    }
    const personMoving = await persons.ensurePerson(trx, moving);
    let result = personMoving;
    const sharing = (await persons.membersOf(trx, personMoving)).filter((m) => others.includes(m));
    if (sharing.length) {
      result = randomUUID();
      await persons.assign(trx, [moving], result, 'manual');
    } else {
      // Already apart: pin the record so automatic relinking keeps it where it is.
      await persons.assign(trx, [moving], personMoving, 'manual');
    }
    await this.audit(trx, 'unlink', principal, b ? [a, b] : [a], [personMoving, result === personMoving ? '' : result]);
    return result;
  }

  // ---------------------------------------------------------------- merge, unmerge

  /** Writes a Patient as the service's own bookkeeping (the linkage hook ignores it; other hooks still run). */
  private async ownUpdate(trx: Knex.Transaction, patient: Patient): Promise<Patient> {
    let set = this.ownWrites.get(trx);
    if (!set) this.ownWrites.set(trx, (set = new Set()));
    set.add(patient.id!);
    try {
      return (await this.deps.store.update(trx, patient)).version.content as Patient;
    } finally {
      set.delete(patient.id!);
    }
  }

  /**
   * Merge with FHIR R5 $merge semantics (http://hl7.org/fhir/R5/patient-operation-merge.html): the source is kept
   * (references to it stay resolvable) but marked `active=false` with `link` type `replaced-by` to the target; the
   * target gets `link` type `replaces`; both records (and the source's linked records) join the target's person.
   * With `preview`, nothing is written and the would-be target is returned.
   */
  async merge(trx: Knex.Transaction, principal: Principal, sourceId: string, targetId: string, preview = false): Promise<{ target: Patient; source: Patient; personId: string }> {
    this.authorize(principal, 'merge');
    if (sourceId === targetId) throw badRequest('source-patient and target-patient must be different records', "Parameters.parameter.where(name = 'target-patient')");
    await this.lockPatients(trx, [sourceId, targetId]);
    const source = await this.livePatient(trx, sourceId, 'source-patient');
    const target = await this.livePatient(trx, targetId, 'target-patient');
    const already = await mergeOf(trx, sourceId);
    if (already) throw conflict(`Patient/${sourceId} was already merged into Patient/${already.targetId}`);
    if (await mergeOf(trx, targetId)) throw conflict(`target-patient Patient/${targetId} is itself merged (replaced-by another record); merge into its replacement instead`);
    const newSource: Patient = { ...source, active: false, link: [...(source.link ?? []).filter((l) => l.other.reference !== ref(targetId)), { other: { reference: ref(targetId) }, type: 'replaced-by' }] };
    const newTarget: Patient = { ...target, link: [...(target.link ?? []).filter((l) => l.other.reference !== ref(sourceId)), { other: { reference: ref(sourceId) }, type: 'replaces' }] };
    const { persons } = this.deps;
    if (preview) return { target: newTarget, source: newSource, personId: (await persons.personOf(trx, targetId)) ?? '' };
    const contra = (await differentAcross(trx, [sourceId], [targetId]));
    if (contra.length) throw conflict(`cannot merge: Patient/${sourceId} and Patient/${targetId} were decided to be different people; link them first`);
    await saveMerge(trx, { sourceId, targetId, sourceActive: source.active }, principal.subject);
    const savedSource = await this.ownUpdate(trx, newSource);
    const savedTarget = await this.ownUpdate(trx, newTarget);
    await saveDecision(trx, sourceId, targetId, 'same', principal.subject);
    await resolveReview(trx, sourceId, targetId, 'confirmed', principal.subject);
    const personT = await persons.ensurePerson(trx, targetId);
    const personS = await persons.ensurePerson(trx, sourceId);
    await persons.assign(trx, [sourceId], personT, 'merge');
    if (personS !== personT) await this.moveKeepingMethod(trx, (await persons.membersOf(trx, personS)).filter((m) => m !== sourceId), personT);
    await this.audit(trx, 'merge', principal, [sourceId, targetId], [personT, personS === personT ? '' : personS]);
    return { target: savedTarget, source: savedSource, personId: personT };
  }

  /**
   * Undoes a merge: removes the replaced-by / replaces links, restores the source's `active`, records the two as
   * different people (the merge was a mistake, so they are not re-linked automatically) and gives the source a
   * person of its own.
   */
  async unmerge(trx: Knex.Transaction, principal: Principal, sourceId: string, targetId?: string): Promise<{ source: Patient; target: Patient; personId: string }> {
    this.authorize(principal, 'unmerge');
    const m = await mergeOf(trx, sourceId);
    if (!m) throw new FhirError(404, issue('not-found', `Patient/${sourceId} is not the source of a merge`, "Parameters.parameter.where(name = 'source-patient')"));
    if (targetId && targetId !== m.targetId) throw conflict(`Patient/${sourceId} was merged into Patient/${m.targetId}, not Patient/${targetId}`);
    await this.lockPatients(trx, [sourceId, m.targetId]);
    const source = await this.livePatient(trx, sourceId, 'source-patient');
    const target = await this.livePatient(trx, m.targetId, 'target-patient');
    const restored: Patient = { ...source, link: (source.link ?? []).filter((l) => !(l.type === 'replaced-by' && l.other.reference === ref(m.targetId))) };
    if (m.sourceActive === undefined) delete restored.active;
    else restored.active = m.sourceActive;
    if (!restored.link?.length) delete restored.link;
    const newTarget: Patient = { ...target, link: (target.link ?? []).filter((l: PatientLink) => !(l.type === 'replaces' && l.other.reference === ref(sourceId))) };
    if (!newTarget.link?.length) delete newTarget.link;
    await deleteMerge(trx, sourceId);
    const savedSource = await this.ownUpdate(trx, restored);
    const savedTarget = await this.ownUpdate(trx, newTarget);
    await deleteDecision(trx, sourceId, m.targetId);
    await saveDecision(trx, sourceId, m.targetId, 'different', principal.subject);
    const personId = randomUUID();
    await this.deps.persons.assign(trx, [sourceId], personId, 'manual');
    await this.audit(trx, 'unmerge', principal, [sourceId, m.targetId], [personId]);
    return { source: savedSource, target: savedTarget, personId };
  }

  // ---------------------------------------------------------------- token-only clinics

  /**
   * Creates (or, for an identifier already submitted by this site, updates) a PHI-free Patient from a clinic's
   * site tokens (`tessera tokenize --site`), and links it like any other record (token mode).
   */
  async submitTokenizedPatient(
    trx: Knex.Transaction,
    principal: Principal,
    input: { site: string; keyVersion: number; sealed: string; identifier: Identifier; managingOrganization?: Reference },
  ): Promise<TokenizedPatientResult> {
    this.authorize(principal, 'tokenized-patient');
    if (!input.identifier.system || !input.identifier.value) {
      throw badRequest('identifier needs a system (the clinic\'s namespace) and a value (its record id)', "Parameters.parameter.where(name = 'identifier').valueIdentifier");
    }
    let tokens: LinkageTokens;
    try {
      tokens = fromSiteTokens({ site: input.site, keyVersion: input.keyVersion, sealed: input.sealed }, this.deps.key);
    } catch (err) {
      throw badRequest(`tokens: ${(err as Error).message}`, "Parameters.parameter.where(name = 'tokens')");
    }
    await this.deps.store.lock(trx, `tokenized:${input.site}|${input.identifier.system}|${input.identifier.value}`);
    const existing = (await trx('linkage_record as r')
      .join('Patient as p', 'p.id', 'r.patient_id')
      .where('r.source', 'site')
      .andWhere('r.site', input.site)
      .andWhere('p.deleted', false)
      .andWhereRaw(`p.content->'identifier' @> ?::jsonb`, [JSON.stringify([{ system: input.identifier.system, value: input.identifier.value }])])
      .first('r.patient_id')) as { patient_id: string } | undefined;
    let patient: Patient;
    let created = false;
    if (existing) {
      patient = (await this.livePatient(trx, existing.patient_id, 'identifier'));
      await this.indexAndLink(trx, patient.id!, { source: 'site', site: input.site, tokens }, undefined);
    } else {
      const content: Patient = {
        resourceType: 'Patient',
        meta: { tag: [TOKEN_ONLY_TAG] },
        identifier: [{ system: input.identifier.system, value: input.identifier.value }],
        ...(input.managingOrganization ? { managingOrganization: input.managingOrganization } : {}),
      };
      this.pendingSite.set(trx, { tokens, site: input.site });
      try {
        patient = (await this.deps.store.create(trx, content)).content as Patient;
      } finally {
        this.pendingSite.delete(trx);
      }
      created = true;
    }
    const personId = (await this.deps.persons.personOf(trx, patient.id!))!;
    await this.audit(trx, 'tokenized-patient', principal, [patient.id!], [personId]);
    return { patient, personId, created };
  }
}
