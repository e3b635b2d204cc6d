import { toNewEvents } from '../../commandHandler.js';
import { metadataFor, newId, type CoreDeps, type RequestContext } from '../../context.js';
import { KeyturnError, type FieldErrors } from '../../errors.js';
import type { EventMetadata, ExpectedRevision, Position, StreamAppend } from '../../eventStore/eventStore.js';
import { loadOrganization } from '../../organizations/registerOrganization.js';
import { extensionReservationStream, ownerOf } from '../../reservations.js';
import { EMAIL_MESSAGE, isEmail, normalizeEmail } from '../../validation.js';
import { assertCanManage, decideAccount, evolveAccount, initialAccountState, type AccountCommand } from '../account.js';
import { accountStream, type AccountEvent } from '../events.js';
import { sendWelcomeEmails } from '../onboarding.js';
import { parseUserCsv, type CsvRow } from './userCsv.js';

export type ImportRowStatus = 'CREATED' | 'WOULD_CREATE' | 'REJECTED';

export interface ImportRowResult {
  line: number;
  status: ImportRowStatus;
  userId?: string;
  loginName?: string;
  /** by CSV column, in the words `createUser` uses */
  errors: FieldErrors;
}

export interface ImportOutcome {
  created: number;
  rejected: number;
  rows: ImportRowResult[];
  /** the bulk welcome that followed, when asked for */
  bulkId?: string;
  position?: Position;
}

export interface ImportOptions {
  dryRun: boolean;
  sendWelcome: boolean;
  maxRows: number;
}

interface Planned {
  row: CsvRow;
  accountId: string;
  loginName: string;
  events: AccountEvent[];
  reservation: ExpectedRevision;
}

const ROLE_MESSAGE = 'Choose a role: user, office manager or auditor.';
const taken = (extension: string) => `Extension ${extension} is already taken in this organization.`;

/**
 * Imports a spreadsheet of users: every row is judged by the account decider as `createUser` would
 * judge it, then the valid rows are recorded in two batched appends — the extension reservations
 * first, then the accounts whose reservation held — instead of one commit per row. A dry run stops
 * before writing anything.
 */
export async function importUsers(
  deps: CoreDeps,
  ctx: RequestContext,
  organizationId: string,
  csv: string,
  options: ImportOptions,
): Promise<ImportOutcome> {
  assertCanManage(ctx.actor, organizationId);
  const rows = parseUserCsv(csv, options.maxRows);
  const organization = await loadOrganization(deps.store, organizationId);
  const metadata = metadataFor(deps, ctx, organizationId);
  const results = new Map<CsvRow, ImportRowResult>();
  const planned: Planned[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const { plan, errors } = judge(deps, ctx, row, organizationId, organization.domain, firstLineOf);
    if (plan) planned.push(plan);
    else results.set(row, { line: row.line, status: 'REJECTED', errors });
  }
  const reservations = await deps.store.readStreams(
    planned.map((p) => extensionReservationStream(organizationId, p.row.extension)),
  );
  const free = planned.filter((p) => {
    const last = reservations.get(extensionReservationStream(organizationId, p.row.extension))?.at(-1);
    if (ownerOf(last) !== undefined) {
      results.set(p.row, { line: p.row.line, status: 'REJECTED', errors: { extension: [taken(p.row.extension)] } });
      return false;
    }
    p.reservation = last ? last.revision : 'no_stream';
    return true;
  });
  const { accepted, position } = options.dryRun
    ? { accepted: free, position: undefined }
    : await record(deps, organizationId, free, metadata, results);
  for (const p of accepted) {
    results.set(p.row, {
      line: p.row.line,
      status: options.dryRun ? 'WOULD_CREATE' : 'CREATED',
      userId: p.accountId,
      loginName: p.loginName,
      errors: {},
    });
  }
  const ordered = rows.map((row) => results.get(row)!);
  const outcome: ImportOutcome = {
    created: options.dryRun ? 0 : accepted.length,
    rejected: ordered.filter((r) => r.status === 'REJECTED').length,
    rows: ordered,
  };
  if (options.dryRun || !options.sendWelcome || accepted.length === 0) return { ...outcome, position };
  const welcome = await sendWelcomeEmails(
    deps,
    ctx,
    organizationId,
    accepted.map((p) => p.accountId),
  );
  return { ...outcome, bulkId: welcome.bulkId, position: welcome.position ?? position };
}

/** One row through the decider (and the file's own rule: one extension, one row). */
function judge(
  deps: CoreDeps,
  ctx: RequestContext,
  row: CsvRow,
  organizationId: string,
  domain: string,
  firstLineOf: Map<string, number>,
): { plan?: Planned; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const accountId = newId(deps);
  const loginName = `${row.extension}@${domain}`;
  const email = normalizeEmail(row.email);
  const open: AccountCommand = {
    type: 'OpenAccount',
    actor: ctx.actor,
    data: {
      accountId,
      organizationId,
      name: row.name,
      extension: row.extension,
      loginName,
      email,
      role: row.role ?? 'USER',
    },
  };
  let events: AccountEvent[] = [];
  try {
    events = decideAccount(open, initialAccountState());
  } catch (error) {
    if (!(error instanceof KeyturnError) || !error.fields) throw error;
    Object.assign(errors, error.fields);
  }
  if (row.role === undefined) errors.role = [ROLE_MESSAGE];
  if (row.secondaryEmail !== undefined && events.length > 0) {
    const secondary = normalizeEmail(row.secondaryEmail);
    try {
      const state = events.reduce(evolveAccount, initialAccountState());
      events = [
        ...events,
        ...decideAccount(
          { type: 'AddSecondaryEmail', actor: ctx.actor, data: { email: secondary, noticeId: newId(deps) } },
          state,
        ),
      ];
    } catch (error) {
      if (!(error instanceof KeyturnError) || !error.fields) throw error;
      errors['secondary email'] = error.fields.email ?? [EMAIL_MESSAGE];
    }
  } else if (row.secondaryEmail !== undefined && !isEmail(normalizeEmail(row.secondaryEmail))) {
    errors['secondary email'] = [EMAIL_MESSAGE];
  }
  // The first row with an extension holds it, whatever else is wrong with it: fixing that row must
  // not make a later one collide.
  if (!errors.extension) {
    const first = firstLineOf.get(row.extension);
    if (first !== undefined) errors.extension = [`Extension ${row.extension} is already on line ${first}.`];
    else firstLineOf.set(row.extension, row.line);
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { plan: { row, accountId, loginName, events, reservation: 'no_stream' }, errors };
}

/** Reservations in one append, then the accounts whose reservation held in another. */
async function record(
  deps: CoreDeps,
  organizationId: string,
  free: Planned[],
  metadata: EventMetadata,
  results: Map<CsvRow, ImportRowResult>,
): Promise<{ accepted: Planned[]; position?: Position }> {
  let position: Position | undefined;
  const reserveAppends: StreamAppend[] = free.map((p) => ({
    streamName: extensionReservationStream(organizationId, p.row.extension),
    events: toNewEvents([{ type: 'ExtensionReserved', data: { ownerId: p.accountId } }], metadata),
    expectedRevision: p.reservation,
  }));
  const reserved = await deps.store.appendBatch(reserveAppends);
  const held = free.filter((p, i) => {
    if (reserved[i]!.ok) return true;
    // Taken by someone else between the check and the append.
    results.set(p.row, { line: p.row.line, status: 'REJECTED', errors: { extension: [taken(p.row.extension)] } });
    return false;
  });
  const opened = await deps.store.appendBatch(
    held.map((p) => ({
      streamName: accountStream(p.accountId),
      events: toNewEvents(p.events, metadata),
      expectedRevision: 'no_stream' as const,
    })),
  );
  const accepted = held.filter((p, i) => {
    const outcome = opened[i]!;
    if (outcome.ok) {
      position = outcome.result.position;
      return true;
    }
    // A fresh account id cannot exist; should the store refuse anyway, the row says so and the
    // reservation, owned by no account, is taken over by the next create a minute later.
    results.set(p.row, {
      line: p.row.line,
      status: 'REJECTED',
      errors: { csv: ['This row could not be recorded; import it again.'] },
    });
    return false;
  });
  return { accepted, position };
}
