import type { AccountStatus } from '$lib/status';

/**
 * What the status filter of the list can hold: a status, or "invite pending, link expires soon"
 * (the API's `expiresSoon`, INVITE_REMINDER_BEFORE). The address says it as `?status=EXPIRES_SOON`.
 */
export type StatusChoice = AccountStatus | 'EXPIRES_SOON';

const choices: readonly StatusChoice[] = [
  'NOT_INVITED',
  'INVITED',
  'EXPIRES_SOON',
  'INVITE_EXPIRED',
  'ACTIVE',
  'DEACTIVATED',
];

export const statusChoiceOf = (value: string | null): StatusChoice | undefined => choices.find((c) => c === value);

export interface UsersFilter {
  q: string;
  status: StatusChoice | undefined;
}

/**
 * The filter as the API takes it, for the list (`users`) and for "all matching" of a bulk action
 * (`UserFilter`) alike: one translation, so a bulk action reaches exactly the users the list shows.
 */
export function apiFilter({ q, status }: UsersFilter): {
  search?: string;
  status?: AccountStatus[];
  expiresSoon?: boolean;
} {
  return {
    search: q || undefined,
    ...(status === 'EXPIRES_SOON' ? { expiresSoon: true } : status ? { status: [status] } : {}),
  };
}
