import { badRequest } from '../../shared/fhir-error';

/**
 * A minimal streaming XML writer for FHIR XML output. Hand-written rather than fast-xml-parser's
 * XMLBuilder because FHIR needs (a) attribute values with newlines/tabs escaped as character
 * references so they survive attribute-value normalisation (https://www.w3.org/TR/xml/#AVNormalize),
 * and (b) the narrative XHTML `div` inserted verbatim as a raw subtree.
 */

// Characters not allowed in XML 1.0 documents (https://www.w3.org/TR/xml/#charsets).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#xA;',
  '\r': '&#xD;',
  '\t': '&#x9;',
};

/** Escapes text for use inside a double-quoted XML attribute; throws FhirError 400 for characters XML 1.0 cannot carry. */
export function escapeAttribute(value: string, path: string): string {
  if (INVALID_XML_CHARS.test(value)) {
    throw badRequest(`Value at ${path} contains a control character that cannot be represented in XML`, path);
  }
  return value.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c]);
}

/** Accumulates XML output, optionally pretty-printed with two-space indentation. */
export class XmlWriter {
  private readonly parts: string[] = [];
  private depth = 0;

  constructor(private readonly pretty: boolean) {}

  private indent(): void {
    if (this.pretty) this.parts.push(this.parts.length ? '\n' : '', '  '.repeat(this.depth));
  }

  private attrs(attributes: [string, string][]): string {
    return attributes.map(([n, v]) => ` ${n}="${v}"`).join('');
  }

  /** Opens an element; attribute values must already be escaped. */
  open(name: string, attributes: [string, string][] = []): void {
    this.indent();
    this.parts.push(`<${name}${this.attrs(attributes)}>`);
    this.depth++;
  }

  /** Closes the element opened last with `name`. */
  close(name: string): void {
    this.depth--;
    this.indent();
    this.parts.push(`</${name}>`);
  }

  /** Writes an empty element; attribute values must already be escaped. */
  empty(name: string, attributes: [string, string][] = []): void {
    this.indent();
    this.parts.push(`<${name}${this.attrs(attributes)}/>`);
  }

  /** Writes a well-formed XML fragment verbatim (the narrative div). */
  raw(fragment: string): void {
    this.indent();
    this.parts.push(fragment);
  }

  /** The document text. */
  toString(): string {
    return this.parts.join('');
  }
}
