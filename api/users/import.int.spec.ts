import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeUser,
  badFieldsOf,
  codesOf,
  createTestApp,
  createUser,
  eventually,
  type Manager,
  type TestApp,
} from '../testing/harness.js';

const IMPORT = `mutation($csv: String!, $sendWelcome: Boolean, $dryRun: Boolean) {
  importUsers(csv: $csv, sendWelcome: $sendWelcome, dryRun: $dryRun) {
    created rejected bulkId
    rows { line status userId loginName errors { field messages } }
  }
}`;
const USERS = `query($search: String) { users(search: $search) { totalCount edges { node { name extension email secondaryEmail role status } } } }`;
const PROGRESS = `query($id: ID!) { bulkWelcomeProgress(bulkId: $id) { total pending delivered failed } }`;

const GOOD = [
  'Name;Extension;Email;Secondary email;Role',
  '"Tremblay, Zoë";201;zoe@acme.example;zoe@home.example;Office Manager',
  'Jean-François Québec;202;jf@acme.example;;',
  'Ann "Annie" Lee;203;ann@acme.example;;auditor',
].join('\r\n');

describe('given an office manager of Acme importing a spreadsheet', () => {
  let app: TestApp;
  let acme: Manager;
  beforeEach(async () => {
    app = await createTestApp();
    acme = await app.organization('acme');
  });
  afterEach(async () => app.stop());

  it('creates every valid row, with its role and second email, and the list shows them at once', async () => {
    const answer = await app.gql(IMPORT, { csv: GOOD }, acme.token);
    expect(answer.errors).toBeUndefined();
    const result = answer.data?.importUsers;
    expect(result).toMatchObject({ created: 3, rejected: 0, bulkId: null });
    expect(result.rows.map((r: any) => [r.line, r.status, r.loginName])).toEqual([
      [2, 'CREATED', '201@acme'],
      [3, 'CREATED', '202@acme'],
      [4, 'CREATED', '203@acme'],
    ]);
    const listed = (await app.gql(USERS, { search: '20' }, acme.token)).data?.users;
    expect(listed.edges.map((e: any) => e.node)).toEqual([
      {
        name: 'Ann "Annie" Lee',
        extension: '203',
        email: 'ann@acme.example',
        secondaryEmail: null,
        role: 'AUDITOR',
        status: 'NOT_INVITED',
      },
      {
        name: 'Jean-François Québec',
        extension: '202',
        email: 'jf@acme.example',
        secondaryEmail: null,
        role: 'USER',
        status: 'NOT_INVITED',
      },
      {
        name: 'Tremblay, Zoë',
        extension: '201',
        email: 'zoe@acme.example',
        secondaryEmail: 'zoe@home.example',
        role: 'OFFICE_MANAGER',
        status: 'NOT_INVITED',
      },
    ]);
  });

  it('a dry run reports WOULD_CREATE and writes nothing', async () => {
    const before = (await app.store.readAll()).length;
    const result = (await app.gql(IMPORT, { csv: GOOD, dryRun: true }, acme.token)).data?.importUsers;
    expect(result).toMatchObject({ created: 0, rejected: 0 });
    expect(result.rows.map((r: any) => r.status)).toEqual(['WOULD_CREATE', 'WOULD_CREATE', 'WOULD_CREATE']);
    expect((await app.store.readAll()).length).toBe(before);
    expect((await app.gql(USERS, { search: '20' }, acme.token)).data?.users.totalCount).toBe(0);
  });

  it('importing the same file twice creates nothing the second time', async () => {
    await app.gql(IMPORT, { csv: GOOD }, acme.token);
    const again = (await app.gql(IMPORT, { csv: GOOD }, acme.token)).data?.importUsers;
    expect(again).toMatchObject({ created: 0, rejected: 3 });
    expect(again.rows[0].errors).toEqual([
      { field: 'extension', messages: ['Extension 201 is already taken in this organization.'] },
    ]);
  });

  it('rejects each bad row with the words createUser uses, naming the column, and creates the rest', async () => {
    await createUser(app, acme.token, { name: 'Taken', extension: '305', email: 'taken@acme.example' });
    const csv = [
      'name,extension,email,secondary email,role',
      'Good One,301,good@acme.example,,',
      ',302,nobody@acme.example,,', // no name
      'Bad Ext,3,bad@acme.example,,',
      'Bad Mail,303,not-an-address,,',
      'Twice,301,twice@acme.example,,', // extension already on line 2
      'Bad Second,306,b2@acme.example,nope,',
      'Same Second,307,same@acme.example,same@acme.example,',
      'Bad Role,308,role@acme.example,,boss',
      'Taken Ext,305,t2@acme.example,,',
    ].join('\n');
    const result = (await app.gql(IMPORT, { csv }, acme.token)).data?.importUsers;
    expect(result).toMatchObject({ created: 1, rejected: 8 });
    const byLine = Object.fromEntries(result.rows.map((r: any) => [r.line, r.errors]));
    expect(byLine[2]).toEqual([]);
    expect(byLine[3]).toEqual([{ field: 'name', messages: ['Enter a name of 1 to 100 characters.'] }]);
    expect(byLine[4]).toEqual([{ field: 'extension', messages: ['An extension is 2 to 10 digits.'] }]);
    expect(byLine[5]).toEqual([{ field: 'email', messages: ['Enter an email address like name@example.com.'] }]);
    expect(byLine[6]).toEqual([{ field: 'extension', messages: ['Extension 301 is already on line 2.'] }]);
    expect(byLine[7]).toEqual([
      { field: 'secondary email', messages: ['Enter an email address like name@example.com.'] },
    ]);
    expect(byLine[8]).toEqual([
      { field: 'secondary email', messages: ['The second email must differ from the designated email.'] },
    ]);
    expect(byLine[9]).toEqual([{ field: 'role', messages: ['Choose a role: user, office manager or auditor.'] }]);
    expect(byLine[10]).toEqual([
      { field: 'extension', messages: ['Extension 305 is already taken in this organization.'] },
    ]);
  });

  it('refuses a file with a problem as a whole, naming csv, and creates nothing', async () => {
    const before = (await app.store.readAll()).length;
    for (const csv of [
      '',
      'name,email\nA,a@x.example',
      'name,extension,email,department\nA,101,a@x.example,Sales',
      'name,extension,email',
    ]) {
      expect(badFieldsOf(await app.gql(IMPORT, { csv }, acme.token))).toEqual(['csv']);
    }
    expect((await app.store.readAll()).length).toBe(before);
  });

  it('refuses more than IMPORT_MAX_ROWS rows', async () => {
    await app.stop();
    app = await createTestApp({ importMaxRows: 2 });
    acme = await app.organization('acme');
    const result = await app.gql(IMPORT, { csv: GOOD }, acme.token);
    expect(result.errors?.[0]?.extensions?.fields).toEqual({ csv: ['The file has 3 rows; import at most 2 at once.'] });
  });

  it('sends welcome emails to the created users in the same action, followed by bulkWelcomeProgress', async () => {
    const result = (await app.gql(IMPORT, { csv: GOOD, sendWelcome: true }, acme.token)).data?.importUsers;
    expect(result.created).toBe(3);
    expect(result.bulkId).toBeTruthy();
    const done = await eventually(async () => {
      const progress = (await app.gql(PROGRESS, { id: result.bulkId }, acme.token)).data?.bulkWelcomeProgress;
      return progress?.delivered === 3 ? progress : undefined;
    }, 'the three welcome emails');
    expect(done).toEqual({ total: 3, pending: 0, delivered: 3, failed: 0 });
    const welcomed = app.outbox().filter((m) => m.kind === 'welcome' && m.to.includes('zoe@acme.example'));
    expect(welcomed[0]!.to).toEqual(['zoe@acme.example', 'zoe@home.example']);
  });

  it('is FORBIDDEN to a user who is not an office manager', async () => {
    const ben = await activeUser(app, acme.token, { name: 'Ben', extension: '101', email: 'ben@acme.example' });
    expect(codesOf(await app.gql(IMPORT, { csv: GOOD }, ben.token))).toEqual(['FORBIDDEN']);
  });
});
