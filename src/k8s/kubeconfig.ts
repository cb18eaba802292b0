import { KubeConfig } from '@kubernetes/client-node';

export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/** The cluster credentials: an explicit file, else in-cluster in a pod, else $KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file !== undefined && file !== '') kc.loadFromFile(file);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeConfigError(`cannot load the kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeConfigError('no Kubernetes cluster configured: give --kubeconfig, set heal.kubeconfig or $KUBECONFIG, or run in a pod');
  }
  return kc;
}
