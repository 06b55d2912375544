import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUploader } from '../../src/upload/index.js';
import { closedPortUrl, event, onCleanup, receiver, uploader } from './helpers.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const caFile = fileURLToPath(new URL('ca.pem', fixtures));
const tls = { key: readFileSync(new URL('server-key.pem', fixtures), 'utf8'), cert: readFileSync(new URL('server.pem', fixtures), 'utf8') };

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 's3w-upload-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A CONNECT proxy on 127.0.0.1 that tunnels to 127.0.0.1 only, or refuses with `refuseWith`. */
async function startProxy(refuseWith?: number): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('error', () => {});
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    if (refuseWith !== undefined || host !== '127.0.0.1') {
      client.end(`HTTP/1.1 ${refuseWith ?? 403} Refused\r\n\r\n`);
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

describe('HTTPS', () => {
  it('delivers to a server whose certificate comes from the CA in SFM_CA_FILE', async () => {
    const server = await receiver({ tls });
    const outcome = await uploader({ url: server.url, caFile }).upload(event());

    expect(server.url).toMatch(/^https:/);
    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
  });

  it('verifies certificates: without the CA the upload fails, transiently, saying what to set', async () => {
    const server = await receiver({ tls });
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome).toEqual({
      kind: 'transient',
      reason: `cannot connect securely to ${server.url}: the server's certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); if it comes from a private CA, set SFM_CA_FILE to that CA's PEM file`,
    });
    expect(server.requests).toHaveLength(0);
  });

  it('check() reports an untrusted certificate plainly', async () => {
    const server = await receiver({ tls });
    const result = await uploader({ url: server.url }).check();

    expect(result.kind === 'failed' && result.reason).toMatch(/certificate is not trusted/);
  });

  it('a CA file that cannot be read is an error naming the file', () => {
    const missing = join(tmpdir(), 'no-such-dir-s3w', 'company-ca.pem');
    expect(() => createUploader({ url: 'https://127.0.0.1:1', token: '', caFile: missing, proxy: '', timeoutMs: 1_000, concurrency: 1 })).toThrow(
      `cannot read the CA file ${missing} (SFM_CA_FILE)`,
    );
  });

  it('a CA file that is not PEM is an error naming the file', async () => {
    const file = join(await tempDir(), 'company-ca.cer');
    await writeFile(file, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
    expect(() => createUploader({ url: 'https://127.0.0.1:1', token: '', caFile: file, proxy: '', timeoutMs: 1_000, concurrency: 1 })).toThrow(
      `the CA file ${file} (SFM_CA_FILE) holds no PEM certificate`,
    );
  });
});

describe('a proxy (SFM_PROXY)', () => {
  it('carries the upload through a CONNECT tunnel', async () => {
    const server = await receiver();
    const proxy = await startProxy();
    const outcome = await uploader({ url: server.url, proxy: proxy.url }).upload(event());

    expect(outcome.kind).toBe('delivered');
    expect(proxy.tunnels).toEqual([server.url.replace('http://', '')]);
    expect(server.received()).toHaveLength(1);
  });

  it('carries HTTPS through the tunnel, still verifying the certificate with the extra CA', async () => {
    const server = await receiver({ tls });
    const proxy = await startProxy();
    const outcome = await uploader({ url: server.url, proxy: proxy.url, caFile }).upload(event());

    expect(outcome.kind).toBe('delivered');
    expect(proxy.tunnels).toHaveLength(1);
  });

  it('a proxy that refuses is named in the reason', async () => {
    const server = await receiver();
    const proxy = await startProxy(407);
    const outcome = await uploader({ url: server.url, proxy: proxy.url }).upload(event());

    expect(outcome).toEqual({
      kind: 'transient',
      reason: `the proxy ${proxy.url} refused the connection to ${server.url} (HTTP 407); check SFM_PROXY`,
    });
  });

  it('a proxy that is down is named in the reason', async () => {
    const server = await receiver();
    const proxyUrl = await closedPortUrl();
    const outcome = await uploader({ url: server.url, proxy: proxyUrl }).upload(event());

    expect(outcome).toEqual({
      kind: 'transient',
      reason: `cannot connect to ${server.url} through the proxy ${proxyUrl}: connection refused`,
    });
  });
});
