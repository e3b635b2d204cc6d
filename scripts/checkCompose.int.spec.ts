import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkCompose } from './checkCompose.js';

const committed = readFileSync(new URL('../docker/compose.yml', import.meta.url), 'utf8');

/** The committed file, changed by `edit` (merge keys resolved, so each service stands alone). */
function variant(edit: (doc: any) => void): string {
  const doc = parse(committed, { merge: true });
  edit(doc);
  return stringify(doc);
}

describe('given docker/compose.yml as committed', () => {
  it('is valid against the Compose Specification and wired as keyturn needs', () => {
    expect(checkCompose(committed)).toEqual([]);
  });

  it('runs KurrentDB/EventStoreDB, MongoDB 7, the API and the projector, with named volumes and health checks', () => {
    const doc = parse(committed, { merge: true });
    expect(Object.keys(doc.services).sort()).toEqual(['api', 'eventstore', 'mongodb', 'projector']);
    expect(doc.services.mongodb.image).toBe('mongo:7');
    expect(doc.services.eventstore.image).toMatch(/^docker\.kurrent\.io\/kurrent-lts\/kurrentdb:/);
    // the production connection string: a replica set, credentials from the environment
    expect(doc.services.api.environment.MONGODB_URL).toBe(
      'mongodb://${MONGO_USER:-keyturn}:${MONGO_PASSWORD:?set MONGO_PASSWORD}@mongodb:27017/?replicaSet=rs0&authSource=admin',
    );
    expect(doc.services.mongodb.entrypoint.join(' ')).toContain('--replSet rs0');
    // the compiled image: node runs dist/ directly (no npm, no tsx, so SIGTERM reaches node)
    expect(doc.services.api.command).toEqual(['node', 'dist/api/main.js', '--api-only']);
    expect(doc.services.projector.command).toEqual(['node', 'dist/scripts/projector.js']);
    expect(doc.services.api.environment.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
    expect(Object.keys(doc.volumes).length).toBeGreaterThanOrEqual(3);
  });
});

describe('given a broken compose file', () => {
  it('reports a misspelt key and a wrong type, naming where', () => {
    const problems = checkCompose(
      variant((doc) => {
        doc.services.api.healthchek = doc.services.api.healthcheck;
        doc.services.mongodb.ports = 27017;
      }),
    );
    expect(problems).toContain('/services/api must NOT have additional properties (healthchek)');
    expect(problems.some((p) => p.startsWith('/services/mongodb/ports'))).toBe(true);
  });

  it('reports wiring the schema cannot see', () => {
    const problems = checkCompose(
      variant((doc) => {
        delete doc.services.mongodb.healthcheck;
        delete doc.services.projector.environment.MONGODB_URL;
        delete doc.volumes['projector-data'];
      }),
    );
    expect(problems).toEqual([
      'services.api waits for mongodb to be healthy, but mongodb has no health check',
      'services.projector waits for mongodb to be healthy, but mongodb has no health check',
      'services.projector mounts volume projector-data, which is not declared under volumes',
      'services.projector runs keyturn without MONGODB_URL in its environment',
    ]);
  });

  it('reports text that is not YAML', () => {
    expect(checkCompose('services: [unclosed')[0]).toMatch(/^not YAML/);
  });
});
