import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/core/config.js';

/**
 * Every manifest under deploy/k8s validated offline against the Kubernetes
 * OpenAPI schemas (the generated validators of kubernetes-models 4.5), since
 * no API server runs here for `kubectl apply --dry-run`.
 */

const DIR = join(import.meta.dirname, '../../deploy/k8s');

interface Validatable {
  validate(): void;
}
const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function manifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as Manifest | null;
      if (value !== null) out.push({ ...value, file });
    }
  }
  return out;
}

function validate(m: Manifest): void {
  const Model = MODELS[`${m.apiVersion}/${m.kind}`];
  if (Model === undefined) throw new Error(`${m.file}: no validator for ${m.apiVersion} ${m.kind}`);
  const { file: _file, ...object } = m;
  new Model(object as never).validate();
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

describe('deploy/k8s manifests', () => {
  const all = manifests();

  it('holds the ServiceAccount, RBAC, Deployment and a sample workload', () => {
    expect(all.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/vigil-heal',
        'ClusterRoleBinding/vigil-heal',
        'ConfigMap/vigil-heal',
        'Deployment/shop-web',
        'Deployment/vigil-heal',
        'Namespace/vigil',
        'PodDisruptionBudget/shop-web',
        'Role/vigil-heal-leader-election',
        'RoleBinding/vigil-heal-leader-election',
        'Service/vigil-heal-metrics',
        'ServiceAccount/vigil-heal',
      ].sort(),
    );
  });

  for (const m of manifests()) {
    it(`${m.file}: ${m.kind} ${m.metadata.name} is valid against the API schema`, () => {
      expect(() => validate(m)).not.toThrow();
    });
  }

  it('the validators do reject a broken manifest (wrong type, missing required field)', () => {
    const deployment = all.find((m) => m.metadata.name === 'vigil-heal' && m.kind === 'Deployment')!;
    const broken = structuredClone(deployment) as Manifest & { spec: { replicas: unknown; selector?: unknown } };
    broken.spec.replicas = 'two';
    expect(() => validate(broken)).toThrow(/replicas/);
    const noSelector = structuredClone(deployment) as Manifest & { spec: { selector?: unknown } };
    delete noSelector.spec.selector;
    expect(() => validate(noSelector)).toThrow(/selector/);
    const badEnum = structuredClone(deployment) as Manifest & { spec: { template: { spec: { containers: { imagePullPolicy?: string }[] } } } };
    badEnum.spec.template.spec.containers[0]!.imagePullPolicy = 'Sometimes';
    expect(() => validate(badEnum)).toThrow(/imagePullPolicy/);
    // Known limit: these schemas do not forbid unknown fields, so a misspelt key passes.
  });

  it('the controller runs 2 replicas with POD_NAME as its Lease identity and opts itself out of healing', () => {
    const d = all.find((m) => m.kind === 'Deployment' && m.metadata.name === 'vigil-heal') as Manifest & {
      spec: { replicas: number; template: { metadata: { annotations: Record<string, string> }; spec: { serviceAccountName: string; containers: { args: string[]; env: { name: string }[] }[] } } };
    };
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.serviceAccountName).toBe('vigil-heal');
    expect(d.spec.template.spec.containers[0]!.args).toEqual(['heal']);
    expect(d.spec.template.spec.containers[0]!.env.map((e) => e.name)).toContain('POD_NAME');
    expect(d.spec.template.metadata.annotations['healing.io/enabled']).toBe('false');
  });

  it('RBAC grants exactly what the controller calls, no wildcards', () => {
    const cluster = (all.find((m) => m.kind === 'ClusterRole')!.rules as Rule[]) ?? [];
    const role = (all.find((m) => m.kind === 'Role')!.rules as Rule[]) ?? [];
    const grants = (rules: Rule[], group: string, resource: string, verb: string, name?: string) =>
      rules.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb) && (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
      );
    const needed: [string, string, string][] = [
      ['', 'pods', 'list'],
      ['', 'pods', 'watch'],
      ['', 'pods', 'delete'],
      ['', 'pods/eviction', 'create'],
      ['', 'nodes', 'list'],
      ['', 'nodes', 'watch'],
      ['', 'nodes', 'patch'],
      ['', 'events', 'create'],
      ['apps', 'deployments', 'list'],
      ['apps', 'deployments', 'watch'],
      ['apps', 'deployments', 'patch'],
      ['apps', 'statefulsets', 'patch'],
      ['apps', 'replicasets', 'watch'],
    ];
    for (const [group, resource, verb] of needed) expect(grants(cluster, group, resource, verb), `${verb} ${group}/${resource}`).toBe(true);
    for (const verb of ['get', 'update']) expect(grants(role, 'coordination.k8s.io', 'leases', verb, 'vigil-heal')).toBe(true);
    expect(grants(role, 'coordination.k8s.io', 'leases', 'create')).toBe(true);
    // Least privilege: nothing beyond, no secrets, no wildcards.
    for (const rule of [...cluster, ...role]) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
    }
    expect(grants(cluster, '', 'nodes', 'delete')).toBe(false);
    expect(grants(cluster, 'apps', 'replicasets', 'patch')).toBe(false);
  });

  it('the ConfigMap carries a valid Vigil configuration', () => {
    const cm = all.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> };
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cm-'));
    try {
      writeFileSync(join(dir, 'vigil.yaml'), cm.data['vigil.yaml']!);
      const { config } = loadConfig({ path: 'vigil.yaml', cwd: dir, env: {} });
      expect(config.heal.leaderElection).toMatchObject({ namespace: 'vigil', name: 'vigil-heal' });
      expect(config.heal.metrics.port).toBe(9464);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the sample workload uses the healing annotations the controller reads', () => {
    const sample = all.find((m) => m.kind === 'Deployment' && m.metadata.name === 'shop-web')!;
    expect(Object.keys(sample.metadata.annotations ?? {}).sort()).toEqual(['healing.io/enabled', 'healing.io/max-replicas', 'healing.io/strategy']);
  });
});
