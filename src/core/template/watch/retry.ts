// consul-template's RetryConfig.RetryFunc (config/retry.go): exponential backoff from `backoff`,
// capped at `max_backoff`, for at most `attempts` retries (0 = forever).
export interface RetryPolicy {
  enabled: boolean;
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { enabled: true, attempts: 12, backoffMs: 250, maxBackoffMs: 60_000 };

/** [retry?, sleep ms] for the given 0-based retry number. */
export function retryDelay(policy: RetryPolicy, retry: number): [boolean, number] {
  if (!policy.enabled) return [false, 0];
  if (policy.attempts > 0 && retry > policy.attempts - 1) return [false, 0];
  const base = Math.max(1, policy.backoffMs);
  if (policy.maxBackoffMs > 0) {
    const untilMax = Math.floor(Math.log2(policy.maxBackoffMs / base));
    if (retry > untilMax) return [true, policy.maxBackoffMs];
  }
  return [true, 2 ** retry * base];
}
