/**
 * A TCP proxy in front of a MongoDB server that counts the requests going through it, by command and
 * collection (`find users_v1`, `insert audit_v1`, …): every request is one round trip, since the
 * driver waits for each answer. Server monitoring (`hello`) is left out of the counts. Used by the
 * benches to say where a mutation's round trips go; it adds a hop, so nothing is timed through it.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BSON } from 'mongodb';

export interface WireCounts {
  perUnit: number;
  /** per unit: how many, and the milliseconds from request to answer */
  byCommand: { command: string; perUnit: number; msPerUnit: number }[];
}

const OP_MSG = 2013;
const MONITORING = new Set(['hello', 'ismaster', 'isMaster', 'endSessions']);

/** The command of one OP_MSG: its first key, and the collection when that key names one. */
function commandOf(message: Buffer): string | undefined {
  if (message.readInt32LE(12) !== OP_MSG || message[20] !== 0) return undefined;
  const size = message.readInt32LE(21);
  const doc = BSON.deserialize(message.subarray(21, 21 + size));
  const [name] = Object.keys(doc);
  if (name === undefined) return undefined;
  const target: unknown = doc[name];
  if (typeof target !== 'string') return name;
  const filter: unknown = doc.filter ?? doc.query;
  return filter && typeof filter === 'object' ? `${name} ${target} ${shapeOf(filter)}` : `${name} ${target}`;
}

/** A filter's shape without its values: `{_id:{$in},organizationId}`. */
function shapeOf(filter: object): string {
  const keys = Object.entries(filter).map(([key, value]: [string, unknown]) =>
    value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith('$'))
      ? `${key}:${shapeOf(value)}`
      : key,
  );
  return `{${keys.join(',')}}`;
}

export async function startWireCounter(mongoUrl: string) {
  const { hostname, port } = new URL(mongoUrl);
  const counts = new Map<string, { n: number; ms: number }>();
  const sockets = new Set<Socket>();
  /** whole messages of `chunks`, each handed to `each`; returns the incomplete tail */
  const split = (chunks: Buffer, each: (message: Buffer) => void): Buffer => {
    let at = 0;
    while (at + 16 <= chunks.length) {
      const length = chunks.readInt32LE(at);
      if (at + length > chunks.length) break;
      each(chunks.subarray(at, at + length));
      at += length;
    }
    return chunks.subarray(at);
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    const inFlight = new Map<number, { command: string; at: number }>();
    let requests: Buffer = Buffer.alloc(0);
    let answers: Buffer = Buffer.alloc(0);
    client.on('data', (data: Buffer) => {
      requests = split(Buffer.concat([requests, data]), (message) => {
        const command = commandOf(message);
        if (command && !MONITORING.has(command))
          inFlight.set(message.readInt32LE(4), { command, at: performance.now() });
      });
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      answers = split(Buffer.concat([answers, data]), (message) => {
        const request = inFlight.get(message.readInt32LE(8));
        if (!request) return;
        inFlight.delete(message.readInt32LE(8));
        const c = counts.get(request.command) ?? { n: 0, ms: 0 };
        counts.set(request.command, { n: c.n + 1, ms: c.ms + performance.now() - request.at });
      });
      client.write(data);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `mongodb://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    reset: () => counts.clear(),
    counts(units: number): WireCounts {
      const byCommand = [...counts]
        .map(([command, { n, ms }]) => ({ command, perUnit: n / units, msPerUnit: ms / units }))
        .sort((a, b) => b.perUnit - a.perUnit);
      return { perUnit: byCommand.reduce((sum, c) => sum + c.perUnit, 0), byCommand };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
