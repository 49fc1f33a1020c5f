/** The Fellegi–Sunter comparison features and their agreement levels (level 0 = strongest agreement). */
export const FEATURES = [
  { name: 'given', levels: ['exact', 'close', 'similar', 'different'] },
  { name: 'family', levels: ['exact', 'close', 'similar', 'different'] },
  { name: 'dob', levels: ['exact', 'transposed', 'near', 'different'] },
  { name: 'stno', levels: ['exact', 'different'] },
  { name: 'street', levels: ['exact', 'close', 'similar', 'different'] },
  { name: 'locality', levels: ['exact', 'close', 'similar', 'different'] },
  { name: 'city', levels: ['exact', 'close', 'similar', 'different'] },
  { name: 'postcode', levels: ['exact', 'near', 'different'] },
  { name: 'state', levels: ['exact', 'different'] },
  { name: 'nid', levels: ['exact', 'near', 'different'] },
  { name: 'sex', levels: ['exact', 'different'] },
  { name: 'phone', levels: ['exact', 'different'] },
] as const;

/** Index of each feature in a comparison vector. */
export const F = {
  given: 0, family: 1, dob: 2, stno: 3, street: 4, locality: 5, city: 6, postcode: 7, state: 8, nid: 9, sex: 10, phone: 11,
} as const;

/** Level value meaning "at least one side missing" (ignored by the model). */
export const MISSING = -1;

/** Comparison of one pair: a level per feature plus the facts the hard rules need. */
export interface Comparison {
  levels: Int8Array;
  /** Both have a generational suffix and they differ (Jr vs Sr). */
  suffixConflict: boolean;
  /** Both given names present and clearly different people's names (not nickname-equivalent, more than one typo apart). */
  givenConflict: boolean;
  /** Both dates of birth present, not equal, transposed or one digit apart, and in different years. */
  dobConflict: boolean;
  /**
   * The dates of birth conflict and are at least a generation apart (parent and child); when absent, `dobConflict`
   * is taken as a generation gap (token mode cannot measure the gap).
   */
  generationGap?: boolean;
  /** The national ids look consecutively issued (twins' numbers): they differ only at the end, so they are not evidence of a typo. */
  idsDifferAtEnd?: boolean;
  /** The national ids differ by two keying errors (and do not look consecutive): still the same id. */
  idsTypo?: boolean;
}
