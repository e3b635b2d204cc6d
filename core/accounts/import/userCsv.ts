import { parse } from 'csv-parse/sync';
import { badInput } from '../../errors.js';
import type { Role } from '../events.js';

/** A CSV column the import knows, by its normalised header. */
export type ImportColumn = 'name' | 'extension' | 'email' | 'secondary email' | 'role';

const REQUIRED: readonly ImportColumn[] = ['name', 'extension', 'email'];
/** `problem`: the column of a "rejected rows" download, so a fixed file can be imported as it is. */
const IGNORED = new Set<string>(['problem']);
const KNOWN = new Set<string>([...REQUIRED, 'secondary email', 'role', ...IGNORED]);

export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

/** One data row as typed in the spreadsheet: trimmed text, nothing checked yet but the role. */
export interface CsvRow {
  /** the line number a spreadsheet shows (the header is line 1); a row with line breaks in a cell starts here */
  line: number;
  name: string;
  extension: string;
  email: string;
  secondaryEmail?: string;
  /** undefined when the cell says something that is no role */
  role: Role | undefined;
  /** the role cell as written, for the message */
  roleText: string;
}

const roleWords: Record<string, Role> = {
  user: 'USER',
  'office manager': 'OFFICE_MANAGER',
  auditor: 'AUDITOR',
};

/** "Secondary  Email", "secondary_email" and "SECONDARY EMAIL" are one header. */
const headerKey = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
const roleOf = (text: string): Role | undefined => (text === '' ? 'USER' : roleWords[headerKey(text)]);

const fileError = (message: string) => badInput({ csv: [message] }, message);

/**
 * French-Canadian Excel (and others in locales with a decimal comma) writes `;`: the header row
 * decides, since it holds no quoted commas in any file this import accepts.
 */
function delimiterOf(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\n|$/));
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/**
 * The line a record starts on: where it ends, minus the line breaks inside its cells (line endings
 * are LF by then, and a quoted cell keeps its breaks).
 */
const startLine = (endLine: number, record: string[]) =>
  endLine - record.reduce((breaks, cell) => breaks + (cell.match(/\n/g)?.length ?? 0), 0);

/**
 * Parses the text a spreadsheet exports (UTF-8 with or without BOM, CRLF or LF, quoted cells). A
 * problem with the whole file — no header, a missing or unknown column, too many rows — is one
 * BAD_USER_INPUT naming `csv`; problems of single rows are for the caller to judge, row by row.
 */
export function parseUserCsv(file: string, maxRows: number): CsvRow[] {
  if (Buffer.byteLength(file, 'utf8') > IMPORT_MAX_BYTES) {
    throw fileError('The file is larger than 5 MB. Split it into smaller files.');
  }
  // One line ending throughout, so line numbers count as a spreadsheet does (csv-parse counts CR and
  // LF of a CRLF inside a quoted cell as two lines); a cell's own line break becomes LF.
  const text = file.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, csv-parse returns `{ record, info }` per record; its types do not follow.
    records = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // a quote typed inside an unquoted cell (Ann "Annie" Lee) is text, as a spreadsheet shows it
      relax_quotes: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    const where = (error as { lines?: number }).lines;
    throw fileError(`The file is not valid CSV${where ? ` (near line ${where})` : ''}: check for an unclosed quote.`);
  }
  // A row of empty cells (a spreadsheet's trailing ",,,") is no row.
  const [header, ...rows] = records.filter((r) => r.record.some((cell) => cell !== ''));
  if (!header) throw fileError('The file is empty. Its first line must name the columns: name, extension, email.');
  const columns = header.record.map(headerKey);
  const unknown = columns.filter((c) => !KNOWN.has(c));
  if (unknown.length > 0) {
    throw fileError(
      `Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((c) => `"${c}"`).join(', ')}. The columns are name, extension, email, secondary email and role.`,
    );
  }
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0)
    throw fileError(`The file has no ${missing.join(', ')} column. The first line must name the columns.`);
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (twice.length > 0) throw fileError(`The column "${twice[0]}" appears twice.`);
  if (rows.length === 0) throw fileError('The file has a header but no users.');
  if (rows.length > maxRows) throw fileError(`The file has ${rows.length} rows; import at most ${maxRows} at once.`);
  const index = (c: ImportColumn) => columns.indexOf(c);
  const cell = (record: string[], c: ImportColumn) => (index(c) < 0 ? '' : (record[index(c)] ?? ''));
  return rows.map(({ record, info }) => {
    const roleText = cell(record, 'role');
    const secondaryEmail = cell(record, 'secondary email');
    return {
      line: startLine(info.lines, record),
      name: cell(record, 'name'),
      extension: cell(record, 'extension'),
      email: cell(record, 'email'),
      ...(secondaryEmail ? { secondaryEmail } : {}),
      role: roleOf(roleText),
      roleText,
    };
  });
}
