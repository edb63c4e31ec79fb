// The topology seen so far: every node and edge in order of first sight, plus
// what is new since the last delta. The full message is encoded once per
// change, not once per connecting client.

import type { TopoNode, TopologyDeltaMessage, TopologyMessage } from '../protocol/index.js';

export class Topology {
  private readonly nodes: TopoNode[] = [];
  private readonly edges: string[] = [];
  private newNodes: TopoNode[] = [];
  private newEdges: string[] = [];
  private encoded: Buffer | undefined;

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

  /** Nodes and edges first seen since the previous call, or undefined when nothing is new. */
  takeDelta(): TopologyDeltaMessage | undefined {
    if (this.newNodes.length === 0 && this.newEdges.length === 0) return undefined;
    const delta: TopologyDeltaMessage = { type: 'topology-delta', nodes: this.newNodes, edges: this.newEdges };
    this.newNodes = [];
    this.newEdges = [];
    return delta;
  }
}
