// Waiting for a condition another process reaches on its own time (authgate noticing that the
// IdP went down, a server coming back), without fixed sleeps: ask again every `intervalMs` until
// the answer satisfies `until` or `timeoutMs` passes.
//
//   const answer = await pollUntil(() => request(url), {
//     until: (r) => r.status === 503,
//     describe: (r) => `HTTP ${r.status}`,
//     what: 'authgate to notice that the IdP is down',
//   });

// Returns the first value of `probe()` for which `until(value)` is true (default: any truthy
// value). When the time is up, throws naming `what` and the last value (through `describe`).
// A probe that throws fails the wait at once.
export async function pollUntil(
  probe,
  { until = Boolean, timeoutMs = 15000, intervalMs = 100, what = 'a condition', describe = String } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (until(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
