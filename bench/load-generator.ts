/**
 * The load bench's traffic, run as its own process so that generating load
 * does not share an event loop (or a core) with the latency probe:
 *
 *   node dist/bench/load-generator.js <url> <events/s> <seconds> <connections> <events per request>
 *
 * Posts login events to POST /api/v1/events with autocannon at a fixed
 * overall rate: 98 % successes from 50,000 users and addresses, 2 % failures
 * from 200 attacking addresses. Prints autocannon's result as one JSON line.
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

autocannon(
  {
    url: `${url}/api/v1/events`,
    method: 'POST',
    connections: Number(connectionsText),
    duration: Number(secondsText),
    overallRate: Number(rateText) / batch,
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
  (err, result) => {
    if (err !== null) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({ ...result, events: n }) + '\n');
  },
);
