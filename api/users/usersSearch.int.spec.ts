import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { badFieldsOf, createTestApp, createUser, type Manager, type TestApp } from '../testing/harness.js';

const USERS = `query($search: String) {
  users(search: $search) { totalCount totalCountIsExact edges { node { name loginName } } }
}`;

describe('given an office manager of Acme with a few users', () => {
  let app: TestApp;
  let acme: Manager;
  const search = async (term: string) => (await app.gql(USERS, { search: term }, acme.token)).data?.users;
  const names = async (term: string) => (await search(term))?.edges.map((e: { node: { name: string } }) => e.node.name);

  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
    await createUser(app, acme.token, { name: 'Ben Okafor', extension: '101', email: 'ben@acme.example' });
    await createUser(app, acme.token, { name: 'Ada Lovelace', extension: '1010', email: 'ada@acme.example' });
  });
  afterEach(async () => app.stop());

  it('finds a user by the login name they read out on the phone, from the "@" on', async () => {
    expect(await names('101@acme')).toEqual(['Ben Okafor']);
    expect(await names('101@')).toEqual(['Ben Okafor']);
    expect(await names('101@ac')).toEqual(['Ben Okafor']);
    expect(await names('101@globex')).toEqual([]);
    expect(await names('101')).toEqual(['Ada Lovelace', 'Ben Okafor']);
  });

  it('says the count is exact when it is', async () => {
    expect(await search('o')).toMatchObject({ totalCount: 2, totalCountIsExact: true });
  });

  it('two words find names holding both; a tab or line break pasted in separates words', async () => {
    expect(await names('ada love')).toEqual(['Ada Lovelace']);
    expect(await names('okafor\tben')).toEqual(['Ben Okafor']);
    expect(await names('ben\nokafor\r\n')).toEqual(['Ben Okafor']);
  });

  it('refuses other control characters with BAD_USER_INPUT', async () => {
    for (const term of ['ben\u0000', '\u0007', 'a\u001b[2J', '\u007f', 'x\u0085']) {
      expect(badFieldsOf(await app.gql(USERS, { search: term }, acme.token))).toEqual(['search']);
    }
  });
});
