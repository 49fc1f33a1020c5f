/**
 * FHIR R4 XML <-> JSON conversion (http://hl7.org/fhir/R4/xml.html), driven by the official
 * StructureDefinitions. See json-to-xml.ts and xml-to-json.ts for the rules applied.
 */
export { fhirJsonToXml } from './json-to-xml';
export { fhirXmlToJson } from './xml-to-json';
export { FHIR_NS, XHTML_NS } from './xhtml';
