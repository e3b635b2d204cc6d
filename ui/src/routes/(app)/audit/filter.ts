import { isAuditEventType } from './eventWords';

export interface AuditFilterParams {
  user?: string;
  type?: string;
  /** YYYY-MM-DD, the reader's own calendar day */
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readFilter(url: URL): AuditFilterParams {
  const get = (key: string) => url.searchParams.get(key)?.trim() || undefined;
  const day = (key: string) => {
    const value = get(key);
    return value && DAY.test(value) ? value : undefined;
  };
  const type = get('type');
  return {
    user: get('user'),
    type: type && isAuditEventType(type) ? type : undefined,
    from: day('from'),
    to: day('to'),
  };
}

/** The API filter: whole local days, from the first to the last millisecond. */
export function apiFilter(f: AuditFilterParams) {
  return {
    userId: f.user,
    types: f.type ? [f.type] : undefined,
    from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    to: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : undefined,
  };
}
