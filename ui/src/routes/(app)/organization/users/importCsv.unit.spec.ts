import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'csv-parse/browser/esm/sync';
import { describe, expect, it } from 'vitest';
import { parseUserCsv } from '../../../../../../core/accounts/import/userCsv.js';
import { cellOf, previewWords, readPickedCsv, rejectedRowsCsv, resultWords, sampleCsv } from './importCsv';

const fixtures = new URL('../../../../../../core/accounts/import/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

describe('given the spreadsheet exports the server is tested with', () => {
  // The preview shows a row's cells by the line the server answers with: both must count alike.
  it.each(readdirSync(fixtures))('reads %s into the rows and lines the server reads', (name) => {
    const server = parseUserCsv(fixture(name), 100);
    const picked = readPickedCsv(fixture(name));
    expect([...picked!.rows.keys()]).toEqual(server.map((row) => row.line));
    for (const row of server) {
      expect(cellOf(picked, row.line, 'name')).toBe(row.name);
      expect(cellOf(picked, row.line, 'email')).toBe(row.email);
    }
  });
});

describe('given rejected rows of a file', () => {
  const file = [
    'Name;Extension;Email',
    '"Tremblay; Zoë";101;zoe@quebec',
    'Plain;102;plain@acme.example',
    '"Ann ""A"" Lee";1;ann@acme.example',
  ].join('\r\n');
  const csv = rejectedRowsCsv(readPickedCsv(file), [
    { line: 2, errors: [{ field: 'email', messages: ['Enter a valid email address.'] }] },
    {
      line: 4,
      errors: [
        { field: 'extension', messages: ['An extension is 2 to 10 digits.'] },
        { field: 'csv', messages: ['This row could not be recorded; import it again.'] },
      ],
    },
  ]);

  it('gives back only those rows, cells as written, with a problem column, in the file’s own delimiter', () => {
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const records = parse(csv, { bom: true, delimiter: ';' }) as string[][];
    expect(records).toEqual([
      ['Name', 'Extension', 'Email', 'problem'],
      ['Tremblay; Zoë', '101', 'zoe@quebec', 'email: Enter a valid email address.'],
      [
        'Ann "A" Lee',
        '1',
        'ann@acme.example',
        'extension: An extension is 2 to 10 digits. row: This row could not be recorded; import it again.',
      ],
    ]);
  });
});

describe('given the sample file', () => {
  it('names every column in the header and imports as it is', () => {
    const sample = sampleCsv();
    expect(sample.split('\r\n')[0]).toBe('name,extension,email,secondary email,role');
    expect(parseUserCsv(sample, 100).map((row) => [row.line, row.role])).toEqual([
      [2, 'USER'],
      [3, 'OFFICE_MANAGER'],
    ]);
  });
});

describe('given the counts of a preview and of an import', () => {
  it('says them in words', () => {
    expect(previewWords(196, 4)).toBe('196 users will be created, 4 rows have problems.');
    expect(previewWords(1, 1)).toBe('1 user will be created, 1 row has problems.');
    expect(previewWords(3, 0)).toBe('3 users will be created.');
    expect(previewWords(0, 2)).toBe('No user can be created: 2 rows have problems.');
    expect(resultWords(196, 4)).toBe('Created 196 users; 4 rows were not imported.');
    expect(resultWords(1, 0)).toBe('Created 1 user.');
  });
});
