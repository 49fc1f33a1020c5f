import type { OperationHandler } from './fhir/rest/request-context';
import type { CdsiEngine } from './immunization/cdsi';
import { immdsForecastHandler } from './immunization/immds-forecast-handler';
import type { ImmunizationTracker } from './immunization/tracking';
import { immunizationStatusHandler, vaccinationCountsHandler } from './immunization/tracking';
import { linkageOperations, type LinkageService } from './linkage/server';

/** What the domain operations need from the composed server. */
export interface OperationDeps {
  /** The CDSi engine behind $immds-forecast (shared with tracking: loaded once). */
  cdsi: CdsiEngine;
  /** Immunization tracking ($immunization-status, $vaccination-counts); omitted → those operations are not offered. */
  tracker?: ImmunizationTracker;
  /** Record linkage ($match, $linkage-review, $link, $unlink, $merge, $unmerge, $tokenized-patient); omitted → not offered. */
  linkage?: LinkageService;
}

/** Operations contributed by the domain modules (immunization, linkage, ...), registered in one list. */
export function buildOperations(deps: OperationDeps): OperationHandler[] {
  return [
    immdsForecastHandler(deps.cdsi),
    ...(deps.tracker ? [immunizationStatusHandler(deps.tracker), vaccinationCountsHandler(deps.tracker)] : []),
    ...(deps.linkage ? linkageOperations(deps.linkage) : []),
  ];
}
