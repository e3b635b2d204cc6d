import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createArgon2Hasher } from '../core/crypto/secrets.js';
import { isKeyturnError } from '../core/errors.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';
import { normalizeEmail } from '../core/validation.js';
import { ConfigError, loadConfig } from '../api/config.js';
import { loadOrCreateSecret } from '../api/secret.js';
import { openDataKeys } from '../api/adapters.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';

const usage = `Usage: npm run org:create -- --name <name> --domain <domain> --manager-name <name>
         --manager-extension <ext> --manager-email <email> [--json]

Registers an organization and its office manager, and records the manager's welcome email.
The email goes out through the running server (or when one starts).`;

const flagOf: Record<string, string> = {
  name: '--name',
  domain: '--domain',
  'manager.name': '--manager-name',
  'manager.extension': '--manager-extension',
  'manager.email': '--manager-email',
};

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        name: { type: 'string' },
        domain: { type: 'string' },
        'manager-name': { type: 'string' },
        'manager-extension': { type: 'string' },
        'manager-email': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const missing = ['name', 'domain', 'manager-name', 'manager-extension', 'manager-email'].filter((k) => !values[k as keyof typeof values]);
  if (missing.length > 0) fail(`Missing ${missing.map((m) => `--${m}`).join(', ')}\n\n${usage}`);

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = loadOrCreateSecret(config.dataDir, config.secret, config.secretFile);
  // The manager's name and address are sealed with their data key, as the service would.
  const dataKeys = openDataKeys(config, secret);
  const store = withPersonalData(createSqliteEventStore({ path: join(config.dataDir, 'events.db') }), dataKeys);
  try {
    const result = await onboardOrganization(
      {
        store,
        hasher: createArgon2Hasher(),
        clock: () => new Date(),
        links: { secret, welcomeTtlMs: config.welcomeLinkTtlMs, resetTtlMs: config.resetLinkTtlMs },
      },
      {
        name: values.name!,
        domain: values.domain!,
        manager: { name: values['manager-name']!, extension: values['manager-extension']!, email: normalizeEmail(values['manager-email']!) },
      },
    );
    const out = { organizationId: result.organizationId, managerId: result.managerId, loginName: result.loginName };
    if (values.json) console.log(JSON.stringify(out));
    else console.log(`Registered ${values.name} (${values.domain}). Office manager ${out.loginName} gets a welcome email.`);
  } catch (error) {
    if (isKeyturnError(error)) {
      const details = Object.entries(error.fields ?? {}).map(([field, messages]) => `  ${flagOf[field] ?? field}: ${messages.join(' ')}`);
      fail([error.message, ...details].join('\n'));
    }
    throw error;
  } finally {
    await store.close();
    await dataKeys.close();
  }
}

await main();
