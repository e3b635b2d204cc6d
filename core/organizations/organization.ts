import type { Actor } from '../actor.js';
import { actorId } from '../actor.js';
import { KeyturnError, badInput } from '../errors.js';
import { DOMAIN_MESSAGE, DOMAIN_PATTERN, NAME_MAX_LENGTH } from '../validation.js';

export type OrganizationEvent = {
  type: 'OrganizationRegistered';
  data: { organizationId: string; name: string; domain: string; registeredBy: string };
};

export type OrganizationState =
  | { status: 'absent' }
  | { status: 'registered'; id: string; name: string; domain: string };

export type OrganizationCommand = {
  type: 'RegisterOrganization';
  actor: Actor;
  data: { organizationId: string; name: string; domain: string };
};

export const organizationStream = (organizationId: string) => `organization-${organizationId}`;
export const initialOrganizationState = (): OrganizationState => ({ status: 'absent' });

/** Organizations are registered by the operator (CLI, seed), never through the API. */
export function decideOrganization(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  if (command.actor.kind !== 'system') throw new KeyturnError('FORBIDDEN', 'Only the operator registers organizations.');
  if (state.status !== 'absent') throw new KeyturnError('CONFLICT', 'This organization exists already.');
  const { organizationId, name, domain } = command.data;
  const fields: Record<string, string[]> = {};
  if (name.trim().length === 0 || [...name.trim()].length > NAME_MAX_LENGTH) fields.name = [`Enter a name of 1 to ${NAME_MAX_LENGTH} characters.`];
  if (!DOMAIN_PATTERN.test(domain)) fields.domain = [DOMAIN_MESSAGE];
  if (Object.keys(fields).length > 0) throw badInput(fields);
  return [
    { type: 'OrganizationRegistered', data: { organizationId, name: name.trim(), domain, registeredBy: actorId(command.actor) } },
  ];
}

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case 'OrganizationRegistered':
      return { status: 'registered', id: event.data.organizationId, name: event.data.name, domain: event.data.domain };
    default: {
      // A type from a newer version changes nothing this one knows about.
      const _unknown: never = event.type;
      return state;
    }
  }
}
