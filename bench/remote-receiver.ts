// The benchmarks' handle on a test receiver running in a child process (receiver-process.ts).
import { fork, type ChildProcess } from 'node:child_process';

export interface ReceiverStats {
  readonly requests: number;
  /** Distinct binaries stored (the receiver dedupes by sha256). */
  readonly received: number;
  readonly peakInFlight: number;
  readonly connections: number;
}

export interface ReceivedAt {
  /** Epoch ms when the request arrived. */
  readonly at: number;
  readonly names: readonly string[];
}

export interface RemoteReceiver {
  readonly url: string;
  stats(): Promise<ReceiverStats>;
  /** Requests from index `from` on, in arrival order. */
  requestsSince(from: number): Promise<readonly ReceivedAt[]>;
  /** Distinct binaries stored, with the sha256 of the bytes the receiver got. */
  received(): Promise<ReadonlyArray<{ readonly sha256: string; readonly filename: string; readonly size: number }>>;
  close(): Promise<void>;
}

export async function startRemoteReceiver(options: { readonly latencyMs?: number; readonly maxBodyMb?: number } = {}): Promise<RemoteReceiver> {
  const args = [String(options.latencyMs ?? 0), ...(options.maxBodyMb === undefined ? [] : [String(options.maxBodyMb)])];
  const child: ChildProcess = fork(new URL('./receiver-process.js', import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (answer: Record<string, unknown>) => void>();
  let nextId = 1;
  let exited = false;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the test receiver exited (code ${code}) before it was ready`)));
    child.once('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && typeof message.url === 'string') resolve(message.url);
      else reject(new Error(`unexpected first message from the test receiver: ${JSON.stringify(message)}`));
    });
  });
  child.removeAllListeners('exit');
  child.on('exit', () => {
    exited = true;
    for (const settle of waiting.values()) settle({ error: 'the test receiver exited' });
    waiting.clear();
  });
  child.on('message', (message: Record<string, unknown>) => {
    const settle = waiting.get(message['id'] as number);
    if (settle) {
      waiting.delete(message['id'] as number);
      settle(message);
    }
  });

  const ask = (type: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('the test receiver is not running'));
      const id = nextId++;
      waiting.set(id, (answer) => (answer['error'] ? reject(new Error(String(answer['error']))) : resolve(answer)));
      child.send({ id, type, ...extra });
    });

  return {
    url,
    stats: async () => (await ask('stats')) as unknown as ReceiverStats,
    requestsSince: async (from) => (await ask('requests', { from }))['list'] as ReceivedAt[],
    received: async () => (await ask('received'))['list'] as Array<{ sha256: string; filename: string; size: number }>,
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask('close').catch(() => undefined);
      await Promise.race([gone, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
