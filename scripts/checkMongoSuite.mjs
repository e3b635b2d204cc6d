// Fails CI when the MongoDB suite did not run: reads the report of
//   vitest run --reporter=json --outputFile.json=<file>
// and checks that the mongo project's own specs ran and passed (nothing skipped), that every
// GraphQL spec (api/**/*.int.spec.ts) ran twice — once per read model, SQLite and MongoDB — and that
// the mongo-pg project ran the adapter's specs again on FerretDB's PostgreSQL backend: a file of
// projections/mongo/ runs only in those two projects, so it must appear twice, every test passed.
// The production path's e2e specs (shutdown, fencing, exactly-once, several processes) must have run
// and passed too.
//
//   node scripts/checkMongoSuite.mjs <report.json>
import { readFileSync } from 'node:fs';
import path from 'node:path';

const MONGO_SPECS = ['projections/mongo/mongoReadModel.int.spec.ts', 'projections/mongo/mongoProjector.int.spec.ts'];
/** run by both the mongo project (SQLite backend) and the mongo-pg project (PostgreSQL backend) */
const BOTH_BACKENDS = [
  ...MONGO_SPECS,
  'projections/mongo/mongoSearch.int.spec.ts',
  'projections/mongo/mongoLimiters.int.spec.ts',
];

/** the production path's black-box specs (real processes on FerretDB): they must run, never skip */
const PRODUCTION_SPECS = [
  'api/shutdown.e2e.spec.ts',
  'scripts/fencing.e2e.spec.ts',
  'scripts/exactlyOnce.e2e.spec.ts',
  'scripts/multiProcess.e2e.spec.ts',
];

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/checkMongoSuite.mjs <vitest JSON report>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const relative = (name) => path.relative(root, name).split(path.sep).join('/');
const results = report.testResults.map((r) => ({ ...r, name: relative(r.name) }));

const problems = [];
for (const spec of [...MONGO_SPECS, ...PRODUCTION_SPECS]) {
  const runs = results.filter((r) => r.name === spec);
  const tests = runs.flatMap((r) => r.assertionResults);
  if (tests.length === 0) problems.push(`${spec} did not run`);
  const notPassed = tests.filter((t) => t.status !== 'passed');
  if (notPassed.length > 0)
    problems.push(
      `${spec}: ${notPassed.length} test(s) not passed (${[...new Set(notPassed.map((t) => t.status))].join(', ')})`,
    );
}
for (const spec of BOTH_BACKENDS) {
  const runs = results.filter((r) => r.name === spec);
  if (runs.length < 2)
    problems.push(
      `${spec} ran ${runs.length} time(s), not on both FerretDB backends (is the mongo-pg project missing?)`,
    );
  const notPassed = runs.flatMap((r) => r.assertionResults).filter((t) => t.status !== 'passed');
  if (notPassed.length > 0)
    problems.push(
      `${spec}: ${notPassed.length} test(s) not passed on both backends (${[...new Set(notPassed.map((t) => t.status))].join(', ')})`,
    );
}
const graphqlSpecs = [...new Set(results.map((r) => r.name).filter((n) => /^api\/.*\.int\.spec\.ts$/.test(n)))];
if (graphqlSpecs.length === 0) problems.push('no GraphQL spec (api/**/*.int.spec.ts) ran');
for (const spec of graphqlSpecs) {
  const runs = results.filter((r) => r.name === spec).length;
  if (runs < 2) problems.push(`${spec} ran ${runs} time(s), not once per read model`);
}

if (problems.length > 0) {
  console.error(`The MongoDB suite did not run as it must:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
const mongoTests = results.filter((r) => MONGO_SPECS.includes(r.name)).flatMap((r) => r.assertionResults).length;
const adapterFiles = [...new Set(results.map((r) => r.name).filter((n) => n.startsWith('projections/mongo/')))];
console.log(
  `MongoDB suite ran: ${mongoTests} adapter tests, ${adapterFiles.length} adapter spec files on both FerretDB backends (SQLite, PostgreSQL), ${graphqlSpecs.length} GraphQL spec files on both read models, and the ${PRODUCTION_SPECS.length} production e2e specs.`,
);
