/**
 * client-node's generic object API, answering the kinds core/kubernetes/resources.ts knows
 * without a discovery round trip.
 */
import { KubernetesObjectApi, V1APIResource } from '@kubernetes/client-node';
import { groupOf, knownResource, type ResourceInfo } from '../../core/kubernetes/resources.js';

/** client-node's generic object API, answering known kinds without discovery. */
export class ObjectApi extends KubernetesObjectApi {
  protected override async resource(
    apiVersion: string,
    kind: string,
  ): Promise<V1APIResource | undefined> {
    const info = knownResource(apiVersion, kind);
    if (info !== undefined) {
      return Object.assign(new V1APIResource(), {
        name: info.plural,
        kind,
        namespaced: info.namespaced,
        singularName: kind.toLowerCase(),
        verbs: [],
      });
    }
    return super.resource(apiVersion, kind);
  }

  /** The resource of any kind (discovery for unknown ones); undefined when not served. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const found = await this.resource(apiVersion, kind);
    return found === undefined
      ? undefined
      : { plural: found.name, group: groupOf(apiVersion), namespaced: found.namespaced };
  }
}
