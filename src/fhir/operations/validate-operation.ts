import type { OperationOutcome, Resource } from 'fhir/r4';
import { FhirError, badRequest, issue } from '../../shared/fhir-error';
import type { OperationCall, OperationHandler, RequestContext } from '../rest/request-context';
import { parameterPath, singleParameter, stringParameter } from './operation-parameters';

const MODES = ['create', 'update', 'delete', 'profile'];


/**
 * $validate at type and instance level (http://hl7.org/fhir/R4/resource-operation-validate.html):
 * the resource (body, or the `resource` parameter), an optional `profile` and `mode`. Answers 200
 * with an OperationOutcome listing every issue; "All OK" when there is none.
 */
export const validateOperation: OperationHandler = {
  name: 'validate',
  levels: ['type', 'instance'],
  methods: ['POST'],
  definition: { url: 'http://hl7.org/fhir/OperationDefinition/Resource-validate', name: 'validate' },
  async invoke(ctx: RequestContext, call: OperationCall): Promise<Resource> {
    const { body, resourceType, id } = call;
    const mode = stringParameter(call, 'mode');
    if (mode && !MODES.includes(mode)) throw badRequest(`$validate mode '${mode}' is not one of ${MODES.join(', ')}`, parameterPath('mode'));
    const profile = stringParameter(call, 'profile');
    // A Parameters body is the operation's input when it carries a "resource"; otherwise (e.g.
    // POST Parameters/$validate) it is itself the resource to validate.
    const wrapped = body?.resourceType === 'Parameters' ? singleParameter(call, 'resource')?.resource : undefined;
    let resource: Resource | undefined = wrapped ?? body;
    if (mode === 'delete') {
      if (!id) throw badRequest('$validate mode=delete needs an instance: POST [type]/[id]/$validate');
      const current = await ctx.services.store.read(ctx.trx, resourceType!, id);
      const outcome: OperationOutcome = current && !current.deleted
        ? { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: `${resourceType}/${id} can be deleted` }] }
        : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${resourceType}/${id} does not exist` }] };
      return outcome;
    }
    if (!resource && id) resource = (await ctx.services.store.read(ctx.trx, resourceType!, id))?.content;
    if (!resource) throw badRequest('$validate needs a resource: send it as the body or as the "resource" parameter', 'Parameters.parameter.resource');
    if (resourceType && resource.resourceType !== resourceType) {
      throw new FhirError(400, issue('invalid', `$validate on ${resourceType} got a ${resource.resourceType}`, 'resourceType'));
    }
    const issues = ctx.services.validator.validate(resource, { profiles: profile ? [profile] : [] });
    if (mode === 'update' && !resource.id) issues.push({ severity: 'error', code: 'required', diagnostics: 'mode=update requires the resource id', expression: [`${resource.resourceType}.id`] });
    if (profile && issues.some((i) => i.code === 'not-found' && i.diagnostics?.includes(profile))) {
      throw new FhirError(400, issues.filter((i) => i.code === 'not-found'));
    }
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: issues.length ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'All OK: no issues found' }],
    };
    return outcome;
  },
};
