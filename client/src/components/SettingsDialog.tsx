import { useEffect, useId, useRef, useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { modelName } from './format';

const knownWorkflows = ['council'];

/** Council models, chairman and workflow; remembered in localStorage. */
export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const session = useSession();
  const settings = useStore(session.settings, (s) => s);
  const listed = useStore(session.connection, (s) => s.models);
  const modelsError = useStore(session.connection, (s) => s.modelsError);
  const ref = useRef<HTMLDialogElement>(null);
  const [custom, setCustom] = useState('');
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
  const toggle = (id: string, on: boolean) =>
    session.settings.change({ models: on ? [...settings.models.filter((m) => m !== id), id] : settings.models.filter((m) => m !== id) });
  const addCustom = () => {
    const id = custom.trim();
    if (!id) return;
    session.settings.change({
      customModels: settings.customModels.includes(id) ? settings.customModels : [...settings.customModels, id],
      models: settings.models.includes(id) ? settings.models : [...settings.models, id],
    });
    setCustom('');
  };

  return (
    <dialog ref={ref} className="settings" aria-labelledby={`${ids}-title`} onClose={onClose} onCancel={onClose}>
      <form method="dialog" className="settings-form" onSubmit={onClose}>
        <h2 id={`${ids}-title`}>Council settings</h2>

        <fieldset>
          <legend>Council models</legend>
          <p className="muted">{settings.models.length === 0 ? 'None chosen: the server’s default council answers.' : `${settings.models.length} chosen.`}</p>
          {modelsError && <p className="lane-error">Could not list the models: {modelsError}</p>}
          {!listed && !modelsError && <p className="muted">Loading the models…</p>}
          <ul className="model-options">
            {available.map((m) => (
              <li key={m.id}>
                <label title={m.id}>
                  <input type="checkbox" checked={settings.models.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} />
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
              onChange={(e) => setCustom(e.target.value)}
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
            {knownWorkflows.map((w) => (
              <option key={w} value={w} />
            ))}
          </datalist>
        </div>

        <div className="dialog-actions">
          <button type="submit" className="btn btn-primary">
            Done
          </button>
        </div>
      </form>
    </dialog>
  );
}
