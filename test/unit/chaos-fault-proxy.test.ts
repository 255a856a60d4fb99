// The userspace TCP proxy: bytes arrive intact and in order, late by the latency; "lost" chunks one retransmission later.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { releaseTime, TcpProxy, NO_TOXICS } from '../../chaos/faults/proxy.js';

describe('releaseTime (pure)', () => {
  test('latency is added, order is kept, a lost chunk waits one retransmission', () => {
    const toxics = { ...NO_TOXICS, latencyMs: 100, retransmitMs: 200 };
    assert.equal(releaseTime(1000, 0, toxics, false), 1100);
    assert.equal(releaseTime(1000, 0, toxics, true), 1300);
    assert.equal(releaseTime(1001, 1300, toxics, false), 1300, 'never overtakes the chunk before');
  });
});

describe('TcpProxy', () => {
  let echo: Server;
  let echoPort: number;
  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    echoPort = (echo.address() as AddressInfo).port;
  });
  after(() => {
    echo.close();
  });

  async function roundTrip(port: number, payload: Buffer): Promise<{ reply: Buffer; ms: number }> {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const started = performance.now();
    const chunks: Buffer[] = [];
    let received = 0;
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= payload.length) resolve();
      });
    });
    socket.write(payload);
    await done;
    const ms = performance.now() - started;
    socket.destroy();
    return { reply: Buffer.concat(chunks), ms };
  }

  test('without toxics it forwards both ways, byte for byte', async () => {
    const proxy = new TcpProxy({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: echoPort,
    });
    const { port } = await proxy.start();
    try {
      const payload = Buffer.from(Array.from({ length: 200_000 }, (_, index) => index % 251));
      const { reply } = await roundTrip(port, payload);
      assert.ok(reply.equals(payload));
      assert.equal(proxy.stats.connections, 1);
    } finally {
      await proxy.close();
    }
  });

  test('latency applies per direction: an echo round trip takes at least twice as long', async () => {
    const proxy = new TcpProxy({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: echoPort,
      toxics: { latencyMs: 150 },
    });
    const { port } = await proxy.start();
    try {
      const { reply, ms } = await roundTrip(port, Buffer.from('ping'));
      assert.equal(reply.toString(), 'ping');
      assert.ok(ms >= 295, `round trip ${ms.toFixed(0)} ms, expected >= 300`);
      proxy.setToxics({ latencyMs: 0 });
      const fast = await roundTrip(port, Buffer.from('pong'));
      assert.ok(fast.ms < 250, `after removing latency: ${fast.ms.toFixed(0)} ms`);
    } finally {
      await proxy.close();
    }
  });

  test('loss holds chunks back one retransmission timeout, keeping the stream intact', async () => {
    const proxy = new TcpProxy({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: echoPort,
      toxics: { lossPercent: 50, retransmitMs: 120 },
      random: () => 0.1, // every chunk "lost"
    });
    const { port } = await proxy.start();
    try {
      const { reply, ms } = await roundTrip(port, Buffer.from('abc'));
      assert.equal(reply.toString(), 'abc');
      assert.ok(
        ms >= 235,
        `two lost chunks (there and back): ${ms.toFixed(0)} ms, expected >= 240`,
      );
      assert.ok(proxy.stats.lostChunks >= 2);
    } finally {
      await proxy.close();
    }
  });

  test('close cuts open connections', async () => {
    const proxy = new TcpProxy({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: echoPort,
    });
    const { port } = await proxy.start();
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const closed = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await proxy.close();
    await closed;
    assert.ok(socket.destroyed);
  });

  test('close delivers what is queued before ending: a heal loses no chunk TCP acknowledged', async () => {
    const proxy = new TcpProxy({
      listenHost: '127.0.0.1',
      targetHost: '127.0.0.1',
      targetPort: echoPort,
      toxics: { latencyMs: 5000 },
    });
    const { port } = await proxy.start();
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('queued');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = once(socket, 'close');
    const started = performance.now();
    await proxy.close();
    assert.ok(performance.now() - started < 2000, 'does not wait for the latency');
    await closed;
    assert.equal(received, 'queued', 'sent on at close, and the echo passed back');
  });

  test('an unreachable target closes the client connection', async () => {
    const proxy = new TcpProxy({ listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: 1 });
    const { port } = await proxy.start();
    try {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      await once(socket, 'close');
    } finally {
      await proxy.close();
    }
  });
});
