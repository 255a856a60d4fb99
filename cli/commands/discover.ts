import { Flags } from '@oclif/core';
import { parseDuration } from '../../core/duration.js';
import { EXIT_CODE_HELP } from '../../core/exit-codes.js';
import type { NamespaceSelection } from '../../core/kubernetes/port.js';
import { parseClusterDomain } from '../../core/discovery/workload.js';
import { discover, writeDiscovered, type DiscoveryOutcome } from '../../ops/discover.js';
import { locateInventory } from '../../ops/inventory-location.js';
import { openKubernetes } from '../../systems/kubernetes/index.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, outputFlags } from '../flags.js';
import { clusterDomainFlag, kubeConnectOptions, kubeFlags, namespaceFlags } from '../kube-flags.js';
import { renderDiscovery } from '../render/discovery.js';

export default class Discover extends QuorumctlCommand {
  static override summary =
    'Find the etcd, ZooKeeper, KRaft and NATS JetStream clusters a Kubernetes cluster runs.';

  static override description = `Lists pods and StatefulSets through the Kubernetes API (read only) and recognises consensus clusters by the labels, images, ports and arguments of the charts and operators that run them:

  kubeadm      control-plane etcd: static pods component=etcd, tier=control-plane in kube-system
               (client URL from --advertise-client-urls, TLS paths from the etcd flags; reached directly)
  Bitnami      zookeeper and etcd StatefulSets (app.kubernetes.io/name; bitnami/, bitnamilegacy/ images);
               kafka: the KRaft controller-eligible StatefulSet (process.roles with controller),
               brokers and ZooKeeper mode are skipped with the reason
  Strimzi      KRaft controllers: pods strimzi.io/kind=Kafka, strimzi.io/controller-role=true
               (StrimziPodSets; port 9090 with mutual TLS); brokers are not quorum members
  NATS chart   nats-io/k8s releases with JetStream on (read from the nats.conf ConfigMap);
               endpoints are the monitoring port 8222
  Pravega      zookeeper-operator ensembles (kind=ZookeeperMember)

Each cluster is named <context>.<namespace>.<workload>, with one member per pod and endpoints at the pods' stable DNS names, <pod>.<service>.<namespace>.svc.<--cluster-domain> (reached through port-forward from outside the cluster). Workloads that run a consensus system's image but match no known shape are listed as skipped, with the reason.

Without -n or -A the context's namespace is searched; control-plane etcd is found when kube-system is searched (-n kube-system or -A).

--write adds the clusters to the inventory (or replaces entries of the same name; other clusters and the current context are kept), with a kubernetes section (context, namespace, workload, pods, port, labels, container, reach, TLS Secret). Then: quorumctl status --cluster NAME.

Permissions: get namespaces, list pods, list statefulsets.apps, get configmaps (docs/kubernetes-rbac.md#discover). Recognition rules and limits: docs/kubernetes-discover.md.

${EXIT_CODE_HELP}
  (2 here: the namespace does not exist; 3: the API server cannot be reached; 7: a permission is missing)`;

  static override examples = [
    {
      description: "The clusters in the current context's namespace",
      command: '<%= config.bin %> discover',
    },
    {
      description: 'Every namespace of the prod context, control-plane etcd included',
      command: '<%= config.bin %> discover --kube-context prod -A',
    },
    {
      description: 'One namespace, written into the inventory, then read',
      command:
        '<%= config.bin %> discover -n data --write && <%= config.bin %> status --cluster prod.data.zk',
    },
    {
      description: 'A cluster whose kubelets run with --cluster-domain k8s.example.com',
      command: '<%= config.bin %> discover -A --cluster-domain k8s.example.com --write',
    },
    {
      description: 'As JSON, from another kubeconfig',
      command: '<%= config.bin %> discover --kubeconfig ~/.kube/staging.yaml -n kafka -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...kubeFlags,
    ...namespaceFlags,
    ...clusterDomainFlag,
    ...globalFlags,
    write: Flags.boolean({
      description:
        'Add the clusters found to the inventory (--config), replacing entries of the same name.',
    }),
    timeout: Flags.string({
      default: '10s',
      description: 'Timeout for each Kubernetes API call (e.g. 5s, 1m).',
    }),
  };

  protected readonly outputKind = 'DiscoveryReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(Discover);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const clusterDomain = parseClusterDomain(flags['cluster-domain']);
    const api = await openKubernetes(kubeConnectOptions(flags, timeoutMs));
    let outcome: DiscoveryOutcome;
    try {
      const namespaces: NamespaceSelection = flags['all-namespaces']
        ? { all: true }
        : { name: flags.namespace ?? api.defaultNamespace };
      outcome = await discover(api, { namespaces, clusterDomain });
    } finally {
      await api.close();
    }
    if (flags.write) {
      outcome = {
        ...outcome,
        inventory: await writeDiscovered(locateInventory(flags.config), outcome),
      };
    }
    await this.emit<DiscoveryOutcome>(this.outputFormat(flags), outcome, renderDiscovery);
  }
}
