import { actorWords } from './actorWords';
import { eventName, rowDetails, visibleData } from './eventWords';

export interface AuditRow {
  type: string;
  occurredAt: string;
  actorName: string;
  userName: string | null;
  userExtension: string | null;
  data: Record<string, unknown>;
}

// Quote every cell; a leading = + - @ would make a spreadsheet run the cell as a formula.
const cell = (value: string) => `"${(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value).replace(/"/g, '""')}"`;

/** The history as CSV: times in UTC (ISO 8601), the words of the page, and the raw type and data. */
export function toCsv(rows: AuditRow[]): string {
  const header = ['When (UTC)', 'Who', 'User', 'Extension', 'Event', 'Details', 'Event type', 'Data'];
  const lines = rows.map((r) =>
    [
      r.occurredAt,
      actorWords(r),
      r.userName ?? '',
      r.userExtension ?? '',
      eventName(r.type),
      rowDetails(r),
      r.type,
      JSON.stringify(visibleData(r.data)),
    ]
      .map(cell)
      .join(','),
  );
  return [header.map(cell).join(','), ...lines].join('\r\n') + '\r\n';
}
