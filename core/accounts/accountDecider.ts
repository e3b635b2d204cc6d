import type { Decider } from '../commandHandler.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { loadState } from '../commandHandler.js';
import {
  decideAccount,
  evolveAccount,
  initialAccountState,
  type AccountCommand,
  type AccountState,
} from './account.js';
import { accountStream, type AccountEvent } from './events.js';

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};

export const loadAccount = (store: EventStore, accountId: string) =>
  loadState(store, accountStream(accountId), accountDecider);
