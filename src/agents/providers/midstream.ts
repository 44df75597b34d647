import { ProviderError, type TokenUsage } from "../types.ts";

/** One streamed attempt: what it returned, or how far it got before it failed. */
export interface StreamAttempt<T> {
  run(signal: AbortSignal | undefined): Promise<T>;
  /** Usage the attempt had streamed so far (message_start's input, the output deltas). */
  usage(): TokenUsage;
  /** True once the server answered 200 and began streaming: the SDK's own retries are over by then. */
  started(): boolean;
}

export const addTokens = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  input_tokens: a.input_tokens + b.input_tokens,
  output_tokens: a.output_tokens + b.output_tokens,
  cache_read_tokens: (a.cache_read_tokens ?? 0) + (b.cache_read_tokens ?? 0),
  cache_write_tokens: (a.cache_write_tokens ?? 0) + (b.cache_write_tokens ?? 0),
  ...(b.service_tier ?? a.service_tier ? { service_tier: b.service_tier ?? a.service_tier } : {}),
});

const zero = (): TokenUsage => ({ input_tokens: 0, output_tokens: 0 });

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((ok) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      ok();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The SDKs retry a request only until the server answers; a turn that fails AFTER streaming
 * began (an `overloaded_error` SSE event after HTTP 200, a connection cut mid-stream) is retried
 * here: up to `retries` more times with exponential backoff. The tokens each failed attempt
 * streamed were paid for, so they are added to the result — or carried as the error's partial
 * usage when every attempt fails (then the fallback takes over as for any outage).
 */
export async function withMidStreamRetry<T extends { usage: TokenUsage }>(
  make: () => StreamAttempt<T>, opts: { retries: number; signal?: AbortSignal | undefined; toError: (err: unknown) => ProviderError; baseDelayMs?: number; onRetry?: (attempt: number, err: ProviderError) => void },
): Promise<T> {
  let paid = zero();
  for (let attempt = 0; ; attempt++) {
    const a = make();
    try {
      const res = await a.run(opts.signal);
      return { ...res, usage: addTokens(paid, res.usage) };
    } catch (raw) {
      const err = opts.toError(raw);
      const midStream = a.started() && err.kind !== "aborted" && !opts.signal?.aborted;
      if (a.started()) paid = addTokens(paid, a.usage());
      if (midStream && attempt < opts.retries && err.retryable) {
        opts.onRetry?.(attempt + 1, err);
        await sleep(Math.min(8000, (opts.baseDelayMs ?? 400) * 2 ** attempt), opts.signal);
        if (!opts.signal?.aborted) continue;
      }
      if (paid.input_tokens + paid.output_tokens > 0) err.partial = { usage: paid, transcript: [], turns: 0 };
      throw err;
    }
  }
}
