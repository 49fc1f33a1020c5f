const ASCII = /^[\x20-\x7e]*$/;

/** Folds text for comparison: Unicode NFKD, diacritics stripped, lower case, punctuation to spaces, whitespace collapsed. */
export function foldText(value: string | undefined | null): string {
  if (!value) return '';
  // Fast path for plain ASCII (most input): no decomposition needed.
  if (ASCII.test(value)) return value.toLowerCase().replace(/['`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/æ/gi, 'ae')
    .replace(/ø/gi, 'o')
    .replace(/ł/gi, 'l')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Folds text and removes every non-letter (spaces, digits): the compact form used for name comparison. */
export function lettersOnly(value: string | undefined | null): string {
  return foldText(value).replace(/[^a-z]/g, '');
}

/** Keeps only ASCII digits. */
export function digitsOnly(value: string | undefined | null): string {
  return value ? value.replace(/\D/g, '') : '';
}
