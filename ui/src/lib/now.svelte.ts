/**
 * "Now" for relative times ("expires in 3 h 12 min"). Reading `value` gives the time of reading,
 * so text is fresh whenever what it shows changes; a tick every `intervalMs` makes it count down
 * while the page stays open. Use inside a component: the timer ends with it.
 */
export function currentTime(intervalMs = 30_000) {
  let tick = $state(0);
  $effect(() => {
    const timer = setInterval(() => tick++, intervalMs);
    return () => clearInterval(timer);
  });
  return {
    get value() {
      void tick;
      return new Date();
    },
  };
}
