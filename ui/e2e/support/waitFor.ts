/**
 * Polls `read` until it answers something truthy. Tests wait for a state (an email in the outbox,
 * a link the server calls expired), never for a fixed time.
 */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 100, what }: { timeoutMs?: number; intervalMs?: number; what: () => string },
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
