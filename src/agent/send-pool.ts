// A small bounded pool: runs jobs over a list in order, a few at once, while the caller says it may
// start more. It knows nothing of events or servers; the pass decides the limit (a lone probe after
// a server failure, else SFM_CONCURRENCY) and when to stop (cap, back-off, pause, record problem).

export interface PoolControl<T> {
  readonly items: readonly T[];
  /** Jobs in flight at once; read before every start, so it may change while the pool runs. */
  readonly limit: () => number;
  /** false: start nothing more (jobs in flight still finish). */
  readonly canStart: () => boolean;
  /**
   * Work a job left behind (record writes not yet durable): jobs in flight plus this stay under
   * twice the limit, so a crash can only ever lose track of that many; the pool waits for it like
   * a job, and for all of it before it returns. Sharing the bound (rather than `limit` each) lets
   * uploads go on while a slow fsync lands, which is where a backfill spent its time.
   */
  readonly trailing: () => ReadonlySet<Promise<void>>;
  /** Runs one item; must not reject (the caller turns failures into results). */
  readonly run: (item: T) => Promise<void>;
}

/** Runs the pool to its end; resolves with how many items were started. */
export async function runPool<T>(control: PoolControl<T>): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  const more = (): boolean => next < control.items.length && control.canStart();
  for (;;) {
    while (inFlight.size < control.limit() && inFlight.size + control.trailing().size < 2 * control.limit() && more()) {
      const job: Promise<void> = control.run(control.items[next++]!).finally(() => inFlight.delete(job));
      inFlight.add(job);
    }
    if (inFlight.size === 0 && (control.trailing().size === 0 || !more())) break;
    await Promise.race([...inFlight, ...control.trailing()]);
  }
  await Promise.all(control.trailing());
  return next;
}
