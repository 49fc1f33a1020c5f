/** Public surface of immunization tracking (docs/IMMUNIZATION-TRACKING.md). */
export { ImmunizationTracker, type TrackerDeps, type CountsQuery, type CountsBreakdown, type StateCounts, type PersonRecords } from './immunization-tracker';
export { vaccinationCountsHandler } from './vaccination-counts-operation';
export { immunizationStatusHandler, immunizationStatus } from './immunization-status-operation';
export { reconcileTracking, type ReconcileReport, type ReconcileOptions } from './reconcile';
export * from './tracking-model';
