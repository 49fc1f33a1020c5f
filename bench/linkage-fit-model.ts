/** Regenerates seeds/linkage/default-model.json: EM-fitted default models on the bundled FEBRL sample. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fitModelsFromFebrl } from '../src/linkage/match/fit-default-model';

const models = fitModelsFromFebrl(readFileSync(new URL('../seeds/linkage/febrl1.csv', import.meta.url), 'utf8'));
const round = (x: number) => Number(x.toPrecision(6));
for (const m of Object.values(models)) for (const f of m.features) {
  f.m = f.m.map(round);
  f.u = f.u.map(round);
}
writeFileSync(new URL('../seeds/linkage/default-model.json', import.meta.url), JSON.stringify(models, null, 2) + '\n');
console.log('wrote seeds/linkage/default-model.json');
