import { SvelteSet } from 'svelte/reactivity';

/**
 * Ticked users of the current search: single ids (kept across pages), or "every user matching the
 * search", which the server resolves itself so thousands of ids never travel.
 */
export class Selection {
  ids = new SvelteSet<string>();
  allMatching = $state(false);

  get empty() {
    return !this.allMatching && this.ids.size === 0;
  }

  count(totalCount: number) {
    return this.allMatching ? totalCount : this.ids.size;
  }

  /** `pageIds`: unticking one row of "all matching" keeps the rest of the visible page ticked. */
  toggle(id: string, on: boolean, pageIds: string[]) {
    if (this.allMatching) {
      this.allMatching = false;
      for (const pageId of pageIds) this.ids.add(pageId);
    }
    if (on) this.ids.add(id);
    else this.ids.delete(id);
  }

  setPage(ids: string[], on: boolean) {
    this.allMatching = false;
    for (const id of ids) {
      if (on) this.ids.add(id);
      else this.ids.delete(id);
    }
  }

  clear() {
    this.allMatching = false;
    this.ids.clear();
  }
}
