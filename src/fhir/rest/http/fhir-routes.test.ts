import Hapi from '@hapi/hapi';
import { describe, expect, it } from 'vitest';
import { pathSegments, requestTarget } from './fhir-routes';

/** The segments and parameters the WHATWG URL parser (hapi's request.url) gives, for comparison. */
function viaUrl(request: Hapi.Request, prefix: string) {
  const url = request.url;
  return { path: pathSegments(url.pathname.slice(prefix.length)), query: [...url.searchParams] };
}

describe('requestTarget', () => {
  it('splits plain request lines exactly as URL parsing would, and defers unusual ones to it', async () => {
    const server = Hapi.server({ router: { stripTrailingSlash: true } });
    server.route({
      method: 'GET',
      path: '/fhir/{path*}',
      handler: (request) => {
        const { rest, searchParams } = requestTarget(request, '/fhir');
        let fast: unknown;
        try {
          fast = { path: pathSegments(rest), query: [...searchParams] };
        } catch (err) {
          fast = (err as Error).message;
        }
        let slow: unknown;
        try {
          slow = viaUrl(request, '/fhir');
        } catch (err) {
          slow = (err as Error).message;
        }
        return { fast, slow };
      },
    });
    const urls = [
      '/fhir/Patient/123',
      '/fhir/Patient/123/',
      '/fhir//Patient//123',
      '/fhir/Patient?name=a%20b&name=c+d&_format=xml&_pretty=true',
      '/fhir/Patient?name=%E2%9C%93&given=caf%C3%A9#fragment',
      '/fhir/Patient?identifier=http://x.org/mrn|12&birthdate=ge1970-01-01',
      '/fhir/Patient/%50atient',
      '/fhir/Patient/a%2Fb',
      '/fhir/Patient/%zz',
      '/fhir/Patient/../metadata',
      '/fhir/Patient/./123',
      '/fhir/Patient/..',
      '/fhir/Patient/%2e%2e/metadata',
      '/fhir/Patient/%2E/123',
      '/fhir/Patient/.%2e/metadata',
      '/fhir/Patient/a.b..c',
      '/fhir/Patient/abc"def',
      '/fhir/$validate?profile=http://x.org/StructureDefinition/p',
      '/fhir/Observation?code:in=http://x|y&value-quantity=lt5.4|http://unitsofmeasure.org|mg',
      '/fhir?_type=Patient',
    ];
    let compared = 0;
    for (const url of urls) {
      const res = await server.inject(url);
      if (res.statusCode !== 200) continue; // hapi rejected the URL itself (never reaches the FHIR handler)
      const { fast, slow } = JSON.parse(res.payload) as { fast: unknown; slow: unknown };
      expect(fast, url).toEqual(slow);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(urls.length - 1);
  });
});
