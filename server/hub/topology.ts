// The topology seen so far: every node and edge in order of first sight, plus
// what is new since the last delta. The full message is encoded once per
// change, not once per connecting client. Nodes are removed only when a
// federated box goes away (server/bus); clients then get the full topology
// again in place of a delta, since a delta can only add.

import type { TopoNode, TopologyDeltaMessage, TopologyMessage } from '../protocol/index.js';

export class Topology {
  private nodes: TopoNode[] = [];
  private edges: string[] = [];
  private newNodes: TopoNode[] = [];
  private newEdges: string[] = [];
  private encoded: Buffer | undefined;
  /** Something was removed since the last delta: the next one is the full topology. */
  private replaced = false;

  addNode(node: TopoNode): void {
    this.nodes.push(node);
    this.newNodes.push(node);
    this.encoded = undefined;
  }

  addEdge(id: string): void {
    this.edges.push(id);
    this.newEdges.push(id);
    this.encoded = undefined;
  }

  remove(nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): void {
    if (nodeIds.size === 0 && edgeIds.size === 0) return;
    this.nodes = this.nodes.filter((n) => !nodeIds.has(n.id));
    this.edges = this.edges.filter((e) => !edgeIds.has(e));
    this.newNodes = this.newNodes.filter((n) => !nodeIds.has(n.id));
    this.newEdges = this.newEdges.filter((e) => !edgeIds.has(e));
    this.encoded = undefined;
    this.replaced = true;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  get edgeCount(): number {
    return this.edges.length;
  }

  message(): TopologyMessage {
    return { type: 'topology', nodes: this.nodes.slice(), edges: this.edges.slice() };
  }

  /** The full topology as one frame, shared by every client that needs it. */
  encodedFull(): Buffer {
    this.encoded ??= Buffer.from(JSON.stringify(this.message()));
    return this.encoded;
  }

  /**
   * Nodes and edges first seen since the previous call, or undefined when
   * nothing is new; the full topology instead when something was removed.
   */
  takeDelta(): TopologyDeltaMessage | TopologyMessage | undefined {
    if (this.replaced) {
      this.replaced = false;
      this.newNodes = [];
      this.newEdges = [];
      return this.message();
    }
    if (this.newNodes.length === 0 && this.newEdges.length === 0) return undefined;
    const delta: TopologyDeltaMessage = { type: 'topology-delta', nodes: this.newNodes, edges: this.newEdges };
    this.newNodes = [];
    this.newEdges = [];
    return delta;
  }
}
