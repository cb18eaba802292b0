/**
 * The load bench's traffic, run as its own process so that generating load
 * does not share an event loop (or a core) with the latency probe:
 *
 *   node dist/bench/load-generator.js <url> <events/s> <seconds> <connections> <events per request>
 *
 * Posts login events to POST /api/v1/events with autocannon at a fixed
 * overall rate: 98 % successes from 50,000 users and addresses, 2 % failures
 * from 200 attacking addresses. Prints the result as one JSON line.
 *
 * autocannon limits a rate per second: each connection sends its quota as
 * fast as it can when a second starts, then waits for the next one, so one
 * instance delivers a whole second's load in a burst. To offer a steady rate,
 * the load is split over PHASES instances started 1/PHASES s apart, each with
 * 1/PHASES of the rate and connections: bursts of a tenth of a second's load,
 * ten times a second. Counts are summed; latency percentiles are the highest
 * of the instances'.
 */
import autocannon from 'autocannon';

const [url = '', rateText = '10000', secondsText = '60', connectionsText = '64', batchText = '1'] = process.argv.slice(2);
const batch = Number(batchText);
let n = 0;

function event(): Record<string, unknown> {
  n++;
  const failure = n % 50 === 0;
  return failure
    ? { eventType: 'LOGIN_FAILURE', sourceIp: `203.0.113.${(n / 50) % 200}`, username: `user${n % 997}`, reason: 'INVALID_PASSWORD', timestamp: Date.now() }
    : { eventType: 'LOGIN_SUCCESS', sourceIp: `10.${(n >> 16) & 3}.${(n >> 8) & 255}.${n & 255}`, username: `user${n % 50_000}`, timestamp: Date.now() };
}

const PHASES = 10;

interface Result {
  requests: { total: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: { p50: number; p99: number; max: number };
}

function instance(rate: number, connections: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/api/v1/events`,
        method: 'POST',
        connections,
        duration: Number(secondsText),
        overallRate: rate,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest(request) {
              const body = batch === 1 ? event() : Array.from({ length: batch }, event);
              return { ...request, body: JSON.stringify(body) };
            },
          },
        ],
      },
      (err, result) => (err === null ? resolve(result as unknown as Result) : reject(err)),
    );
  });
}

const requestRate = Number(rateText) / batch;
const connections = Number(connectionsText);
const runs: Promise<Result>[] = [];
for (let i = 0; i < PHASES; i++) {
  const rate = Math.max(1, Math.round(requestRate / PHASES));
  runs.push(new Promise((r) => setTimeout(r, (i * 1000) / PHASES)).then(() => instance(rate, Math.max(1, Math.round(connections / PHASES)))));
}
Promise.all(runs).then(
  (results) => {
    const sum = (f: (r: Result) => number) => results.reduce((a, r) => a + f(r), 0);
    const most = (f: (r: Result) => number) => Math.max(...results.map(f));
    const combined = {
      '2xx': sum((r) => r['2xx']),
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
      timeouts: sum((r) => r.timeouts),
      duration: most((r) => r.duration),
      latency: { p50: most((r) => r.latency.p50), p99: most((r) => r.latency.p99), max: most((r) => r.latency.max) },
      events: n,
    };
    process.stdout.write(JSON.stringify(combined) + '\n');
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
