/** The node agent, for embedding: `createAgent(options)` and its types. */
export { createAgent, type Agent, type AgentHealth, type AgentOptions } from './agent.js';
export type { NumberedEvent } from './event-stream.js';
export { DEFAULT_LISTEN, parseListenAddress, type ListenAddress } from './listen.js';
export type { ClusterEvent, ClusterEventType } from '../core/metrics/events.js';
