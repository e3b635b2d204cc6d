import { readFileSync, writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { keyturnSchema } from '../api/graphql/schema.js';

/** `--write` regenerates schema.graphql; `--check` fails when the committed file drifted from the code. */
const file = new URL('../schema.graphql', import.meta.url);
const header = '# Generated from the type-graphql resolvers by `npm run schema`. Do not edit.\n\n';
const printed = header + printSchema(lexicographicSortSchema(await keyturnSchema())) + '\n';

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (committed !== printed) {
    console.error('schema.graphql is out of date: run `npm run schema` and commit it.');
    process.exit(1);
  }
  console.log('schema.graphql matches the code.');
} else {
  writeFileSync(file, printed);
  console.log('wrote schema.graphql');
}
