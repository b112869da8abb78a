/** The SharedState contract on MemoryState: two or three nodes on one MemoryHub. */
import { randomBytes } from 'node:crypto';
import { MemoryHub } from '../../src/cluster/memory/MemoryHub.js';
import { MemoryState } from '../../src/cluster/memory/MemoryState.js';
import { describeSharedState, timing } from './sharedStateContract.js';

describeSharedState('MemoryState', async (options = {}) => {
  const hub = new MemoryHub();
  const tag = randomBytes(3).toString('hex');
  const nodes: MemoryState[] = [];
  for (let i = 0; i < (options.nodes ?? 2); i++) {
    const node = new MemoryState({ nodeID: `mem:${i}/${tag}`, hub, ...timing(options, i) });
    await node.start();
    nodes.push(node);
  }
  return {
    nodes,
    async crash(node) {
      (node as MemoryState).crash();
    },
    async expire(node) {
      const entry = hub.nodes.get(node.nodeID);
      if (entry) entry.lastBeatMs = Number.NEGATIVE_INFINITY;
    },
    async leftovers(nodeID) {
      const found: string[] = [];
      if (hub.nodes.has(nodeID)) found.push('alive');
      for (const [k, holder] of hub.users) if (holder.nodeID === nodeID) found.push(`user ${k}`);
      for (const [k, room] of hub.rooms) {
        for (const m of room.members.values()) if (m.nodeID === nodeID) found.push(`member ${k} ${m.userID}`);
      }
      for (const [k, s] of hub.streams) if (s.nodeID === nodeID) found.push(`stream ${k}`);
      return found;
    },
    async contents() {
      return [
        ...[...hub.users.keys()].map((k) => `user ${k}`),
        ...[...hub.rooms.keys()].map((k) => `room ${k}`),
        ...[...hub.streams.keys()].map((k) => `stream ${k}`),
      ];
    },
    async close() {
      for (const node of nodes) await node.close();
    },
  };
});
