import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import type {
  CdsiAntigen, CdsiConflict, CdsiOverlay, CdsiVaccine, CdsiVaccineGroup,
} from './supporting-data-types';

/** Normalises a CVX code for lookups ("03" and "3" are the same code). */
export function normalizeCvx(cvx: string): string {
  const t = cvx.trim();
  return /^\d+$/.test(t) ? String(Number(t)) : t.toUpperCase();
}

/** A vaccine group with its antigens. */
export interface VaccineGroupInfo {
  name: string;
  antigens: string[];
  /** CDSi "administer full vaccine group": a forecast must cover every antigen with one product. */
  administerFull: boolean;
}

/** A CVX code known to Tessera, with its names. */
export interface CvxInfo {
  cvx: string;
  shortDescription: string;
  fullName?: string;
  status?: string;
  nonVaccine: boolean;
  /** Brands (trade name + MVX manufacturer code) the CDSi data names for this CVX, when it has any. */
  products: { tradeName: string; mvx: string }[];
}

/** The CDSi supporting data, indexed for the engine. Immutable once loaded. */
export interface SupportingData {
  antigens: ReadonlyMap<string, CdsiAntigen>;
  /** Normalised CVX → antigen associations. */
  vaccines: ReadonlyMap<string, CdsiVaccine>;
  /** Normalised current CVX → conflict rows. */
  conflictsByCurrent: ReadonlyMap<string, CdsiConflict[]>;
  /** Normalised CVX codes that appear as "previous" in any live virus conflict. */
  liveVirusCvx: ReadonlySet<string>;
  vaccineGroups: ReadonlyMap<string, VaccineGroupInfo>;
  antigenToGroup: ReadonlyMap<string, string>;
  cvx: ReadonlyMap<string, CvxInfo>;
  /** Where the overlay data came from (file name → declared source). */
  overlays: Record<string, string>;
}

/** Default seeds folder (`<repo>/seeds`). */
export function defaultSeedsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../seeds');
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function readCsv(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
}

/**
 * Loads the CDSi supporting data from `<seedsDir>/cdsi` (CDC export + `tessera-*.json` overlays in the same shape)
 * and CVX / vaccine-group tables from `<seedsDir>/vaccines`.
 */
export function loadSupportingData(seedsDir: string = defaultSeedsDir()): SupportingData {
  const cdsiDir = join(seedsDir, 'cdsi');
  const vaccinesDir = join(seedsDir, 'vaccines');
  const antigens = new Map<string, CdsiAntigen>(Object.entries(readJson<Record<string, CdsiAntigen>>(join(cdsiDir, 'cdsi_antigens.json'))));
  const vaccineList = readJson<CdsiVaccine[]>(join(cdsiDir, 'cdsi_vaccines.json'));
  const conflicts = readJson<CdsiConflict[]>(join(cdsiDir, 'cdsi_conflicts.json'));
  const groupList = readJson<CdsiVaccineGroup[]>(join(cdsiDir, 'cdsi_groups.json'));
  const groupAntigens = readJson<{ vaccine_group: string; antigens: string[] }[]>(join(vaccinesDir, 'vaccine_group_antigens.json'));

  const groups = new Map<string, VaccineGroupInfo>();
  for (const g of groupAntigens) groups.set(g.vaccine_group, { name: g.vaccine_group, antigens: [...g.antigens], administerFull: false });
  for (const g of groupList) {
    const info = groups.get(g.name) ?? { name: g.name, antigens: [g.name], administerFull: false };
    info.administerFull = (g.administerFullVaccineGroup ?? '').toLowerCase() === 'yes';
    groups.set(g.name, info);
  }

  const overlays: Record<string, string> = {};
  const files = readdirSync(cdsiDir).filter((f) => /^tessera-.*\.json$/.test(f)).sort();
  for (const f of files) {
    const o = readJson<CdsiOverlay>(join(cdsiDir, f));
    overlays[f] = o.source ?? '';
    for (const [name, a] of Object.entries(o.antigens ?? {})) antigens.set(name, a);
    if (o.vaccines) {
      const byCvx = new Map(vaccineList.map((v) => [normalizeCvx(v.cvx), v]));
      for (const v of o.vaccines) byCvx.set(normalizeCvx(v.cvx), v);
      vaccineList.splice(0, vaccineList.length, ...byCvx.values());
    }
    if (o.conflicts) conflicts.push(...o.conflicts);
    for (const g of o.vaccineGroups ?? []) {
      groups.set(g.name, { name: g.name, antigens: [...g.antigens], administerFull: g.administerFullVaccineGroup.toLowerCase() === 'yes' });
    }
  }

  const vaccines = new Map<string, CdsiVaccine>();
  for (const v of vaccineList) vaccines.set(normalizeCvx(v.cvx), v);
  const conflictsByCurrent = new Map<string, CdsiConflict[]>();
  const liveVirusCvx = new Set<string>();
  for (const c of conflicts) {
    const key = normalizeCvx(c.current.cvx);
    const list = conflictsByCurrent.get(key) ?? [];
    list.push(c);
    conflictsByCurrent.set(key, list);
    liveVirusCvx.add(normalizeCvx(c.previous.cvx));
  }
  const antigenToGroup = new Map<string, string>();
  for (const g of groups.values()) for (const a of g.antigens) antigenToGroup.set(a, g.name);

  const cvx = new Map<string, CvxInfo>();
  const codesPath = join(vaccinesDir, 'cvx_codes_2014.csv');
  if (existsSync(codesPath)) {
    for (const r of readCsv(codesPath)) {
      cvx.set(normalizeCvx(r.cvx_code), {
        cvx: r.cvx_code.trim(), shortDescription: r.short_description, fullName: r.full_vaccine_name, status: r.status, nonVaccine: r.nonvaccine === '1', products: [],
      });
    }
  }
  const mapPath = join(vaccinesDir, 'cvx_antigen_vaccine_group.csv');
  if (existsSync(mapPath)) {
    for (const r of readCsv(mapPath)) {
      const key = normalizeCvx(r.cvx_code);
      if (!cvx.has(key)) cvx.set(key, { cvx: r.cvx_code.trim(), shortDescription: r.short_description, nonVaccine: false, products: [] });
    }
  }
  for (const [key, v] of vaccines) if (!cvx.has(key)) cvx.set(key, { cvx: v.cvx, shortDescription: v.shortDescription, nonVaccine: false, products: [] });
  for (const antigen of antigens.values()) {
    for (const s of antigen.series) {
      for (const d of s.seriesDose) {
        for (const p of d.preferableVaccine ?? []) {
          const info = p.cvx ? cvx.get(normalizeCvx(p.cvx)) : undefined;
          if (!info || !p.tradeName) continue;
          if (!info.products.some((x) => x.tradeName === p.tradeName && x.mvx === (p.mvx ?? ''))) info.products.push({ tradeName: p.tradeName, mvx: p.mvx ?? '' });
        }
      }
    }
  }

  return { antigens, vaccines, conflictsByCurrent, liveVirusCvx, vaccineGroups: groups, antigenToGroup, cvx, overlays };
}
