// An authentication service guarded by Vigil: every login is reported with
// VigilClient, and vigilExpress answers 403 to addresses Vigil has blocked
// before any route runs. Run it after `npm run build` (see README.md).
import { Buffer } from 'node:buffer';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import express from 'express';
import { VigilClient } from '../../dist/src/client/index.js';
import { vigilExpress } from '../../dist/src/middleware/index.js';

const scryptAsync = promisify(scrypt);
const KEY_LENGTH = 32;

/**
 * Demo users. Passwords are stored as scrypt(password, salt) only:
 * alice / "correct horse battery staple" (active), bob / "hunter2hunter2" (disabled).
 */
const USERS = new Map([
  ['alice', { id: 'u-1001', salt: 'b299c8da0bbab0235a54a92cbbddbc80', hash: 'c34374f37bfcf54798fd3f637285367aac9c3d0e194c4d1d6bf3e4c240b1d81a', disabled: false }],
  ['bob', { id: 'u-1002', salt: '8e2e8b86fd65669a3d11ce4ddebe6d85', hash: 'd6f694b1cda76d6c67a03632591430473b91c627d0ec9bf3ed2a202197f3bdf2', disabled: true }],
]);
// Unknown users are checked against this, so a miss costs the same time as a wrong password.
const DUMMY = { salt: '00000000000000000000000000000000', hash: '0'.repeat(KEY_LENGTH * 2) };

async function passwordMatches(user, password) {
  const derived = await scryptAsync(String(password), Buffer.from(user.salt, 'hex'), KEY_LENGTH);
  return timingSafeEqual(derived, Buffer.from(user.hash, 'hex'));
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body>
  <h1>Sign in</h1>
  <form method="post" action="/login">
    <label>User <input name="username" autocomplete="username"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password"></label>
    <button>Sign in</button>
  </form>
</body></html>`;

/**
 * Build and start the app. Options: vigilUrl, enforcementKey (an
 * `enforcement.points` apiKey), ingestToken (a token with the ingest scope),
 * trustedProxies, failMode ('open' | 'closed'), waitSeconds, readyTimeoutMs, port, host.
 * Resolves to { url, app, guard, client, loginAttempts(), close() }.
 */
export async function startLoginApp(options) {
  const client = new VigilClient({
    url: options.vigilUrl,
    token: options.ingestToken,
    trustedProxies: options.trustedProxies,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    onError: (err) => console.error(`vigil client: ${err.message}`),
  });
  const vigil = vigilExpress({
    url: options.vigilUrl,
    apiKey: options.enforcementKey,
    trustedProxies: options.trustedProxies,
    failMode: options.failMode ?? 'open',
    waitSeconds: options.waitSeconds,
    report: client,
    onError: (err) => console.error(`vigil decisions: ${err.message}`),
  });
  let attempts = 0;

  const app = express();
  app.disable('x-powered-by');
  // First: nothing below runs for a blocked address.
  app.use(vigil);
  app.use(express.json({ limit: '10kb' }));
  app.use(express.urlencoded({ extended: false, limit: '10kb' }));

  app.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });

  app.post('/login', async (req, res) => {
    attempts++;
    const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 256) : '';
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const user = USERS.get(username);
    let ok;
    try {
      ok = await passwordMatches(user ?? DUMMY, password);
    } catch {
      client.loginFailed({ req, username, reason: 'SYSTEM_ERROR' });
      return res.status(500).json({ error: 'login unavailable' });
    }
    if (user === undefined || !ok) {
      client.loginFailed({ req, username, reason: 'INVALID_PASSWORD' });
      return res.status(401).json({ error: 'invalid user name or password' });
    }
    if (user.disabled) {
      client.loginFailed({ req, username, userId: user.id, reason: 'ACCOUNT_DISABLED' });
      return res.status(403).json({ error: 'account disabled' });
    }
    const sessionId = randomBytes(18).toString('base64url');
    client.loginSucceeded({ req, username, userId: user.id, sessionId });
    res.cookie('sid', sessionId, { httpOnly: true, sameSite: 'lax' });
    return res.json({ ok: true, user: username });
  });

  // Start serving once decisions are in, or after a few seconds anyway (failMode decides meanwhile).
  await Promise.race([vigil.guard.ready.catch(() => undefined), delay(options.readyTimeoutMs ?? 5000, undefined, { ref: false })]);
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (err) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    guard: vigil.guard,
    client,
    loginAttempts: () => attempts,
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await vigil.close();
      await client.close();
    },
  };
}

async function main() {
  const env = process.env;
  if (!env.VIGIL_ENFORCEMENT_KEY) {
    console.error('set VIGIL_ENFORCEMENT_KEY to the apiKey of an enforcement point (enforcement.points in vigil.yaml)');
    process.exit(2);
  }
  const running = await startLoginApp({
    vigilUrl: env.VIGIL_URL ?? 'http://127.0.0.1:8080',
    enforcementKey: env.VIGIL_ENFORCEMENT_KEY,
    ingestToken: env.VIGIL_TOKEN,
    trustedProxies: (env.TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    failMode: env.VIGIL_FAIL_MODE === 'closed' ? 'closed' : 'open',
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
  });
  console.log(`express-login listening on ${running.url}`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
