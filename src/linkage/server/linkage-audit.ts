import type { Knex } from 'knex';
import type { AuditEvent, AuditEventEntity } from 'fhir/r4';
import type { ResourceStore } from '../../storage/resource-store';
import type { Principal } from '../../fhir/rest/request-context';

/** Code system of Tessera's linkage actions (AuditEvent.subtype). */
export const LINKAGE_ACTION_SYSTEM = 'https://tessera.dev/fhir/CodeSystem/linkage-action';

/** What happened to the master person index. */
export type LinkageAction = 'auto-link' | 'auto-unlink' | 'link' | 'unlink' | 'merge' | 'unmerge' | 'tokenized-patient';

/** AuditEvent.action per linkage action (http://hl7.org/fhir/R4/valueset-audit-event-action.html). */
const ACTION_CODE: Record<LinkageAction, AuditEvent['action']> = {
  'auto-link': 'U',
  'auto-unlink': 'U',
  link: 'U',
  unlink: 'U',
  merge: 'U',
  unmerge: 'U',
  'tokenized-patient': 'C',
};

/** One audited change: who, what, which records (references only — never PHI), and the score when automatic. */
export interface LinkageAuditInput {
  action: LinkageAction;
  principal: Principal;
  patients: string[];
  persons?: string[];
  score?: number;
  now?: Date;
}

/**
 * Writes a FHIR AuditEvent (http://hl7.org/fhir/R4/auditevent.html) for a linkage change, in the same transaction,
 * holding only references (Patient/…, Person/…), the principal's subject and the action.
 */
export async function auditLinkage(trx: Knex.Transaction, store: ResourceStore, input: LinkageAuditInput): Promise<void> {
  await store.create(trx, linkageAuditEvent(input));
}

/** The AuditEvent of a linkage change (references only, never PHI). */
export function linkageAuditEvent(input: LinkageAuditInput): AuditEvent {
  const entity: AuditEventEntity[] = [
    ...input.patients.map((id) => ({
      what: { reference: `Patient/${id}` },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    })),
    ...(input.persons ?? []).map((id) => ({
      what: { reference: `Person/${id}` },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4', display: 'Domain Resource' },
    })),
  ];
  if (input.score !== undefined && entity[0]) entity[0].detail = [{ type: 'match-score', valueString: input.score.toFixed(4) }];
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: LINKAGE_ACTION_SYSTEM, code: input.action }],
    action: ACTION_CODE[input.action],
    recorded: (input.now ?? new Date()).toISOString(),
    outcome: '0',
    agent: [
      {
        who: { identifier: { system: 'https://tessera.dev/fhir/principal', value: input.principal.subject } },
        requestor: !input.action.startsWith('auto-'),
      },
    ],
    source: { observer: { display: 'Tessera record linkage' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity,
  };
  return event;
}
