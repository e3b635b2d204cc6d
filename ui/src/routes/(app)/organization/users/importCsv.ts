import { parse } from 'csv-parse/browser/esm/sync';
import { stringify } from 'csv-stringify/browser/esm/sync';

/** A column the import knows, by its normalised header (core/accounts/import/userCsv.ts). */
export type ImportColumn = 'name' | 'extension' | 'email' | 'secondary email' | 'role';

/** The limit of the server (`IMPORT_MAX_BYTES`): said before the file travels. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The picked file as its author wrote it: the header as typed and each data row's cells, keyed by
 * the line a spreadsheet shows — the `line` the server answers each row with.
 */
export interface PickedCsv {
  delimiter: ',' | ';';
  header: string[];
  rows: Map<number, string[]>;
}

/** "Secondary  Email", "secondary_email" and "SECONDARY EMAIL" are one header, as on the server. */
const headerKey = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

/** The server's choice of delimiter: `;` when the header holds more of them than commas. */
function delimiterOf(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\n|$/));
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/**
 * Reads the file the way `parseUserCsv` on the server does — same library, same options, same line
 * counting (userCsv.unit.spec.ts holds the two together) — so a row of the answer finds its cells
 * here by line. Undefined when it is no CSV at all: the server's answer then says why.
 */
export function readPickedCsv(file: string): PickedCsv | undefined {
  const text = file.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const delimiter = delimiterOf(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
    }) as unknown as typeof records;
  } catch {
    return undefined;
  }
  const [header, ...data] = records.filter((r) => r.record.some((cell) => cell !== ''));
  if (!header) return undefined;
  // A record ends on `info.lines`; it starts that many line breaks inside its cells earlier.
  const startLine = ({ record, info }: (typeof records)[number]) =>
    info.lines - record.reduce((breaks, cell) => breaks + (cell.match(/\n/g)?.length ?? 0), 0);
  return { delimiter, header: header.record, rows: new Map(data.map((r) => [startLine(r), r.record])) };
}

/** One cell of a data row by the column the import knows; '' when the file has no such column. */
export function cellOf(picked: PickedCsv | undefined, line: number, column: ImportColumn): string {
  if (!picked) return '';
  const index = picked.header.findIndex((h) => headerKey(h) === column);
  return index < 0 ? '' : (picked.rows.get(line)?.[index] ?? '');
}

export interface RowProblem {
  line: number;
  errors: { field: string; messages: string[] }[];
}

/** The column a problem is about, as a person reads it; `csv` is the row as a whole. */
export const fieldWords = (field: string) => (field === 'csv' ? 'row' : field);

/** "email: Enter a valid email address. role: Choose a role: user, office manager or auditor." */
export const problemText = (errors: RowProblem['errors']) =>
  errors.map((e) => `${fieldWords(e.field)}: ${e.messages.join(' ')}`).join(' ');

/**
 * The rejected rows as a file to fix and import again: the header and the cells as the author wrote
 * them, plus a `problem` column; the author's delimiter, a BOM so spreadsheets read it as UTF-8.
 * Cells are kept as written (no formula guard): they are the author's own and must import again.
 */
export function rejectedRowsCsv(picked: PickedCsv | undefined, rejected: RowProblem[]): string {
  const header = picked?.header ?? ['name', 'extension', 'email', 'secondary email', 'role'];
  const records = rejected.map((row) => {
    const cells = picked?.rows.get(row.line) ?? [];
    return [...header.map((_, i) => cells[i] ?? ''), problemText(row.errors)];
  });
  return stringify([[...header, 'problem'], ...records], {
    delimiter: picked?.delimiter ?? ',',
    bom: true,
    record_delimiter: 'windows',
  });
}

/** A file that imports as it is: every column, two people. */
export const sampleCsv = () =>
  stringify(
    [
      ['name', 'extension', 'email', 'secondary email', 'role'],
      ['Ann Lee', '201', 'ann.lee@example.com', '', 'user'],
      ['Ben Okafor', '202', 'ben.okafor@example.com', 'ben.okafor@example.net', 'office manager'],
    ],
    { record_delimiter: 'windows' },
  );

const users = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;
const rowsHave = (n: number) => `${n} ${n === 1 ? 'row has' : 'rows have'} problems`;

/** "196 users will be created, 4 rows have problems." */
export function previewWords(willCreate: number, rejected: number): string {
  if (willCreate === 0)
    return `No user can be created: ${rejected === 0 ? 'the file has no rows' : rowsHave(rejected)}.`;
  return rejected === 0
    ? `${users(willCreate)} will be created.`
    : `${users(willCreate)} will be created, ${rowsHave(rejected)}.`;
}

/** "Import 196 users" */
export const importWords = (willCreate: number) => `Import ${users(willCreate)}`;

/** "Created 196 users; 4 rows were not imported." */
export function resultWords(created: number, rejected: number): string {
  const made = created === 0 ? 'No user was created' : `Created ${users(created)}`;
  if (rejected === 0) return `${made}.`;
  return `${made}; ${rejected} ${rejected === 1 ? 'row was' : 'rows were'} not imported.`;
}

/** `staff.csv` → `staff-rejected.csv` */
export const rejectedFileName = (fileName: string) => `${fileName.replace(/\.csv$/i, '') || 'import'}-rejected.csv`;
