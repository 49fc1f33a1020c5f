import { XMLValidator } from 'fast-xml-parser';
import { badRequest } from '../../shared/fhir-error';
import { escapeAttribute } from './xml-writer';

/** The FHIR XML namespace (http://hl7.org/fhir/R4/xml.html). */
export const FHIR_NS = 'http://hl7.org/fhir';
/** The XHTML namespace required on the narrative div (http://hl7.org/fhir/R4/narrative.html#xhtml). */
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const DIV_OPEN_RE = /^<div(\s[^>]*)?\/?>/;

/**
 * Checks a JSON narrative div string before it is written verbatim into XML: it must be a single
 * well-formed `<div>` element. Adds the XHTML namespace declaration when the opening tag lacks one,
 * since without it the div would land in the FHIR namespace. Throws FhirError 400 naming `path`.
 */
export function prepareDivForXml(div: unknown, path: string): string {
  if (typeof div !== 'string') throw badRequest(`Invalid xhtml at ${path}: expected a string`, path);
  const trimmed = div.trim();
  const open = DIV_OPEN_RE.exec(trimmed);
  if (!open || !trimmed.endsWith('>')) throw badRequest(`Invalid xhtml at ${path}: expected a single <div> element`, path);
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) {
    throw badRequest(`Invalid xhtml at ${path}: not well-formed XML (${valid.err.msg} at line ${valid.err.line}, column ${valid.err.col})`, path);
  }
  if (/\sxmlns\s*=/.test(open[1] ?? '')) return trimmed;
  return `<div xmlns="${XHTML_NS}"${trimmed.slice(4)}`;
}

/** Rebuilds the narrative div string (JSON form) from its attributes and raw inner markup captured from XML. */
export function buildDivString(attributes: Record<string, string>, inner: string, path: string): string {
  if (attributes.xmlns !== XHTML_NS) {
    throw badRequest(`Narrative div at ${path} must be in the XHTML namespace: expected xmlns="${XHTML_NS}", got ${attributes.xmlns === undefined ? 'none' : `"${attributes.xmlns}"`}`, path);
  }
  const attrs = Object.entries(attributes)
    .map(([n, v]) => ` ${n}="${escapeAttribute(v, path)}"`)
    .join('');
  return inner === '' ? `<div${attrs}/>` : `<div${attrs}>${inner}</div>`;
}
