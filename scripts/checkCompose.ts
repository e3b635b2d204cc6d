import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

/**
 * Validates docker/compose.yml without a Docker engine: against the Compose Specification JSON
 * schema, plus the wiring a schema cannot see. The schema is the copy of compose-spec's
 * `schema/compose-spec.json` that the `dclint` package ships (its `update-compose-schema` script
 * fetches it from the compose-spec repository); nothing is downloaded here.
 */
const require = createRequire(import.meta.url);
const dclintDir = dirname(require.resolve('dclint/package.json'));
const dclintVersion = (JSON.parse(readFileSync(join(dclintDir, 'package.json'), 'utf8')) as { version: string })
  .version;
const schema = JSON.parse(readFileSync(join(dclintDir, 'schemas', 'compose.schema.json'), 'utf8')) as object;
export const schemaSource = `compose-spec schema from dclint@${dclintVersion}`;

// The schema is draft-07 with the spec's own annotations ("deprecated"): strict mode would reject those.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
// It names draft-07 by its https address; Ajv knows the meta-schema by the http one. Same schema.
const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;
ajv.addMetaSchema({ ...draft07, $id: (schema as { $schema?: string }).$schema });
const validate = ajv.compile(schema);

/** What every keyturn process needs in its environment (README, "Configuration"). */
const APP_ENV = [
  'EVENTSTORE_URL',
  'MONGODB_URL',
  'PUBLIC_URL',
  'KEYTURN_SECRET',
  'POSTMARK_SERVER_TOKEN',
  'POSTMARK_WEBHOOK_USER',
  'POSTMARK_WEBHOOK_PASSWORD',
];

type Service = {
  command?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { disable?: boolean; test?: unknown };
  volumes?: (string | { type?: string; source?: string })[];
};

const envNames = (environment: Service['environment']) =>
  Array.isArray(environment) ? environment.map((e) => e.split('=')[0]!) : Object.keys(environment ?? {});

/** Problems with the file, as lines a person can act on; none means valid. */
export function checkCompose(text: string): string[] {
  let doc: unknown;
  try {
    // `merge: true`: Compose files use YAML merge keys (`<<: *anchor`), which YAML 1.2 leaves out.
    doc = parse(text, { merge: true });
  } catch (error) {
    return [`not YAML: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!validate(doc)) {
    return (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
  }
  const compose = doc as { services?: Record<string, Service>; volumes?: Record<string, unknown> };
  const services = compose.services ?? {};
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    const dependsOn = Array.isArray(service.depends_on) ? {} : (service.depends_on ?? {});
    for (const [dependency, { condition }] of Object.entries(dependsOn)) {
      const target = services[dependency];
      if (!target) problems.push(`services.${name} depends on ${dependency}, which is not a service`);
      else if (condition === 'service_healthy' && (!target.healthcheck || target.healthcheck.disable)) {
        problems.push(`services.${name} waits for ${dependency} to be healthy, but ${dependency} has no health check`);
      }
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
      const named = source !== '' && !/^[./~]/.test(source) && !source.startsWith('$');
      if (named && !(source in (compose.volumes ?? {})))
        problems.push(`services.${name} mounts volume ${source}, which is not declared under volumes`);
    }
    if (typeof service.command === 'object' && /npm|dist\//.test(JSON.stringify(service.command))) {
      const missing = APP_ENV.filter((v) => !envNames(service.environment).includes(v));
      if (missing.length > 0)
        problems.push(`services.${name} runs keyturn without ${missing.join(', ')} in its environment`);
    }
  }
  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? fileURLToPath(new URL('../docker/compose.yml', import.meta.url));
  const problems = checkCompose(readFileSync(file, 'utf8'));
  if (problems.length > 0) {
    console.error(`${file} is not a valid Compose file (${schemaSource}):`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log(`${file} is valid (${schemaSource}).`);
}
