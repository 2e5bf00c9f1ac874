import { useEffect, useId, useRef, useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { isKnownModel, unknownModelMessage } from '../store/model-ids';
import { modelName } from './format';

/** Council models, chairman and workflow; remembered in localStorage. */
export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const session = useSession();
  const settings = useStore(session.settings, (s) => s);
  const listed = useStore(session.connection, (s) => s.models);
  const modelsError = useStore(session.connection, (s) => s.modelsError);
  const workflows = useStore(session.connection, (s) => s.workflows);
  const workflow = workflows?.find((w) => w.name.toLowerCase() === settings.workflow.trim().toLowerCase());
  const ref = useRef<HTMLDialogElement>(null);
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState<string | undefined>(undefined);
  const [saveError, setSaveError] = useState<string | undefined>(undefined);
  const maxModels = useStore(session.connection, (s) => s.limits?.maxModelsPerRun);
  const ids = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const extra = [...new Set([...settings.customModels, ...settings.models, ...(settings.chairman ? [settings.chairman] : [])])];
  const available = [
    ...(listed ?? []),
    ...extra.filter((id) => !listed?.some((m) => m.id === id)).map((id) => ({ id, provider: 'custom' })),
  ];
  const full = maxModels !== undefined && settings.models.length >= maxModels;
  const tooMany = maxModels !== undefined && settings.models.length > maxModels;
  const unknown = settings.models.filter((m) => !isKnownModel(m, listed));
  const problem = tooMany
    ? `${settings.models.length} models are chosen; a run may have at most ${maxModels}. Untick ${settings.models.length - maxModels!}.`
    : unknown.length > 0
      ? `${unknownModelMessage(unknown[0])}${unknown.length > 1 ? ` (${unknown.length - 1} more unknown)` : ''}`
      : settings.chairman && !isKnownModel(settings.chairman, listed)
        ? `Unknown chairman: ${settings.chairman}. Pick one from the list.`
        : undefined;
  const toggle = (id: string, on: boolean) => {
    setSaveError(undefined);
    session.settings.change({ models: on ? [...settings.models.filter((m) => m !== id), id] : settings.models.filter((m) => m !== id) });
  };
  const addCustom = () => {
    const id = custom.trim();
    if (!id) return;
    if (!isKnownModel(id, listed)) {
      setCustomError(unknownModelMessage(id));
      return;
    }
    if (full && !settings.models.includes(id)) {
      setCustomError(`A run may have at most ${maxModels} models; untick one first.`);
      return;
    }
    setCustomError(undefined);
    session.settings.change({
      customModels: settings.customModels.includes(id) ? settings.customModels : [...settings.customModels, id],
      models: settings.models.includes(id) ? settings.models : [...settings.models, id],
    });
    setCustom('');
  };

  return (
    <dialog ref={ref} className="settings" aria-labelledby={`${ids}-title`} onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        className="settings-form"
        onSubmit={(e) => {
          // Settings apply as they change; Done is where what cannot run is caught, before the next question.
          if (problem) {
            e.preventDefault();
            setSaveError(problem);
            return;
          }
          onClose();
        }}
      >
        <h2 id={`${ids}-title`}>Council settings</h2>

        <fieldset>
          <legend>Council models</legend>
          <p className="muted">
            {settings.models.length === 0 ? 'None chosen: the server’s default council answers.' : `${settings.models.length} chosen.`}
            {maxModels !== undefined && ` At most ${maxModels} per run.`}
          </p>
          {modelsError && <p className="lane-error">Could not list the models: {modelsError}</p>}
          {!listed && !modelsError && <p className="muted">Loading the models…</p>}
          <ul className="model-options">
            {available.map((m) => (
              <li key={m.id}>
                <label title={m.id}>
                  <input
                    type="checkbox"
                    checked={settings.models.includes(m.id)}
                    disabled={full && !settings.models.includes(m.id)}
                    onChange={(e) => toggle(m.id, e.target.checked)}
                  />
                  <span className="model-option-name">{m.id}</span>
                  <span className="model-option-provider">{m.provider}</span>
                </label>
              </li>
            ))}
          </ul>
          <div className="inline-field">
            <label htmlFor={`${ids}-custom`}>Add a model id</label>
            <input
              id={`${ids}-custom`}
              value={custom}
              placeholder="sim/name?ttft=300&tps=40"
              aria-invalid={customError ? true : undefined}
              aria-describedby={customError ? `${ids}-custom-error` : undefined}
              onChange={(e) => {
                setCustom(e.target.value);
                setCustomError(undefined);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addCustom();
                }
              }}
            />
            <button type="button" className="btn" onClick={addCustom} disabled={!custom.trim()}>
              Add
            </button>
          </div>
          {customError && (
            <p id={`${ids}-custom-error`} className="lane-error field-note" role="alert">
              {customError}
            </p>
          )}
          {settings.models.length > 0 && (
            <button type="button" className="btn btn-link align-start" onClick={() => session.settings.change({ models: [] })}>
              Use the server’s default council
            </button>
          )}
        </fieldset>

        <div className="field">
          <label htmlFor={`${ids}-chairman`}>Chairman</label>
          <select id={`${ids}-chairman`} value={settings.chairman} onChange={(e) => session.settings.change({ chairman: e.target.value })}>
            <option value="">Server default</option>
            {available.map((m) => (
              <option key={m.id} value={m.id}>
                {modelName(m.id)} ({m.id})
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <label htmlFor={`${ids}-workflow`}>Workflow</label>
          <input
            id={`${ids}-workflow`}
            list={`${ids}-workflows`}
            value={settings.workflow}
            onChange={(e) => session.settings.change({ workflow: e.target.value })}
            onBlur={(e) => !e.target.value.trim() && session.settings.change({ workflow: 'council' })}
          />
          <datalist id={`${ids}-workflows`}>
            {(workflows ?? [{ name: 'council', description: '' }]).map((w) => (
              <option key={w.name} value={w.name}>
                {w.description}
              </option>
            ))}
          </datalist>
          {workflow ? (
            <p className="muted field-note">
              {workflow.description}{' '}
              <span className="workflow-stages">
                {workflow.stages.map((st) => (st.loop ? `(${st.name})` : st.name)).join(' → ')}
              </span>
            </p>
          ) : workflows ? (
            <p className="lane-error field-note">This server has no workflow named “{settings.workflow}”.</p>
          ) : null}
        </div>

        <fieldset>
          <legend>Options</legend>
          <label className="check">
            <input type="checkbox" checked={settings.search} onChange={(e) => session.settings.change({ search: e.target.checked })} />
            Search the web beside the first stage
          </label>
          <div className="quorum">
            <label htmlFor={`${ids}-quorum`}>Start the reviews once</label>
            <input
              id={`${ids}-quorum`}
              type="number"
              min={0}
              max={8}
              value={settings.quorumAnswers || ''}
              placeholder="all"
              onChange={(e) => session.settings.change({ quorumAnswers: Math.max(0, Number(e.target.value) || 0) })}
            />
            <label htmlFor={`${ids}-deadline`}>answers are in, or after</label>
            <input
              id={`${ids}-deadline`}
              type="number"
              min={0}
              step={0.5}
              value={settings.quorumDeadlineMs ? settings.quorumDeadlineMs / 1000 : ''}
              placeholder="no limit"
              onChange={(e) => session.settings.change({ quorumDeadlineMs: Math.max(0, Math.round((Number(e.target.value) || 0) * 1000)) })}
            />
            <span>seconds</span>
          </div>
        </fieldset>

        {saveError && problem && (
          <p className="lane-error" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="submit" className="btn btn-primary">
            Done
          </button>
        </div>
      </form>
    </dialog>
  );
}
