// Four-letter words over local sockets: read until close, typed transport errors, timeout, abort, TLS with client certificates.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import {
  displayEndpoint,
  FourLetterWordError,
  sendFourLetterWord,
  serverAddress,
} from '../../systems/zookeeper/four-letter-words.js';
import { createTlsFiles, type TlsFiles } from '../support/standalone-etcd.js';

type Handler = (socket: Socket, word: string) => void;

/** A fake client port: reads the 4-byte word, then lets `handle` answer. */
function fakeServer(handle: Handler, tls?: { key: string; cert: string; ca: string }): Server {
  const onSocket = (socket: Socket) => {
    let word = '';
    socket.on('data', (chunk: Buffer) => {
      word += chunk.toString();
      if (word.length >= 4) handle(socket, word.slice(0, 4));
    });
    socket.on('error', () => undefined);
  };
  return tls === undefined
    ? createServer(onSocket)
    : createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, onSocket);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

function rejectsWith(code: string, message?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof FourLetterWordError, String(error));
    assert.equal(error.code, code);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

describe('serverAddress', () => {
  test('http://, tcp:// and bare host:port are plain TCP; https:// and tls:// are TLS', () => {
    assert.deepEqual(serverAddress('http://zk1:2181'), { host: 'zk1', port: 2181, tls: false });
    assert.deepEqual(serverAddress('tcp://127.0.0.1:2181'), {
      host: '127.0.0.1',
      port: 2181,
      tls: false,
    });
    assert.deepEqual(serverAddress('zk2:2181'), { host: 'zk2', port: 2181, tls: false });
    assert.deepEqual(serverAddress('https://[::1]:2281'), { host: '::1', port: 2281, tls: true });
    assert.equal(displayEndpoint(serverAddress('https://[::1]:2281')), 'tls://[::1]:2281');
    assert.throws(() => serverAddress('http://zk1'), rejectsWith('BAD_ENDPOINT'));
  });
});

describe('sendFourLetterWord over TCP', () => {
  const servers: Server[] = [];
  after(async () => {
    await Promise.all(servers.map(close));
  });
  const start = async (handle: Handler) => {
    const server = fakeServer(handle);
    servers.push(server);
    return listen(server);
  };

  test('sends the word and returns everything written before the server closed', async () => {
    const address = await start((socket, word) => {
      // Two writes: the reader must not stop at the first chunk.
      socket.write(`You said ${word}\n`);
      setTimeout(() => socket.end('Mode: leader\n'), 20);
    });
    assert.equal(
      await sendFourLetterWord(`tcp://${address}`, 'srvr', { timeoutMs: 1000 }),
      'You said srvr\nMode: leader\n',
    );
  });

  test('a server that closes without a word: EMPTY_REPLY', async () => {
    const address = await start((socket) => socket.end());
    await assert.rejects(
      sendFourLetterWord(`http://${address}`, 'mntr', { timeoutMs: 1000 }),
      rejectsWith('EMPTY_REPLY', /without answering "mntr"/),
    );
  });

  test('a server that never answers: TIMEOUT within the budget', async () => {
    const address = await start(() => undefined);
    const started = Date.now();
    await assert.rejects(
      sendFourLetterWord(`tcp://${address}`, 'srvr', { timeoutMs: 150 }),
      rejectsWith('TIMEOUT', /no answer within 150 ms/),
    );
    assert.ok(Date.now() - started < 1000);
  });

  test('the caller aborts: ABORTED, before or during the call', async () => {
    const address = await start(() => undefined);
    const controller = new AbortController();
    const pending = sendFourLetterWord(`tcp://${address}`, 'srvr', {
      timeoutMs: 5000,
      signal: controller.signal,
    });
    setTimeout(() => {
      controller.abort();
    }, 30);
    await assert.rejects(pending, rejectsWith('ABORTED'));
    await assert.rejects(
      sendFourLetterWord(`tcp://${address}`, 'srvr', {
        timeoutMs: 5000,
        signal: AbortSignal.abort(),
      }),
      rejectsWith('ABORTED'),
    );
  });

  test('nothing listening: ECONNREFUSED with a reason an operator can act on', async () => {
    const server = fakeServer(() => undefined);
    const address = await listen(server);
    await close(server);
    await assert.rejects(
      sendFourLetterWord(`tcp://${address}`, 'srvr', { timeoutMs: 1000 }),
      rejectsWith('ECONNREFUSED', /is the server running/),
    );
  });
});

describe('sendFourLetterWord over TLS (secureClientPort)', () => {
  let files: TlsFiles;
  let pem: { ca: string; cert: string; key: string; serverCert: string; serverKey: string };
  let server: Server;
  let endpoint: string;
  before(async () => {
    files = await createTlsFiles();
    const read = (path: string) => readFile(path, 'utf8');
    pem = {
      ca: await read(files.ca),
      cert: await read(files.clientCert),
      key: await read(files.clientKey),
      serverCert: await read(files.serverCert),
      serverKey: await read(files.serverKey),
    };
    server = fakeServer((socket, word) => socket.end(`${word} over TLS\n`), {
      key: pem.serverKey,
      cert: pem.serverCert,
      ca: pem.ca,
    });
    endpoint = `https://${await listen(server)}`;
  });
  after(async () => {
    await close(server);
    await rm(files.dir, { recursive: true, force: true });
  });

  test('with the CA and a client certificate: the answer', async () => {
    assert.equal(
      await sendFourLetterWord(endpoint, 'conf', {
        timeoutMs: 2000,
        tls: { ca: pem.ca, cert: pem.cert, key: pem.key },
      }),
      'conf over TLS\n',
    );
  });

  test('without the CA: the server certificate is not trusted', async () => {
    await assert.rejects(
      sendFourLetterWord(endpoint, 'srvr', {
        timeoutMs: 2000,
        tls: { cert: pem.cert, key: pem.key },
      }),
      (error) => {
        // Node's TLS server sends its CA along (SELF_SIGNED_CERT_IN_CHAIN); ZooKeeper sends the
        // leaf only (UNABLE_TO_VERIFY_LEAF_SIGNATURE, seen live): both say what to pass.
        assert.ok(error instanceof FourLetterWordError);
        assert.ok(
          ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'].includes(error.code),
          error.code,
        );
        assert.match(error.message, /pass --cacert/);
        return true;
      },
    );
  });

  test('plain TCP to the TLS port: no answer, not a hang', async () => {
    await assert.rejects(
      sendFourLetterWord(endpoint.replace('https://', 'tcp://'), 'srvr', { timeoutMs: 300 }),
      (error) => error instanceof FourLetterWordError,
    );
  });
});
