import { SYSTEM } from '../actor.js';
import { handleCommand, loadState, type Decider } from '../commandHandler.js';
import { metadataFor, newId, type CoreDeps } from '../context.js';
import { KeyturnError } from '../errors.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { domainReservationStream, reservationOwner, reserve } from '../reservations.js';
import {
  decideOrganization,
  evolveOrganization,
  initialOrganizationState,
  organizationStream,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationState,
} from './organization.js';

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
};

export async function loadOrganization(store: EventStore, organizationId: string) {
  const { state } = await loadState(store, organizationStream(organizationId), organizationDecider);
  if (state.status === 'absent') throw new KeyturnError('NOT_FOUND', 'No such organization.');
  return state;
}

export async function organizationIdOfDomain(store: EventStore, domain: string) {
  return reservationOwner(store, domainReservationStream(domain));
}

/** Operator action (CLI, demo seed): validate, reserve the domain, then record the organization. */
export async function registerOrganization(deps: CoreDeps, input: { name: string; domain: string }) {
  const organizationId = newId(deps);
  const command: OrganizationCommand = { type: 'RegisterOrganization', actor: SYSTEM, data: { organizationId, ...input } };
  decideOrganization(command, initialOrganizationState()); // validates before anything is written
  const metadata = metadataFor(deps, { actor: SYSTEM }, organizationId);
  await reserve(
    deps.store,
    domainReservationStream(input.domain),
    { type: 'DomainReserved', ownerId: organizationId },
    metadata,
    async (owner) => (await deps.store.readStream(organizationStream(owner))).length > 0,
    `The domain "${input.domain}" is taken by another organization.`,
  );
  await handleCommand(deps.store, organizationStream(organizationId), organizationDecider, command, metadata);
  return { organizationId };
}
