/** Identifying data of one person as a clinic holds it (all optional; free text, any format). */
export interface PersonPhi {
  /** First given name, or all given names ("John Paul"); titles/suffixes inside are handled. */
  given?: string;
  /** Further given names when held separately. */
  middle?: string;
  family?: string;
  /** Generational suffix when held separately (Jr, Sr, III). */
  suffix?: string;
  /** male / female / other / unknown (or m/f). */
  sex?: string;
  /** Date of birth: YYYYMMDD, YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY. */
  birthDate?: string;
  streetNumber?: string;
  /** Street (address line 1). */
  addressLine?: string;
  /** Address line 2 (unit, building, locality). */
  addressLine2?: string;
  /** Suburb / city. */
  city?: string;
  state?: string;
  postcode?: string;
  country?: string;
  phone?: string;
  /** National identifier (SSN, Medicare number, NHS number...). */
  nationalId?: string;
}

/** A person after normalisation: every field folded to a canonical form, '' when missing. */
export interface NormalizedPerson {
  given: string;
  middle: string;
  family: string;
  /** Generational suffix (jr, sr, ii, iii...) — kept, never dropped. */
  suffix: string;
  /** Given name and its nickname canonical forms (Bob → bob, robert). */
  givenCanonical: string[];
  givenPhonetic: string;
  familyPhonetic: string;
  /** 'm' | 'f' | 'o' | ''. */
  sex: string;
  /** YYYYMMDD (or YYYY / YYYYMM for partial dates). */
  dob: string;
  /** Every plausible reading of an ambiguous date. */
  dobCandidates: string[];
  /** Day/month transposition of dob, '' when not possible. */
  dobTransposed: string;
  streetNumber: string;
  street: string;
  locality: string;
  city: string;
  state: string;
  postcode: string;
  /** E.164 phone. */
  phone: string;
  nationalId: string;
}
