import type { Express } from 'express';
import type { VigilClient } from '../../dist/src/client/index.js';
import type { VigilGuard } from '../../dist/src/middleware/index.js';

export interface LoginAppOptions {
  vigilUrl: string;
  /** apiKey of an `enforcement.points` entry. */
  enforcementKey: string;
  /** A token with the ingest scope. */
  ingestToken?: string;
  trustedProxies?: string[];
  failMode?: 'open' | 'closed';
  waitSeconds?: number;
  readyTimeoutMs?: number;
  flushIntervalMs?: number;
  port?: number;
  host?: string;
}

export interface RunningLoginApp {
  url: string;
  app: Express;
  guard: VigilGuard;
  client: VigilClient;
  /** Requests the /login route handled (blocked ones never reach it). */
  loginAttempts(): number;
  close(): Promise<void>;
}

export function startLoginApp(options: LoginAppOptions): Promise<RunningLoginApp>;
