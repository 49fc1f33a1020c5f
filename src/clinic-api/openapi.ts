import { REPORT_COLUMNS } from './csv-report';

const phiSchema = {
  type: 'object',
  required: ['family', 'birthDate'],
  additionalProperties: false,
  properties: {
    given: { type: 'string' }, middle: { type: 'string' }, family: { type: 'string' },
    sex: { type: 'string', enum: ['male', 'female', 'other', 'unknown', 'm', 'f'] },
    birthDate: { type: 'string', format: 'date' },
    addressLine: { type: 'string' }, city: { type: 'string' }, postcode: { type: 'string' }, country: { type: 'string' }, phone: { type: 'string' },
  },
};

const error = { description: 'A FHIR OperationOutcome naming each problem (issue.expression is the JSON path, e.g. phi.birthDate)', content: { 'application/fhir+json': { schema: { $ref: '#/components/schemas/OperationOutcome' } } } };

/** The OpenAPI 3.0 description of the clinic API, served at /api/openapi.json. */
export function clinicOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Tessera clinic API', version: '1.0.0', description: 'A simple JSON / CSV API for clinics that do not speak FHIR. Everything is stored as FHIR (Patient, Immunization, Organization) and is visible at /fhir. Errors are FHIR OperationOutcomes.' },
    paths: {
      '/api/patients': {
        get: {
          summary: 'List patients (optionally those a clinic registered)',
          parameters: [
            { name: 'clinic', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'after', in: 'query', description: 'Cursor: the `next` value of the previous page', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'A page of patients', content: { 'application/json': { schema: { type: 'object', properties: { patients: { type: 'array', items: { $ref: '#/components/schemas/PatientSummary' } }, next: { type: 'string' } } } } } }, 400: error },
        },
        post: {
          summary: "Register (or update) a clinic's patient; idempotent on clinic + patientId (or name + birth date)",
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['clinic', 'phi'], additionalProperties: false, properties: { clinic: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' }, patientId: { type: 'string' }, phi: { $ref: '#/components/schemas/Phi' } } } } } },
          responses: { 201: { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/PatientSummary' } } } }, 200: { description: 'Already registered (updated if the PHI changed)' }, 400: error },
        },
      },
      '/api/patients/{id}': {
        get: {
          summary: 'A patient with its linked records, vaccinations (from every clinic) and status per tracked vaccine group',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'The patient', content: { 'application/json': { schema: { $ref: '#/components/schemas/PatientDetail' } } } }, 404: error, 410: error },
        },
      },
      '/api/vaccines': {
        post: {
          summary: 'Record a vaccination; idempotent on clinic + recordId when given',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Vaccination' } } } },
          responses: { 201: { description: 'Recorded', content: { 'application/json': { schema: { $ref: '#/components/schemas/VaccinationResult' } } } }, 200: { description: 'Same recordId seen before: updated or unchanged' }, 400: error },
        },
      },
      '/api/clinics/{id}/reports': {
        post: {
          summary: `Import a daily CSV report (up to 100,000 rows, streamed). Columns: ${Object.entries(REPORT_COLUMNS).map(([c, d]) => `${c}${d.required ? ' (required)' : ''}`).join(', ')}`,
          parameters: [{ name: 'id', in: 'path', required: true, description: 'Clinic id', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { 200: { description: 'Import result (also stored as an OperationOutcome)', content: { 'application/json': { schema: { $ref: '#/components/schemas/ReportResult' } } } }, 400: error, 413: error, 415: error },
        },
      },
      '/api/clinics/{id}/reports/{reportId}': {
        get: { summary: 'A stored import result', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'reportId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'The OperationOutcome', content: { 'application/fhir+json': { schema: { $ref: '#/components/schemas/OperationOutcome' } } } }, 404: error } },
      },
    },
    components: {
      schemas: {
        Phi: phiSchema,
        PatientSummary: { type: 'object', properties: { id: { type: 'string' }, clinic: { type: 'string' }, patientId: { type: 'string' }, personId: { type: 'string' }, phi: phiSchema } },
        PatientDetail: {
          type: 'object',
          properties: {
            id: { type: 'string' }, personId: { type: 'string' }, phi: phiSchema, linkedPatients: { type: 'array', items: { type: 'string' } },
            vaccinations: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, patientId: { type: 'string' }, vaccine: { type: 'string' }, date: { type: 'string' }, clinic: { type: 'string' }, status: { type: 'string' } } } },
            status: { type: 'object', additionalProperties: { type: 'string', enum: ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'] } },
          },
        },
        Vaccination: {
          type: 'object', required: ['vaccine', 'clinic', 'phi'], additionalProperties: false,
          properties: {
            vaccine: { type: 'string', description: 'CVX code or vaccine name' }, provider: { type: 'string' }, clinic: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' }, phi: phiSchema,
            date: { type: 'string', format: 'date', description: 'default today' }, recordId: { type: 'string' }, patientId: { type: 'string' }, lotNumber: { type: 'string' },
            status: { type: 'string', enum: ['completed', 'entered-in-error'] },
          },
        },
        VaccinationResult: { type: 'object', properties: { id: { type: 'string', description: 'Immunization id' }, patientId: { type: 'string' }, personId: { type: 'string' }, result: { type: 'string', enum: ['created', 'updated', 'unchanged'] }, status: { type: 'object', additionalProperties: { type: 'string' } } } },
        ReportResult: {
          type: 'object',
          properties: {
            id: { type: 'string' }, result: { type: 'string', description: 'URL of the stored OperationOutcome' }, rows: { type: 'integer' }, created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, rejected: { type: 'integer' }, truncated: { type: 'boolean' },
            errors: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, line: { type: 'integer' }, column: { type: 'string' }, reason: { type: 'string' } } } },
          },
        },
        OperationOutcome: { type: 'object', properties: { resourceType: { type: 'string', enum: ['OperationOutcome'] }, issue: { type: 'array', items: { type: 'object', properties: { severity: { type: 'string' }, code: { type: 'string' }, diagnostics: { type: 'string' }, expression: { type: 'array', items: { type: 'string' } } } } } } },
      },
    },
  };
}
