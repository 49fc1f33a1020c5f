import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { decodeAttribute, parseXmlDocument } from './xml-document';

describe('decodeAttribute', () => {
  test.each([
    ['plain', 'plain'],
    ['a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;', 'a & b <c> "d" \'e\''],
    ['&#233;&#xE9;&#x1F600;', 'éé\u{1F600}'],
    ['line1\nline2\tx', 'line1 line2 x'],
    ['a&#xA;b&#9;c', 'a\nb\tc'],
    ['&amp;#x41;', '&#x41;'],
  ])('%j → %j', (raw, expected) => {
    expect(decodeAttribute(raw, 'value', 'x')).toBe(expected);
  });

  test.each(['a & b', '&nbsp;', '&#0;', '&#xD800;', '&#x110000;', 'a < b', '&amp'])('%j is rejected', (raw) => {
    expect(() => decodeAttribute(raw, 'value', 'x')).toThrow(FhirError);
  });
});

describe('parseXmlDocument', () => {
  test('keeps the div inner markup raw, including nested divs, comments and CDATA', () => {
    const inner = '<div>a<div/></div><!-- c --><![CDATA[x<y]]>b &amp; &#233;';
    const root = parseXmlDocument(`<?xml version="1.0"?><a><div xmlns="h">${inner}</div><b x="&lt;"/></a>`);
    expect(root.children.map((c) => c.name)).toEqual(['div', 'b']);
    expect(root.children[0].text).toBe(inner);
    expect(root.children[0].attributes).toEqual({ xmlns: 'h' });
    expect(root.children[1].attributes).toEqual({ x: '<' });
  });

  test('normalises CRLF line ends and strips a BOM', () => {
    const root = parseXmlDocument('\uFEFF<a>\r\n<div>x\r\ny</div></a>');
    expect(root.children[0].text).toBe('x\ny');
  });

  test.each([
    ['<a>', /Malformed XML at line 1/],
    ['<a/><b/>', /exactly one root element, found 2/],
    ['text', /Malformed XML|root element/],
    ['<!DOCTYPE a><a/>', /DOCTYPE/],
    ['<a><!ENTITY x "y"></a>', /ENTITY/],
    [`<a>${'<b>'.repeat(300)}${'</b>'.repeat(300)}</a>`, /nested deeper than 256 levels/],
  ])('%j is rejected', (xml, message) => {
    expect(() => parseXmlDocument(xml)).toThrow(message);
  });
});
