import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KeyturnError } from '../../errors.js';
import { parseUserCsv } from './userCsv.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function fileProblem(text: string, maxRows = 100): string {
  try {
    parseUserCsv(text, maxRows);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyturnError);
    expect((error as KeyturnError).code).toBe('BAD_USER_INPUT');
    return (error as KeyturnError).fields!.csv![0]!;
  }
  return expect.fail('expected a problem with the whole file');
}

describe('given a file exported by French-Canadian Excel (BOM, CRLF, ";", accents, blank trailing lines)', () => {
  it('reads every row, with its spreadsheet line number', () => {
    expect(parseUserCsv(fixture('excel-fr-ca.csv'), 100)).toEqual([
      {
        line: 2,
        name: 'Tremblay, Zoë',
        extension: '101',
        email: 'zoe@quebec.example',
        role: 'OFFICE_MANAGER',
        roleText: 'Office manager',
      },
      {
        line: 3,
        name: 'Jean-François Québec',
        extension: '102',
        email: 'jf@quebec.example',
        secondaryEmail: 'jf.perso@example.ca',
        role: 'USER',
        roleText: 'user',
      },
    ]);
  });
});

describe('given a file from Google Sheets (LF, columns in another order, quotes inside quotes, an empty row)', () => {
  it('maps columns by header name, in any case, and skips rows of empty cells', () => {
    expect(parseUserCsv(fixture('google-sheets.csv'), 100)).toEqual([
      {
        line: 2,
        name: 'Ann "Annie" Lee',
        extension: '201',
        email: 'ann@acme.example',
        role: 'AUDITOR',
        roleText: 'AUDITOR',
      },
      { line: 3, name: 'Bo, Jr.', extension: '202', email: 'bo@acme.example', role: 'USER', roleText: '' },
    ]);
  });
});

describe('given a file from LibreOffice with a line break inside a cell', () => {
  it('keeps the cell whole and numbers the next row as the spreadsheet does', () => {
    const rows = parseUserCsv(fixture('libreoffice-multiline.csv'), 100);
    expect(rows.map((r) => [r.line, r.name])).toEqual([
      [2, 'Line one\nline two'],
      [4, 'Plain'],
    ]);
  });
});

describe('rows', () => {
  it('an unknown role is left for the row to be rejected, not the file', () => {
    const [row] = parseUserCsv('name,extension,email,role\nAl,101,al@x.example,boss\n', 10);
    expect(row).toMatchObject({ role: undefined, roleText: 'boss' });
  });

  it('ignores the problem column of a rejected-rows download, so the fixed file imports as it is', () => {
    const [row] = parseUserCsv('name,extension,email,problem\nAl,101,al@x.example,"email: Enter an email address"\n', 10);
    expect(row).toMatchObject({ name: 'Al', extension: '101', email: 'al@x.example' });
  });

  it('header names ignore case, spaces and underscores', () => {
    expect(
      parseUserCsv('NAME ,  extension,EMAIL,SECONDARY_EMAIL\nAl,101,al@x.example,b@x.example\n', 10)[0],
    ).toMatchObject({
      secondaryEmail: 'b@x.example',
    });
  });
});

describe('a problem with the whole file is one error naming csv', () => {
  it('an empty file', () => {
    expect(fileProblem('')).toMatch(/empty/);
    expect(fileProblem('\uFEFF\r\n\r\n')).toMatch(/empty/);
  });

  it('a header and no users', () => {
    expect(fileProblem('name,extension,email\r\n')).toMatch(/no users/);
  });

  it('a missing required column, named', () => {
    expect(fileProblem('name,email\nAl,al@x.example\n')).toBe(
      'The file has no extension column. The first line must name the columns.',
    );
  });

  it('an unknown column, named', () => {
    expect(fileProblem('name,extension,email,department\nAl,101,al@x.example,Sales\n')).toMatch(
      /Unknown column: "department"/,
    );
  });

  it('a column twice', () => {
    expect(fileProblem('name,extension,email,Email\nAl,101,a@x.example,b@x.example\n')).toMatch(
      /"email" appears twice/,
    );
  });

  it('more rows than allowed', () => {
    const text =
      'name,extension,email\n' + Array.from({ length: 4 }, (_, i) => `U${i},${100 + i},u${i}@x.example`).join('\n');
    expect(fileProblem(text, 3)).toBe('The file has 4 rows; import at most 3 at once.');
  });

  it('more than 5 MB', () => {
    expect(fileProblem('name,extension,email\n' + 'x'.repeat(5 * 1024 * 1024))).toMatch(/larger than 5 MB/);
  });

  it('an unclosed quote', () => {
    expect(fileProblem('name,extension,email\n"Al,101,al@x.example\n')).toMatch(/not valid CSV/);
  });
});
