import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fakePromise, mapAsyncIterator, mapMaybePromise } from '@graphql-tools/utils';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dev?: boolean;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
const minimum = semver.minVersion(pkg.engines.node)!.version;

describe(`given the documented minimum, Node ${pkg.engines.node}`, () => {
  it('every package the lock installs accepts it: `npm ci` prints no EBADENGINE warning', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path.startsWith('node_modules/') || path.includes('/node_modules/'))
      .map(([path, entry]) => ({ path, node: Array.isArray(entry.engines) ? undefined : entry.engines?.node }))
      .filter(({ node }) => node !== undefined && !semver.satisfies(minimum, node, { includePrerelease: true }))
      .map(({ path, node }) => `${path} wants node ${node}`);
    expect(refusing).toEqual([]);
  });

  it('runs Apollo Server’s @graphql-tools/utils on @whatwg-node/promise-helpers 1.x (overridden from 2.x, which declares Node ≥ 22.15)', async () => {
    // the copy @graphql-tools/utils loads, not just any in the tree
    const fromUtils = createRequire(createRequire(import.meta.url).resolve('@graphql-tools/utils'));
    const helpers = fromUtils('@whatwg-node/promise-helpers/package.json') as { version: string };
    expect(helpers.version).toMatch(/^1\./);

    // the helpers @graphql-tools/utils calls, each on a value and on a promise
    expect(mapMaybePromise(2, (n) => n * 2)).toBe(4);
    await expect(mapMaybePromise(Promise.resolve(2), (n) => n * 2)).resolves.toBe(4);
    await expect(fakePromise(3)).resolves.toBe(3);
    async function* numbers() {
      yield 1;
      yield 2;
    }
    const doubled: number[] = [];
    for await (const n of mapAsyncIterator(numbers(), (n: number) => n * 2)) doubled.push(n);
    expect(doubled).toEqual([2, 4]);
  });
});
