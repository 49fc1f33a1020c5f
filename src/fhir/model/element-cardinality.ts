import type { ElementDefinition } from 'fhir/r4';
import { getStructureDefinition } from './definitions';

/** The element definition at a dotted path (e.g. Patient.name.given), following data types and contentReferences. */
export function findElementDefinition(path: string): ElementDefinition | undefined {
  const [root, ...rest] = path.split('.');
  let typeName = root;
  let prefix = root;
  let element: ElementDefinition | undefined;
  for (let i = 0; i < rest.length; i++) {
    const sd = getStructureDefinition(typeName);
    const elements = sd?.snapshot?.element ?? [];
    const wanted = `${prefix}.${rest[i]}`;
    element = elements.find((e) => e.path === wanted || (e.path.endsWith('[x]') && wanted.startsWith(e.path.slice(0, -3))));
    if (!element) return undefined;
    if (element.contentReference) {
      const ref = element.contentReference.replace(/^#/, '');
      const target = elements.find((e) => e.path === ref);
      prefix = ref;
      element = target ? { ...target, max: element.max } : element;
      continue;
    }
    const code = element.type?.[0]?.code;
    const isBackbone = code === 'BackboneElement' || code === 'Element';
    if (isBackbone) prefix = wanted;
    else if (code && i < rest.length - 1) {
      typeName = code;
      prefix = code;
    }
  }
  return element;
}

/** True when the element at `path` may repeat (max > 1 or *). */
export function isRepeatingElement(path: string): boolean {
  const max = findElementDefinition(path)?.max;
  return max === '*' || (max !== undefined && Number(max) > 1);
}
