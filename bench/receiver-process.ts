// Child-process entry: runs the test receiver (test/support/receiver.ts) in its own process, so
// the server's multipart parsing does not share an event loop with the agent being measured,
// as a real SFM server would not. Driven over the IPC channel by remote-receiver.ts.
import { startReceiver } from '../test/support/receiver.js';

interface Ask {
  readonly id: number;
  readonly type: 'stats' | 'requests' | 'received' | 'close';
  readonly from?: number;
}

const latencyMs = Number(process.argv[2] ?? '0');
const maxBodyMb = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const receiver = await startReceiver({ latencyMs, ...(maxBodyMb === undefined ? {} : { maxBodyBytes: maxBodyMb * 1024 * 1024 }) });
const send = (message: unknown): void => {
  process.send?.(message);
};
send({ type: 'ready', url: receiver.url });

process.on('message', (ask: Ask) => {
  void (async () => {
    switch (ask.type) {
      case 'stats':
        send({
          id: ask.id,
          requests: receiver.requests.length,
          received: receiver.received().length,
          peakInFlight: receiver.peakInFlight(),
          connections: receiver.connectionCount(),
        });
        return;
      case 'requests':
        send({
          id: ask.id,
          list: receiver.requests.slice(ask.from ?? 0).map((r) => ({ at: r.at, names: r.files.map((f) => f.filename) })),
        });
        return;
      case 'received':
        send({ id: ask.id, list: receiver.received() });
        return;
      case 'close':
        await receiver.close();
        send({ id: ask.id });
        process.disconnect();
        return;
    }
  })();
});
// The parent went away without closing us: do not linger.
process.on('disconnect', () => {
  void receiver.close().then(() => process.exit(0));
});
