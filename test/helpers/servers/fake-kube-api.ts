import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * An in-process fake of the Kubernetes API server: just the endpoints the
 * self-healing controller uses, with the wire format of the real one
 * (JSON bodies, `Status` errors, list `metadata.resourceVersion`, watch as
 * newline-delimited JSON events from a resourceVersion, 410 Gone after
 * compaction, 409 Conflict on a stale resourceVersion, Eviction answered 429
 * when a PodDisruptionBudget forbids it). Plain HTTP on 127.0.0.1, no auth.
 * It is not Kubernetes: no controllers run (a deleted pod is not recreated).
 */

export type Resource = 'pods' | 'nodes' | 'deployments' | 'statefulsets' | 'replicasets' | 'events' | 'leases' | 'poddisruptionbudgets';

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}

const META: Record<Resource, { apiVersion: string; kind: string; namespaced: boolean }> = {
  pods: { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  nodes: { apiVersion: 'v1', kind: 'Node', namespaced: false },
  events: { apiVersion: 'v1', kind: 'Event', namespaced: true },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  statefulsets: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  replicasets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespaced: true },
  poddisruptionbudgets: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaced: true },
};

const ROUTE =
  /^\/(?:api\/v1|apis\/(?:apps|coordination\.k8s\.io|policy)\/v1)(?:\/namespaces\/([a-z0-9-]+))?\/([a-z]+)(?:\/([a-z0-9.-]+))?(?:\/(eviction))?$/;

interface WatchEvent {
  rv: number;
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<Resource, Map<string, KubeObject>>();
  private rv = 100;
  private compactedRv = 0;
  private readonly log: WatchEvent[] = [];
  private readonly watchers = new Set<{ resource: Resource; res: ServerResponse; filter: (o: KubeObject) => boolean }>();
  private server: Server | undefined;
  private uids = 0;
  /** Status code to answer for `METHOD path` once (fault injection). */
  readonly failNext = new Map<string, number>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.status(res, 500, 'InternalError', (err as Error).message));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A KubeConfig for this server (http, no auth). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private table(resource: Resource): Map<string, KubeObject> {
    let table = this.objects.get(resource);
    if (table === undefined) this.objects.set(resource, (table = new Map()));
    return table;
  }

  private key(resource: Resource, namespace: string | undefined, name: string): string {
    return META[resource].namespaced ? `${namespace ?? 'default'}/${name}` : name;
  }

  /** Stores (creates or replaces) an object as a controller or kubelet would, and notifies watchers. */
  put(resource: Resource, object: object): KubeObject {
    const copy = structuredClone(object) as KubeObject;
    copy.apiVersion ??= META[resource].apiVersion;
    copy.kind ??= META[resource].kind;
    copy.metadata ??= {};
    if (META[resource].namespaced) copy.metadata.namespace ??= 'default';
    copy.metadata.uid ??= `uid-${++this.uids}`;
    const key = this.key(resource, copy.metadata.namespace, copy.metadata.name ?? '');
    const existed = this.table(resource).has(key);
    copy.metadata.resourceVersion = String(++this.rv);
    this.table(resource).set(key, copy);
    this.emit({ rv: this.rv, resource, type: existed ? 'MODIFIED' : 'ADDED', object: copy });
    return copy;
  }

  get(resource: Resource, name: string, namespace?: string): KubeObject | undefined {
    return this.table(resource).get(this.key(resource, namespace, name));
  }

  list(resource: Resource): KubeObject[] {
    return [...this.table(resource).values()];
  }

  remove(resource: Resource, name: string, namespace?: string): KubeObject | undefined {
    const key = this.key(resource, namespace, name);
    const object = this.table(resource).get(key);
    if (object === undefined) return undefined;
    this.table(resource).delete(key);
    const gone = structuredClone(object);
    gone.metadata!.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, resource, type: 'DELETED', object: gone });
    return gone;
  }

  /** Forgets the watch history: a watch from an older resourceVersion gets 410 Gone (the client must relist). */
  compact(): void {
    this.compactedRv = this.rv;
    this.log.length = 0;
  }

  /** Ends every open watch connection (as an API server restart or timeout would). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  requestsTo(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  private emit(event: WatchEvent): void {
    this.log.push(event);
    for (const w of this.watchers) {
      if (w.resource === event.resource && w.filter(event.object)) w.res.write(JSON.stringify({ type: event.type, object: event.object }) + '\n');
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return this.status(res, 400, 'BadRequest', 'body is not JSON');
    }
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method, path: url.pathname, query, contentType: req.headers['content-type'], body });

    const injected = this.failNext.get(`${method} ${url.pathname}`);
    if (injected !== undefined) {
      this.failNext.delete(`${method} ${url.pathname}`);
      return this.status(res, injected, 'Injected', `injected failure ${injected}`);
    }
    const match = ROUTE.exec(url.pathname);
    if (match === null || !(match[2]! in META)) return this.status(res, 404, 'NotFound', `no route ${url.pathname}`);
    const namespace = match[1];
    const resource = match[2] as Resource;
    const name = match[3];
    const sub = match[4];

    if (method === 'GET' && name === undefined) return this.listOrWatch(res, resource, namespace, query);
    if (method === 'POST' && name === undefined) {
      const object = body as KubeObject;
      object.metadata ??= {};
      if (namespace !== undefined) object.metadata.namespace = namespace;
      if (object.metadata.name === undefined) return this.status(res, 422, 'Invalid', 'metadata.name: Required value');
      if (this.get(resource, object.metadata.name, namespace) !== undefined) return this.status(res, 409, 'AlreadyExists', `${resource} "${object.metadata.name}" already exists`);
      return this.json(res, 201, this.put(resource, object));
    }
    if (name === undefined) return this.status(res, 405, 'MethodNotAllowed', method);
    const current = this.get(resource, name, namespace);
    if (sub === 'eviction' && method === 'POST') return this.evict(res, name, namespace ?? 'default');
    if (current === undefined) return this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
    switch (method) {
      case 'GET':
        return this.json(res, 200, current);
      case 'PUT': {
        const object = body as KubeObject;
        if (object.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
          return this.status(res, 409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        return this.json(res, 200, this.put(resource, { ...object, metadata: { ...object.metadata, uid: current.metadata?.uid } }));
      }
      case 'PATCH': {
        const type = req.headers['content-type'] ?? '';
        let patched: KubeObject;
        if (type.startsWith('application/json-patch+json')) patched = applyJsonPatch(current, body as JsonPatchOp[]);
        else if (type.startsWith('application/merge-patch+json') || type.startsWith('application/strategic-merge-patch+json')) patched = mergePatch(current, body) as KubeObject;
        else return this.status(res, 415, 'UnsupportedMediaType', `patch type ${type}`);
        return this.json(res, 200, this.put(resource, patched));
      }
      case 'DELETE': {
        const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (uid !== undefined && uid !== current.metadata?.uid) {
          return this.status(res, 409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`);
        }
        return this.json(res, 200, this.remove(resource, name, namespace));
      }
      default:
        return this.status(res, 405, 'MethodNotAllowed', method);
    }
  }

  private listOrWatch(res: ServerResponse, resource: Resource, namespace: string | undefined, query: Record<string, string>): void {
    const filter = selector(query.fieldSelector, namespace);
    if (query.watch !== 'true') {
      const items = this.list(resource).filter(filter);
      return this.json(res, 200, { apiVersion: META[resource].apiVersion, kind: `${META[resource].kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
    }
    const from = Number(query.resourceVersion ?? '0');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as the API server does: the client's watch() resolves on the headers
    if (from < this.compactedRv) {
      res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${from} (${this.compactedRv})`, reason: 'Expired', code: 410 } }) + '\n');
      return;
    }
    for (const event of this.log) {
      if (event.rv > from && event.resource === resource && filter(event.object)) res.write(JSON.stringify({ type: event.type, object: event.object }) + '\n');
    }
    const watcher = { resource, res, filter };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  /** The Eviction API: 429 when a PodDisruptionBudget covering the pod would drop below minAvailable. */
  private evict(res: ServerResponse, name: string, namespace: string): void {
    const pod = this.get('pods', name, namespace);
    if (pod === undefined) return this.status(res, 404, 'NotFound', `pods "${name}" not found`);
    for (const pdb of this.list('poddisruptionbudgets')) {
      if (pdb.metadata?.namespace !== namespace) continue;
      const spec = pdb.spec as { minAvailable?: number; selector?: { matchLabels?: Record<string, string> } };
      const labels = spec.selector?.matchLabels ?? {};
      const matches = (o: KubeObject) => Object.entries(labels).every(([k, v]) => o.metadata?.labels?.[k] === v);
      if (!matches(pod)) continue;
      const healthy = this.list('pods').filter((p) => p.metadata?.namespace === namespace && matches(p) && isReady(p)).length;
      if (healthy - (isReady(pod) ? 1 : 0) < (spec.minAvailable ?? 0)) {
        return this.status(res, 429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata?.name} needs ${spec.minAvailable} healthy pods and has ${healthy} currently` }],
        });
      }
    }
    this.remove('pods', name, namespace);
    return this.json(res, 201, { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 });
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string, details?: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details !== undefined ? { details } : {}) });
  }
}

function isReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** `spec.nodeName=x` field selectors (the one the drain uses) and the namespace of the path. */
function selector(fieldSelector: string | undefined, namespace: string | undefined): (o: KubeObject) => boolean {
  const nodeName = fieldSelector?.startsWith('spec.nodeName=') ? fieldSelector.slice('spec.nodeName='.length) : undefined;
  return (o) =>
    (namespace === undefined || o.metadata?.namespace === namespace) &&
    (nodeName === undefined || (o.spec as { nodeName?: string } | undefined)?.nodeName === nodeName);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** RFC 6902 add/replace/remove (enough for the controller's rollback). */
function applyJsonPatch(target: KubeObject, ops: JsonPatchOp[]): KubeObject {
  const doc = structuredClone(target) as Record<string, unknown>;
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error(`bad JSON patch path ${op.path}`);
    let node = doc;
    for (const part of parts) node = node[part] as Record<string, unknown>;
    if (op.op === 'remove') delete node[last];
    else node[last] = structuredClone(op.value);
  }
  return doc as KubeObject;
}
