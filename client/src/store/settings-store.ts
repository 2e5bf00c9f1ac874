import { SnapshotStore } from './snapshot-store';

export type LaneView = 'grid' | 'tabs';

export interface Settings {
  /** The council; empty means the server's default council. */
  readonly models: readonly string[];
  /** Model ids typed in by hand (simulated ids with parameters, say), offered beside list_models. */
  readonly customModels: readonly string[];
  /** Empty means the server's default chairman. */
  readonly chairman: string;
  readonly workflow: string;
  /** Search the web beside the first stage. */
  readonly search: boolean;
  /** Start the reviews once this many answers are in (0: wait for all). */
  readonly quorumAnswers: number;
  /** ...or after this long with at least one answer (0: no deadline). */
  readonly quorumDeadlineMs: number;
  readonly laneView: LaneView;
}

export const defaultSettings: Settings = {
  models: [],
  customModels: [],
  chairman: '',
  workflow: 'council',
  search: false,
  quorumAnswers: 0,
  quorumDeadlineMs: 0,
  laneView: 'grid',
};

export const settingsKey = 'council.settings.v1';

/** The user's choices, remembered in localStorage. */
export class SettingsStore extends SnapshotStore<Settings> {
  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeLocalStorage()) {
    super(load(storage));
  }

  change(patch: Partial<Settings>): void {
    this.update((current) => ({ ...current, ...patch }));
    try {
      this.storage?.setItem(settingsKey, JSON.stringify(this.getSnapshot()));
    } catch {
      // Storage full or blocked: the choice still holds for this page.
    }
  }
}

function load(storage: Pick<Storage, 'getItem'> | undefined): Settings {
  try {
    const raw = storage?.getItem(settingsKey);
    if (!raw) return defaultSettings;
    const parsed = JSON.parse(raw) as Partial<Settings>;
    return {
      models: stringArray(parsed.models),
      customModels: stringArray(parsed.customModels),
      chairman: typeof parsed.chairman === 'string' ? parsed.chairman : '',
      workflow: typeof parsed.workflow === 'string' && parsed.workflow.trim() ? parsed.workflow : defaultSettings.workflow,
      search: parsed.search === true,
      quorumAnswers: count(parsed.quorumAnswers),
      quorumDeadlineMs: count(parsed.quorumDeadlineMs),
      laneView: parsed.laneView === 'tabs' ? 'tabs' : 'grid',
    };
  } catch {
    return defaultSettings;
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : [];
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
