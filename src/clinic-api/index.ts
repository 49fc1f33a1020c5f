/** The clinic API: seed JSON API + daily CSV reports (docs/IMMUNIZATION-TRACKING.md). */
export { clinicApiPlugin, type ClinicApiOptions } from './clinic-api-plugin';
export { importReport, REPORT_COLUMNS, MAX_REPORT_ROWS, type ReportResult, type RowError } from './csv-report';
export { recordVaccinations, type ClinicDeps, type RecordedVaccination } from './clinic-records';
export { clinicOpenApi } from './openapi';
