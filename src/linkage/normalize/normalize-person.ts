import type { NormalizedPerson, PersonPhi } from '../person';
import { normalizeAddressLine } from './address';
import { normalizeNationalId, normalizePhone, normalizePostcode, normalizeSex, normalizeStreetNumber } from './contact';
import { normalizeDate, type DateOrder } from './date';
import { foldText } from './text';
import { normalizeSuffix, parseName } from './name';
import { canonicalGivenNames } from './nicknames';
import { phoneticCode } from './phonetic';

const PLACEHOLDER_GIVEN = new Set(['baby', 'infant', 'newborn', 'unknown', 'unk', 'nfn', 'fnu', 'boy', 'girl', 'twin']);

/** Options of normalisation. */
export interface NormalizeOptions {
  /** Reading of ambiguous NN/NN/YYYY dates (default 'dmy'; both readings are kept as candidates). */
  dateOrder?: DateOrder;
  /** Default country for phone numbers without a country code (default 'AU'). */
  phoneCountry?: Parameters<typeof normalizePhone>[1];
}

/** Normalises the identifying fields of one person (see docs/LINKAGE.md, "Normalisation"). */
export function normalizePerson(input: PersonPhi, options: NormalizeOptions = {}): NormalizedPerson {
  const g = parseName(input.given);
  const f = parseName(input.family, true);
  const suffix = normalizeSuffix(input.suffix) || f.suffix || g.suffix;
  // Placeholders such as "Baby" or "Unknown" are not names.
  const given = PLACEHOLDER_GIVEN.has(g.words[0] ?? '') ? '' : (g.words[0] ?? '');
  const middleWords = [...g.words.slice(1), ...foldText(input.middle).split(' ').filter(Boolean)];
  // Family names compare in compact form ("van der berg" = "vanderberg", hyphens dropped).
  const family = f.words.join('');
  const dob = normalizeDate(input.birthDate, options.dateOrder);
  return {
    given,
    middle: middleWords.join(' '),
    family,
    suffix,
    givenCanonical: canonicalGivenNames(given),
    givenPhonetic: phoneticCode(given),
    familyPhonetic: phoneticCode(family),
    sex: normalizeSex(input.sex),
    dob: dob.value,
    dobCandidates: dob.candidates,
    dobTransposed: dob.transposed,
    streetNumber: normalizeStreetNumber(input.streetNumber),
    street: normalizeAddressLine(input.addressLine),
    locality: normalizeAddressLine(input.addressLine2),
    city: foldText(input.city),
    state: foldText(input.state),
    postcode: normalizePostcode(input.postcode),
    phone: normalizePhone(input.phone, options.phoneCountry),
    nationalId: normalizeNationalId(input.nationalId),
  };
}
