import type { Patient } from 'fhir/r4';
import type { NormalizedPerson } from '../person';
import { normalizePerson } from '../normalize/normalize-person';
import { fhirPatientToPersonPhi } from '../fhir/patient-to-person';
import type { LinkageTokens } from '../tokens/linkage-tokens';
import { scorePair, type PairScore } from '../match/score-pair';
import { defaultModel, type LinkageModel } from '../match/model';
import type { CandidateRow } from './linkage-index';

/** Rules of the engine that make a pair cannot-link (never put into one person automatically). */
const VETO_RULES = new Set(['suffix-conflict', 'given-and-dob-conflict', 'sex-and-given-conflict']);

/** Entries of the normalised-PHI cache (≈ 1 KB each). */
const NORMALIZED_CACHE_SIZE = 10_000;

/** What one record looks like to the matcher: tokens always, normalised PHI when Tessera holds it. */
export interface Subject {
  tokens: LinkageTokens;
  person?: NormalizedPerson;
}

/** A scored candidate. */
export interface ScoredCandidate {
  patientId: string;
  personId?: string;
  score: PairScore;
}

/** True when a rule of the engine makes the pair cannot-link. */
export const vetoed = (c: ScoredCandidate): boolean => c.score.rules.some((r) => VETO_RULES.has(r));

/**
 * The person a record joins: that of its best-scoring "match" candidate, unless any scored member of that person is
 * cannot-link with the record (a veto rule) or the person is otherwise blocked (a "different" decision).
 */
export function bestMatch(scored: ScoredCandidate[], blocked: Iterable<string> = []): { best?: ScoredCandidate; blockedPersons: Set<string> } {
  const blockedPersons = new Set(blocked);
  for (const c of scored) if (c.personId && vetoed(c)) blockedPersons.add(c.personId);
  let best: ScoredCandidate | undefined;
  for (const c of scored) {
    if (!c.personId || c.score.outcome !== 'match' || blockedPersons.has(c.personId)) continue;
    if (!best || c.score.score > best.score.score) best = c;
  }
  return { best, blockedPersons };
}

/**
 * Scores a record against its candidates with the default models: PHI mode when both sides hold PHI in Tessera,
 * token mode otherwise. Candidates' normalised PHI is cached by Patient id and version (immutable, never stale).
 */
export class CandidateScorer {
  readonly phiModel: LinkageModel = defaultModel('phi');
  readonly tokenModel: LinkageModel = defaultModel('token');
  private readonly normalizedCache = new Map<string, NormalizedPerson>();

  score(subject: Subject, candidates: CandidateRow[]): ScoredCandidate[] {
    const out: ScoredCandidate[] = [];
    for (const c of candidates) {
      if (c.record.tokens.kid !== subject.tokens.kid) continue; // made under another master key: not comparable
      const other = subject.person && c.content ? this.normalized(c.content as Patient) : undefined;
      const score = subject.person && other ? scorePair(subject.person, other, this.phiModel, 'phi') : scorePair(subject.tokens, c.record.tokens, this.tokenModel, 'token');
      out.push({ patientId: c.record.patientId, personId: c.personId, score });
    }
    return out;
  }

  /** normalizePerson of a stored Patient version, cached (least recently inserted evicted first). */
  private normalized(p: Patient): NormalizedPerson {
    const k = `${p.id}@${p.meta?.versionId ?? ''}`;
    let n = this.normalizedCache.get(k);
    if (!n) {
      n = normalizePerson(fhirPatientToPersonPhi(p));
      if (this.normalizedCache.size >= NORMALIZED_CACHE_SIZE) this.normalizedCache.delete(this.normalizedCache.keys().next().value!);
      this.normalizedCache.set(k, n);
    }
    return n;
  }
}
