import { SnapshotStore } from './snapshot-store';

type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** A run's best-answer pick: the model, none (`null`), or not known yet (absent). */
export type Picks = Readonly<Record<string, string | null>>;

/**
 * The user's "Best answer" pick per finished run, kept by the server with the run (`GET /api/runs/{id}` says it;
 * `PUT` / `DELETE /api/runs/{id}/best-answer` change it). One pick per run: picking another answer replaces it,
 * picking the same one again takes it back.
 */
export class PicksStore extends SnapshotStore<Picks> {
  private readonly loading = new Set<string>();
  private readonly errors = new Map<string, string>();

  constructor(private readonly api: Api) {
    super({});
  }

  /** Reads the run's pick from the server, once. */
  load(runId: string): void {
    if (runId in this.getSnapshot() || this.loading.has(runId)) return;
    this.loading.add(runId);
    void this.api(`/api/runs/${encodeURIComponent(runId)}`, { headers: { accept: 'application/json' } })
      .then(async (response) => (response.ok ? ((await response.json()) as { bestAnswer?: string | null }).bestAnswer ?? null : null))
      .catch(() => null)
      .then((pick) => {
        this.loading.delete(runId);
        if (!(runId in this.getSnapshot())) this.update((s) => ({ ...s, [runId]: pick }));
      });
  }

  /** Picks `model`'s answer as the run's best, or takes the pick back when it already is. */
  async toggle(runId: string, model: string): Promise<void> {
    const before = this.getSnapshot()[runId] ?? null;
    const next = before === model ? null : model;
    this.update((s) => ({ ...s, [runId]: next }));
    this.errors.delete(runId);
    const path = `/api/runs/${encodeURIComponent(runId)}/best-answer`;
    const response = await (next === null
      ? this.api(path, { method: 'DELETE' })
      : this.api(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: next }) })
    ).catch(() => undefined);
    if (!response?.ok) {
      this.errors.set(runId, 'Your pick could not be saved.');
      this.update((s) => ({ ...s, [runId]: before }));
    }
  }

  error(runId: string): string | undefined {
    return this.errors.get(runId);
  }
}
