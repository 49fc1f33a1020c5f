import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { fhirJsonToXml, fhirXmlToJson } from './xml';

const NS = 'xmlns="http://hl7.org/fhir"';
const patient = (body: string) => `<Patient ${NS}>${body}</Patient>`;

function errorOf(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw new Error(`expected a FhirError, got ${String(e)}`);
  }
  throw new Error('expected a FhirError, nothing was thrown');
}

describe('fhirXmlToJson rejects bad input with FhirError 400', () => {
  test.each([
    ['malformed XML', patient('<id value="x">'), /Malformed XML at line 1, column \d+/, undefined],
    ['not XML at all', 'hello', /root element|Malformed/, undefined],
    ['two root elements', `<Patient ${NS}/><Patient ${NS}/>`, /exactly one root element, found 2/, undefined],
    ['root not a resource', `<Foo ${NS}/>`, /Root element 'Foo' is not an R4 resource type/, 'Foo'],
    ['root in wrong case', `<patient ${NS}/>`, /Root element 'patient' is not an R4 resource type/, 'patient'],
    ['data type as root', `<HumanName ${NS}/>`, /Root element 'HumanName' is not an R4 resource type/, 'HumanName'],
    ['wrong namespace', '<Patient xmlns="http://example.org"/>', /Wrong namespace on Patient at Patient: expected xmlns="http:\/\/hl7.org\/fhir", got "http:\/\/example.org"/, 'Patient'],
    ['no namespace', '<Patient/>', /Wrong namespace on Patient at Patient: .*got no namespace/, 'Patient'],
    ['prefix bound to another namespace', '<f:Patient xmlns:f="urn:x"/>', /Wrong namespace on f:Patient at Patient/, 'Patient'],
    ['undeclared prefix', '<f:Patient/>', /namespace prefix 'f' of element <f:Patient> is not declared/, undefined],
    ['foreign namespace on a child', patient('<active xmlns="urn:x" value="true"/>'), /Wrong namespace on active at Patient.active/, 'Patient.active'],
    ['foreign prefixed child', patient('<x:active xmlns:x="urn:x" value="true"/>'), /Wrong namespace on x:active at Patient.active/, 'Patient.active'],
    ['foreign namespace on an extension of a primitive', patient('<gender value="male"><extension xmlns="urn:x" url="u"/></gender>'), /Wrong namespace on extension at Patient.gender.extension\[0\]/, 'Patient.gender.extension[0]'],
    ['nested resource in another namespace', `<Bundle ${NS}><type value="collection"/><entry><resource><Patient xmlns="urn:x"/></resource></entry></Bundle>`, /Wrong namespace on Patient at Bundle.entry\[0\].resource/, 'Bundle.entry[0].resource'],
    [
      'DOCTYPE with external entity (XXE)',
      `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${patient('<id value="&xxe;"/>')}`,
      /DOCTYPE or ENTITY declarations \(found <!DOCTYPE at line 1/,
      undefined,
    ],
    ['undefined entity in attribute', patient('<id value="&nbsp;"/>'), /undefined entity reference '&nbsp;' in attribute 'value' of element <id>/, undefined],
    ['bare ampersand in attribute', patient('<id value="a & b"/>'), /invalid or undefined entity reference/, undefined],
    ['unknown element', patient('<foo value="1"/>'), /Unknown element 'foo' at Patient/, 'Patient.foo'],
    ['unknown nested element', patient('<name><family value="x"/><surname value="y"/></name>'), /Unknown element 'surname' at Patient.name\[0\]/, 'Patient.name[0].surname'],
    ['unknown element inside a primitive', patient('<gender value="male"><code value="x"/></gender>'), /Unknown element 'code' at Patient.gender/, 'Patient.gender.code'],
    ['choice with undeclared type', patient('<deceasedString value="x"/>'), /Unknown element 'deceasedString' at Patient/, 'Patient.deceasedString'],
    ['invalid boolean', patient('<active value="maybe"/>'), /Invalid boolean at Patient.active: expected 'true' or 'false', got 'maybe'/, 'Patient.active'],
    ['invalid integer', patient('<multipleBirthInteger value="1.5"/>'), /Invalid integer at Patient.multipleBirthInteger/, 'Patient.multipleBirthInteger'],
    ['integer out of range', patient('<multipleBirthInteger value="2147483648"/>'), /Invalid integer/, 'Patient.multipleBirthInteger'],
    [
      'invalid positiveInt',
      `<Immunization ${NS}><protocolApplied><doseNumberPositiveInt value="0"/></protocolApplied></Immunization>`,
      /Invalid positiveInt at Immunization.protocolApplied\[0\].doseNumberPositiveInt: expected a whole number in range 1\.\.2147483647, got '0'/,
      'Immunization.protocolApplied[0].doseNumberPositiveInt',
    ],
    ['invalid unsignedInt', patient('<photo><size value="-1"/></photo>'), /Invalid unsignedInt at Patient.photo\[0\].size/, 'Patient.photo[0].size'],
    [
      'invalid decimal',
      `<Observation ${NS}><status value="final"/><code/><valueQuantity><value value="1,5"/></valueQuantity></Observation>`,
      /Invalid decimal at Observation.valueQuantity.value: got '1,5'/,
      'Observation.valueQuantity.value',
    ],
    ['repeated single element', patient('<gender value="male"/><gender value="female"/>'), /'gender' appears more than once at Patient, but its max cardinality is 1/, 'Patient.gender'],
    ['two choice types', patient('<multipleBirthBoolean value="true"/><multipleBirthInteger value="2"/>'), /Only one of 'multipleBirthBoolean' and 'multipleBirthInteger'/, 'Patient.multipleBirthInteger'],
    ['unknown attribute', patient('<gender value="male" foo="x"/>'), /Unknown attribute 'foo' on element at Patient.gender/, 'Patient.gender'],
    ['value attribute on a complex element', patient('<name value="x"/>'), /Unknown attribute 'value' on element at Patient.name\[0\]/, 'Patient.name[0]'],
    ['text content instead of value', patient('<gender>male</gender>'), /Unexpected text content in element at Patient.gender/, 'Patient.gender'],
    ['primitive without value or extension', patient('<gender/>'), /Patient.gender has neither a value attribute nor extensions/, 'Patient.gender'],
    ['div without XHTML namespace', patient('<text><status value="generated"/><div>x</div></text>'), /Wrong namespace on div at Patient.text.div: expected xmlns="http:\/\/www.w3.org\/1999\/xhtml", got "http:\/\/hl7.org\/fhir"/, 'Patient.text.div'],
    ['prefixed div', patient('<text><status value="generated"/><h:div xmlns:h="http://www.w3.org/1999/xhtml">x</h:div></text>'), /must be written <div xmlns=/, 'Patient.text.div'],
    ['nested resource not a resource', `<Bundle ${NS}><type value="collection"/><entry><resource><Foo/></resource></entry></Bundle>`, /Element at Bundle.entry\[0\].resource 'Foo' is not an R4 resource type/, 'Bundle.entry[0].resource'],
    ['empty resource container', `<Bundle ${NS}><type value="collection"/><entry><resource/></entry></Bundle>`, /must contain exactly one resource element, found 0/, 'Bundle.entry[0].resource'],
  ])('%s', (_name, xml, message, expression) => {
    const err = errorOf(() => fhirXmlToJson(xml));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
    if (expression !== undefined) expect(err.issues[0].expression).toEqual([expression]);
  });

  test('entity expansion never happens, even via a DOCTYPE written in lower case', () => {
    const err = errorOf(() => fhirXmlToJson(`<!doctype Patient [<!ENTITY a "aaaa">]>${patient('<id value="&a;"/>')}`));
    expect(err.status).toBe(400);
  });
});

describe('fhirJsonToXml rejects JSON it cannot represent with FhirError 400', () => {
  test.each([
    ['unknown property', { resourceType: 'Patient', foo: 1 }, /Unknown property 'foo' at Patient/, 'Patient.foo'],
    ['unknown nested property', { resourceType: 'Patient', name: [{ surname: 'x' }] }, /Unknown property 'surname' at Patient.name\[0\]/, 'Patient.name[0].surname'],
    ['companion on a complex element', { resourceType: 'Patient', _name: [{}] }, /Unknown property '_name' at Patient/, 'Patient._name'],
    ['not a resource type', { resourceType: 'Nope' }, /'Nope' at Nope is not an R4 resource type/, 'Nope'],
    ['wrong JSON type for boolean', { resourceType: 'Patient', active: 'yes' }, /Invalid boolean at Patient.active/, 'Patient.active'],
    ['wrong JSON type for integer', { resourceType: 'Patient', multipleBirthInteger: 1.5 }, /Invalid integer at Patient.multipleBirthInteger: expected a whole number/, 'Patient.multipleBirthInteger'],
    ['array for a single element', { resourceType: 'Patient', gender: ['male'] }, /Patient.gender must not be an array/, 'Patient.gender'],
    ['scalar for a repeating element', { resourceType: 'Patient', name: { family: 'x' } }, /Patient.name must be an array/, 'Patient.name'],
    ['two choice types', { resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2020' }, /Only one of the choice properties/, 'Patient.deceasedDateTime'],
    ['malformed div', { resourceType: 'Patient', text: { status: 'generated', div: '<div><p>x</div>' } }, /Invalid xhtml at Patient.text.div: not well-formed/, 'Patient.text.div'],
    ['control character', { resourceType: 'Patient', id: 'a\u0001b' }, /control character/, 'Patient.id'],
  ])('%s', (_name, json, message, expression) => {
    const err = errorOf(() => fhirJsonToXml(json));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
    expect(err.issues[0].expression).toEqual([expression]);
  });
});
