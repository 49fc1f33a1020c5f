import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { digitsOnly, foldText } from './text';

/** Normalises a phone number to E.164 (https://www.itu.int/rec/T-REC-E.164) using libphonenumber; '' when it cannot be parsed. */
export function normalizePhone(raw: string | undefined | null, defaultCountry: CountryCode = 'AU'): string {
  if (!raw || !raw.trim()) return '';
  try {
    const p = parsePhoneNumberFromString(raw, defaultCountry);
    if (p && p.isPossible()) return p.number;
  } catch {
    /* fall through */
  }
  return '';
}

/** Normalises a postcode/ZIP: upper-case alphanumerics; US ZIP+4 reduced to the 5-digit ZIP. */
export function normalizePostcode(raw: string | undefined | null): string {
  const s = foldText(raw).replace(/\s+/g, '').toUpperCase();
  const zip4 = s.match(/^(\d{5})\d{4}$/);
  return zip4 ? zip4[1]! : s;
}

/** Normalises a national identifier (SSN, Medicare, NHS number...): digits and letters only, upper case. */
export function normalizeNationalId(raw: string | undefined | null): string {
  const s = foldText(raw).replace(/\s+/g, '').toUpperCase();
  if (/^0+$/.test(s) || /^9{9}$/.test(s)) return ''; // placeholder values
  return s;
}

/** Normalises a street number: leading digits and letter suffix ('12a'), or the folded text. */
export function normalizeStreetNumber(raw: string | undefined | null): string {
  const s = foldText(raw).replace(/\s+/g, '');
  return s;
}

/** Normalises sex/gender to 'm', 'f', 'o' or '' (unknown). */
export function normalizeSex(raw: string | undefined | null): string {
  const s = foldText(raw);
  if (!s) return '';
  if (s === 'm' || s === 'male' || s === 'man') return 'm';
  if (s === 'f' || s === 'female' || s === 'woman') return 'f';
  if (s === 'unknown' || s === 'u') return '';
  return 'o';
}

export { digitsOnly };
