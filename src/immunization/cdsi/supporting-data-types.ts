/**
 * Shapes of the CDSi supporting data (antigen series, schedule) as exported to JSON from the CDC XML
 * (https://www.cdc.gov/iis/cdsi/index.html — "Supporting Data"). Only the fields the engine reads are typed;
 * empty strings / nulls mean "not specified", exactly as in the CDC data.
 */

type Text = string | null | undefined;

/** One age row of a series dose. */
export interface CdsiAge {
  absMinAge: Text; minAge: Text; earliestRecAge: Text; latestRecAge: Text; maxAge: Text; effectiveDate: Text; cessationDate: Text;
}

/** One preferable interval row of a series dose. */
export interface CdsiInterval {
  fromPrevious: Text; fromTargetDose: Text; fromMostRecent: Text; fromRelevantObs?: { text: Text; code: Text } | null;
  absMinInt: Text; minInt: Text; earliestRecInt: Text; latestRecInt: Text; intervalPriority: Text; effectiveDate: Text; cessationDate: Text;
}

/** One allowable interval row of a series dose. */
export interface CdsiAllowableInterval {
  fromPrevious: Text; fromTargetDose: Text; absMinInt: Text; effectiveDate: Text; cessationDate: Text;
}

/** A preferable vaccine of a series dose. */
export interface CdsiPreferableVaccine {
  vaccineType: Text; cvx: Text; beginAge: Text; endAge: Text; tradeName?: Text; mvx?: Text; volume?: Text; forecastVaccineType?: Text;
}

/** An allowable vaccine of a series dose. */
export interface CdsiAllowableVaccine { vaccineType: Text; cvx: Text; beginAge: Text; endAge: Text }

/** One condition of a conditional-skip set. */
export interface CdsiSkipCondition {
  conditionID: Text; conditionType: Text; startDate: Text; endDate: Text; beginAge: Text; endAge: Text; interval: Text;
  doseCount: Text; doseType: Text; doseCountLogic: Text; vaccineTypes: Text; seriesGroups: Text;
}

/** One set of conditions of a conditional skip. */
export interface CdsiSkipSet {
  setID: Text; setDescription: Text; effectiveDate: Text; cessationDate: Text; conditionLogic: Text; condition: CdsiSkipCondition[] | null;
}

/** A conditional skip block (context Evaluation / Forecast / Both). */
export interface CdsiConditionalSkip { context: Text; setLogic: Text; set: CdsiSkipSet[] | null }

/** A target dose definition of a series. */
export interface CdsiSeriesDose {
  doseNumber: string;
  age: CdsiAge[] | null;
  interval: CdsiInterval[] | null;
  allowableInterval?: CdsiAllowableInterval[] | null;
  preferableVaccine: CdsiPreferableVaccine[] | null;
  allowableVaccine: CdsiAllowableVaccine[] | null;
  inadvertentVaccine?: { vaccineType: Text; cvx: Text }[] | null;
  conditionalSkip?: CdsiConditionalSkip[] | null;
  recurringDose?: Text;
  seasonalRecommendation?: { startDate: Text; endDate: Text } | null;
}

/** An antigen series (standard or risk). */
export interface CdsiSeries {
  seriesName: string;
  targetDisease: string;
  vaccineGroup: string;
  seriesType: string;
  equivalentSeriesGroups?: Text;
  requiredGender?: Text[] | null;
  selectSeries: {
    defaultSeries: Text; productPath: Text; seriesGroupName: Text; seriesGroup: Text; seriesPriority: Text; seriesPreference: Text;
    minAgeToStart: Text; maxAgeToStart: Text;
  };
  indication?: { observationCode: unknown; description: Text; beginAge: Text; endAge: Text }[] | null;
  seriesDose: CdsiSeriesDose[];
}

/** Evidence of immunity by birth date. */
export interface CdsiImmunityBirthDate {
  immunityBirthDate: Text; birthCountry: Text; exclusion?: { exclusionCode: Text; exclusionTitle: Text }[] | null;
}

/** Everything the data says about one antigen. */
export interface CdsiAntigen {
  immunity?: { clinicalHistory?: unknown; dateOfBirth?: CdsiImmunityBirthDate[] | null } | null;
  contraindications?: unknown;
  series: CdsiSeries[];
}

/** CVX → antigen association (schedule supporting data, "cvxToAntigenMap"). */
export interface CdsiVaccine {
  cvx: string;
  shortDescription: string;
  association: { antigen: string; associationBeginAge: Text; associationEndAge: Text }[];
}

/** A live virus conflict row (schedule supporting data, "liveVirusConflicts"). */
export interface CdsiConflict {
  previous: { vaccineType: Text; cvx: string };
  current: { vaccineType: Text; cvx: string };
  conflictBeginInterval: Text;
  minConflictEndInterval: Text;
  conflictEndInterval: Text;
}

/** A vaccine group (schedule supporting data). */
export interface CdsiVaccineGroup { name: string; administerFullVaccineGroup: Text }

/** A Tessera overlay file (`seeds/cdsi/tessera-*.json`): extra antigens, CVX mappings and conflicts in the CDSi shape. */
export interface CdsiOverlay {
  source?: string;
  antigens?: Record<string, CdsiAntigen>;
  vaccines?: CdsiVaccine[];
  conflicts?: CdsiConflict[];
  vaccineGroups?: { name: string; administerFullVaccineGroup: string; antigens: string[] }[];
}
