import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badRequest } from '../../shared/fhir-error';

/** One parsed XML element: attributes (entity-decoded), child elements in document order, and its text. */
export interface XmlElement {
  /** Local name (namespace prefix removed). */
  name: string;
  /** Namespace URI resolved from xmlns / xmlns:prefix declarations in scope, or undefined for none. */
  namespace: string | undefined;
  /** The name as written, with any prefix. */
  qname: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data; for the narrative `div` the raw, undecoded inner markup. */
  text: string;
}

const MAX_DEPTH = 256;

let parser: XMLParser | undefined;

function getParser(): XMLParser {
  parser ??= new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // The narrative XHTML is captured as raw text (every FHIR element named `div` is Narrative.div).
    stopNodes: ['*.div'],
    // Entities are decoded by decodeAttribute below (strictly: only XML's predefined entities and
    // character references), so the div keeps its markup verbatim and no DTD entity is ever expanded.
    processEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_DEPTH,
  });
  return parser;
}

type OrderedItem = Record<string, unknown>;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes an attribute value per XML 1.0: line ends and literal whitespace characters normalised to
 * spaces (https://www.w3.org/TR/xml/#AVNormalize), then the predefined entities and character
 * references replaced. Throws FhirError 400 for `<`, a bare `&`, or an undefined entity.
 */
export function decodeAttribute(raw: string, attr: string, element: string): string {
  const where = `in attribute '${attr}' of element <${element}>`;
  if (raw.includes('<')) throw badRequest(`Malformed XML: '<' is not allowed ${where}`);
  const normalised = raw.replace(/\r\n?/g, '\n').replace(/[\t\n]/g, ' ');
  return normalised.replace(/&([^;&\s]*);?/g, (match, ref: string) => {
    let code: number | undefined;
    if (match.endsWith(';') && ref in PREDEFINED) return PREDEFINED[ref];
    if (match.endsWith(';') && /^#[0-9]+$/.test(ref)) code = Number(ref.slice(1));
    if (match.endsWith(';') && /^#x[0-9a-fA-F]+$/.test(ref)) code = parseInt(ref.slice(2), 16);
    if (code === undefined || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (code < 0x20 && code !== 9 && code !== 10 && code !== 13)) {
      throw badRequest(`Malformed XML: invalid or undefined entity reference '${match}' ${where}`);
    }
    return String.fromCodePoint(code);
  });
}

function toElements(items: OrderedItem[], scope: ReadonlyMap<string, string>): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const item of items) {
    if ('#text' in item) {
      text += String(item['#text']);
      continue;
    }
    const qname = Object.keys(item).find((k) => k !== ':@');
    if (qname === undefined) continue;
    const rawAttrs = (item[':@'] ?? {}) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    let inScope = scope;
    for (const [k, v] of Object.entries(rawAttrs)) {
      const value = decodeAttribute(String(v), k, qname);
      attributes[k] = value;
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (inScope === scope) inScope = new Map(scope);
        (inScope as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), value);
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    if (prefix && !inScope.has(prefix)) throw badRequest(`Malformed XML: namespace prefix '${prefix}' of element <${qname}> is not declared`);
    const namespace = inScope.get(prefix) || undefined;
    const inner = toElements((item[qname] ?? []) as OrderedItem[], inScope);
    elements.push({ name: qname.slice(colon + 1), namespace, qname, attributes, children: inner.elements, text: inner.text });
  }
  return { elements, text };
}

/** The 1-based line and column of character offset `index` in `text`, for error messages. */
function position(text: string, index: number): string {
  const before = text.slice(0, index).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Parses an XML document into its single root element. Rejects (FhirError 400) documents with a
 * DOCTYPE or entity declarations (XXE / entity-expansion safety), malformed XML (with line and
 * column), nesting deeper than 256 levels, and documents without exactly one root element.
 */
export function parseXmlDocument(xml: string): XmlElement {
  if (typeof xml !== 'string') throw badRequest('XML body must be a string');
  // End-of-line normalisation (https://www.w3.org/TR/xml/#sec-line-ends), also inside the raw div.
  const text = xml.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const dtd = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (dtd) {
    throw badRequest(`XML must not contain DOCTYPE or ENTITY declarations (found <!${dtd[1]} at ${position(text, dtd.index)}): not allowed for security reasons`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badRequest(`Malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let parsed: OrderedItem[];
  try {
    parsed = getParser().parse(text) as OrderedItem[];
  } catch (e) {
    throw badRequest(`Malformed XML (or nested deeper than ${MAX_DEPTH} levels): ${(e as Error).message}`);
  }
  const { elements, text: topText } = toElements(parsed, new Map());
  if (topText.trim() !== '') throw badRequest('Malformed XML: text outside the root element');
  if (elements.length !== 1) throw badRequest(`XML document must have exactly one root element, found ${elements.length}`);
  return elements[0];
}
