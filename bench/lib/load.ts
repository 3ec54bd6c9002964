// HTTP load on loopback with autocannon, bounded in time, and sequential latency sampling.
import autocannon from "autocannon";

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
  /** Headers for each request (e.g. a different client address per request). */
  perRequest?: () => Record<string, string>;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    requests: options.perRequest
      ? [
          {
            method: options.method ?? "GET",
            body: options.body,
            setupRequest: (request: Record<string, unknown>) => ({
              ...request,
              headers: { ...(request.headers as Record<string, string>), ...options.headers, ...options.perRequest!() },
            }),
          },
        ]
      : undefined,
  } as autocannon.Options);
  const statusCodes: Record<string, number> = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (count as { count: number }).count;
  return {
    // Completed requests over the measured time (autocannon's average of per-second counts).
    requestsPerSecond: result.requests.total / (result.duration || options.durationSeconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes,
  };
}

/** Sequential requests: the latency one visitor sees, in milliseconds, one sample per request. */
export async function sampleLatency(url: string, count: number, headers: Record<string, string> = {}): Promise<{ samples: number[]; statuses: Set<number> }> {
  const samples: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    statuses.add(response.status);
  }
  return { samples, statuses };
}
