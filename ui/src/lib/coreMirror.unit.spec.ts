import { describe, expectTypeOf, it } from 'vitest';
import type { AccountEvent, AccountEventType, EmailKind as CoreEmailKind } from '../../../core/accounts/events.js';
import type { OrganizationEvent } from '../../../core/organizations/organization.js';
import type { AccountStatus as ReadModelStatus } from '../../../projections/readModel.js';
import type { AuditEventType, WithheldReason } from '../routes/(app)/audit/eventWords';
import type { AccountStatus, EmailKind } from './status';

type Withheld = Extract<AccountEvent, { type: 'EmailWithheld' }>['data'];

// The UI gets types and kinds as plain strings over GraphQL; its word maps are keyed by its own unions
// (`satisfies Record<…>`). These checks fail svelte-check (`npm run check:ui`) when core adds a type or a
// kind the UI has no words for — vitest only runs them as empty tests.
describe('given the events and email kinds of core', () => {
  it('has words for every stored event type of accounts and organizations', () => {
    expectTypeOf<AuditEventType>().toEqualTypeOf<AccountEventType | OrganizationEvent['type']>();
  });

  it('has words for every email kind, and for why an email was withheld', () => {
    expectTypeOf<EmailKind>().toEqualTypeOf<CoreEmailKind>();
    expectTypeOf<WithheldReason>().toEqualTypeOf<Withheld['reason']>();
  });

  it('has a name for every status the read model gives a user', () => {
    expectTypeOf<AccountStatus>().toEqualTypeOf<ReadModelStatus>();
  });
});
